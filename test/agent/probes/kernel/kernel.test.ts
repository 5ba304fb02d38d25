import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKernelProbe } from '../../../../agent/src/probes/kernel/kernel.js';
import { linuxKernelFields, parseEntropyAvail, windowsKernelFields } from '../../../../agent/src/probes/kernel/kernel-counters.js';
import { parseProcStat } from '../../../../agent/src/probes/common/proc-stat.js';
import { Int, int } from '../../../../agent/src/sample.js';
import { context, fixture, FIXTURES } from '../fixtures.js';

const value = (v: unknown): number => (v as Int).value;

describe('kernel probe on Linux', () => {
  it("writes Telegraf's default fields from the captured /proc/stat and entropy_avail (Debian 12, kernel 6.18)", async () => {
    const [draft] = await createKernelProbe({ platform: 'linux', procRoot: `${FIXTURES}linux/proc-snapshot` }).collect(context());
    expect(draft).toEqual({
      measurement: 'kernel',
      fields: {
        boot_time: int(1796530356),
        context_switches: int(85882209),
        interrupts: int(26066757),
        processes_forked: int(397108),
        entropy_avail: int(256),
      },
    });
  });

  it('reads the real /proc of this machine: counters since boot that only grow', async () => {
    const probe = createKernelProbe();
    const [first] = await probe.collect(context());
    const [second] = await probe.collect(context());
    const stat = readFileSync('/proc/stat', 'utf8');
    expect(value(first!.fields.boot_time)).toBe(Number(/^btime (\d+)$/m.exec(stat)![1]));
    for (const counter of ['context_switches', 'interrupts', 'processes_forked']) {
      expect(value(second!.fields[counter])).toBeGreaterThanOrEqual(value(first!.fields[counter]));
    }
    expect(value(first!.fields.entropy_avail)).toBe(Number(readFileSync('/proc/sys/kernel/random/entropy_avail', 'utf8')));
  });

  it('leaves entropy_avail out when the file is unreadable (Telegraf fails the run)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wp-kernel-'));
    writeFileSync(join(root, 'stat'), fixture('linux/proc-snapshot/stat'));
    mkdirSync(join(root, 'sys'));
    const [draft] = await createKernelProbe({ platform: 'linux', procRoot: root }).collect(context());
    expect(Object.keys(draft!.fields).sort()).toEqual(['boot_time', 'context_switches', 'interrupts', 'processes_forked']);
  });
});

describe('linuxKernelFields', () => {
  it("writes disk_pages_in/out where the kernel prints a page line (proc(5)'s documented lines)", () => {
    expect(linuxKernelFields(parseProcStat(fixture('linux/kernel/proc-stat-man5-lines.txt')), 4096)).toEqual({
      boot_time: int(769041601),
      context_switches: int(115315),
      interrupts: int(1462898),
      processes_forked: int(86031),
      disk_pages_in: int(5741),
      disk_pages_out: int(1808),
      entropy_avail: int(4096),
    });
  });

  it('parseEntropyAvail refuses what is not a number', () => {
    expect(parseEntropyAvail('256\n')).toBe(256);
    expect(() => parseEntropyAvail('')).toThrow();
  });
});

describe('windowsKernelFields', () => {
  it('converts the FILETIME boot moment to unix seconds', () => {
    expect(windowsKernelFields({ context_switches: 1, interrupts: 2, up_since: 131983188065000000, frequency: 10_000_000 })).toEqual({
      context_switches: int(1),
      interrupts: int(2),
      boot_time: int(1553845206),
    });
  });

  it('leaves boot_time out for another time base, and refuses a reply with nothing usable', () => {
    expect(windowsKernelFields({ context_switches: 1, interrupts: 2, up_since: 5, frequency: 1000 })).toEqual({ context_switches: int(1), interrupts: int(2) });
    expect(() => windowsKernelFields({ context_switches: null })).toThrow(/unexpected reply/);
  });
});

describe('kernel probe on macOS', () => {
  it('writes the boot time from os.uptime(), no process', async () => {
    const now = Date.now();
    const [draft] = await createKernelProbe({ platform: 'darwin' }).collect({ ...context(), now: () => now });
    expect(Object.keys(draft!.fields)).toEqual(['boot_time']);
    expect(Math.abs(value(draft!.fields.boot_time) + os.uptime() - now / 1000)).toBeLessThan(2);
  });
});
