import { describe, expect, it } from 'vitest';
import { cpuTimesFromOsCpus, cpuUsageFields, emptyCpuTimes, parseProcStat, TOTAL_CPU } from '../../../../agent/src/probes/common/proc-stat.js';
import { fixture } from '../fixtures.js';

const USAGE_STATES = ['usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait', 'usage_irq', 'usage_softirq', 'usage_steal'];

describe('parseProcStat', () => {
  it('reads the total and per-core lines and btime of a real /proc/stat (Debian 12)', () => {
    const stat = parseProcStat(fixture('linux/proc/stat'));
    expect([...stat.cpus.keys()]).toEqual([TOTAL_CPU, 'cpu0', 'cpu1']);
    expect(stat.cpus.get(TOTAL_CPU)).toEqual({
      user: 20561,
      nice: 0,
      system: 3480,
      idle: 69246,
      iowait: 194,
      irq: 0,
      softirq: 59,
      steal: 21,
      guest: 0,
      guestNice: 0,
    });
    expect(stat.bootTime).toBe(1795304272);
  });

  it('reads the kernel counter lines of a real /proc/stat (Debian 12): no page line on a 2.6+ kernel', () => {
    const stat = parseProcStat(fixture('linux/proc-snapshot/stat'));
    expect(stat).toMatchObject({ bootTime: 1796530356, interrupts: 26066757, contextSwitches: 85882209, processesForked: 397108 });
    expect(stat.pagesIn).toBeUndefined();
    expect(stat.pagesOut).toBeUndefined();
  });

  it("reads proc(5)'s documented lines, the page line of kernels before 2.6 included", () => {
    expect(parseProcStat(fixture('linux/kernel/proc-stat-man5-lines.txt'))).toEqual({
      cpus: new Map(),
      bootTime: 769041601,
      interrupts: 1462898,
      contextSwitches: 115315,
      processesForked: 86031,
      pagesIn: 5741,
      pagesOut: 1808,
    });
  });

  it('leaves a counter line without a whole number out rather than reading it as 0', () => {
    expect(parseProcStat('ctxt\nintr -1 2\nbtime x\npage 5\nprocesses 12\n')).toEqual({ cpus: new Map(), processesForked: 12 });
  });

  it('leaves columns an old kernel does not print at 0', () => {
    const stat = parseProcStat('cpu  10 1 5 100 2 0 0\n');
    expect(stat.cpus.get(TOTAL_CPU)).toEqual({ ...emptyCpuTimes(), user: 10, nice: 1, system: 5, idle: 100, iowait: 2 });
    expect(stat.bootTime).toBeUndefined();
  });
});

describe('cpuUsageFields', () => {
  it('computes Telegraf percentages between two real snapshots', () => {
    const before = parseProcStat(fixture('linux/proc/stat')).cpus.get(TOTAL_CPU)!;
    const after = parseProcStat(fixture('linux/proc-later/stat')).cpus.get(TOTAL_CPU)!;
    const fields = cpuUsageFields(before, after)!;
    // deltas: user 184, system 17, softirq 1, everything else 0 -> 202 jiffies
    expect(fields.usage_user).toBeCloseTo((100 * 184) / 202, 10);
    expect(fields.usage_system).toBeCloseTo((100 * 17) / 202, 10);
    expect(fields.usage_softirq).toBeCloseTo(100 / 202, 10);
    expect(fields.usage_idle).toBe(0);
    expect(USAGE_STATES.reduce((sum, k) => sum + (fields[k] ?? 0), 0)).toBeCloseTo(100, 10);
  });

  it('counts guest time inside user, as the kernel does, and reports it separately', () => {
    const before = emptyCpuTimes();
    const after = { ...emptyCpuTimes(), user: 60, guest: 20, nice: 10, guestNice: 10, idle: 30 };
    expect(cpuUsageFields(before, after)).toMatchObject({
      usage_user: 40,
      usage_guest: 20,
      usage_nice: 0,
      usage_guest_nice: 10,
      usage_idle: 30,
    });
  });

  it.each([
    ['no time elapsed', emptyCpuTimes()],
    ['counters went backwards', { ...emptyCpuTimes(), user: 5 }],
  ])('returns undefined when %s', (_, after) => {
    expect(cpuUsageFields({ ...emptyCpuTimes(), user: 10 }, after)).toBeUndefined();
  });
});

describe('cpuTimesFromOsCpus', () => {
  it('maps os.cpus() times per core and sums them into cpu-total', () => {
    const times = cpuTimesFromOsCpus([
      { times: { user: 100, nice: 1, sys: 50, idle: 800, irq: 2 } },
      { times: { user: 300, nice: 0, sys: 70, idle: 600, irq: 4 } },
    ]);
    expect([...times.keys()]).toEqual(['cpu0', 'cpu1', TOTAL_CPU]);
    expect(times.get(TOTAL_CPU)).toEqual({ ...emptyCpuTimes(), user: 400, nice: 1, system: 120, idle: 1400, irq: 6 });
  });

  it('returns nothing for an empty list', () => {
    expect(cpuTimesFromOsCpus([]).size).toBe(0);
  });
});
