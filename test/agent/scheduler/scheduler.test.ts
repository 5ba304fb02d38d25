// The scheduler on a manual clock: fake probes (the scheduler is what is under test), manual triggers where the
// tick source does not matter, and the real croner and interval triggers where it does.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Probe, ProbeContext } from '../../../agent/src/probes/probe.js';
import { execRunner } from '../../../agent/src/exec/runner.js';
import { Int, type Sample, type SampleDraft } from '../../../agent/src/sample.js';
import {
  createScheduler,
  everySchedules,
  probeStatsSamples,
  type Schedule,
  type SchedulerOptions,
  type TriggerFactory,
} from '../../../agent/src/scheduler/scheduler.js';
import { ManualClock, settle } from '../helpers/manual-clock.js';
import { intervalMs } from '../../../agent/src/scheduler/triggers.js';

const CPU: SampleDraft = { measurement: 'cpu', tags: { cpu: 'cpu-total' }, fields: { usage_idle: 97.5 } };

/** A probe whose runs stay pending until the test settles them. */
function pendingProbe(name: string) {
  const runs: { ctx: ProbeContext; resolve(d: SampleDraft[]): void; reject(e: Error): void }[] = [];
  const probe: Probe = {
    name,
    schedule: '*/10 * * * * *',
    collect: (ctx) => new Promise((resolve, reject) => runs.push({ ctx, resolve, reject })),
  };
  return { probe, runs };
}

function probe(name: string, collect: Probe['collect']): Probe {
  return { name, schedule: '0 * * * *', collect };
}

/** Tick sources the test fires by hand. */
function manualTriggers() {
  const made = new Map<string, { schedule: Schedule; fire(): void; stopped: boolean }>();
  const factory: TriggerFactory = (name, schedule, fire) => {
    const t = { schedule, fire, stopped: false };
    made.set(name, t);
    return { stop: () => void (t.stopped = true) };
  };
  const fire = (name: string): void => made.get(name)?.fire();
  return { factory, made, fire };
}

function setup(probes: Probe[], extra: Partial<SchedulerOptions> = {}) {
  const clock = new ManualClock();
  const triggers = manualTriggers();
  const logs: string[] = [];
  const delivered: { probe: string; samples: Sample[] }[] = [];
  const log = (level: string) => (msg: string) => void logs.push(`${level} ${msg}`);
  const scheduler = createScheduler({
    probes,
    host: 'pc-01',
    tenant: 'acme',
    runner: execRunner,
    onSamples: (p, samples) => void delivered.push({ probe: p, samples }),
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    now: clock.now,
    random: () => 0,
    timers: clock,
    triggers: triggers.factory,
    jitterMs: 0,
    ...extra,
  });
  return { clock, triggers, logs, delivered, scheduler };
}

afterEach(() => void vi.useRealTimers());

describe('scheduler', () => {
  it('runs every probe once at start, without jitter, and hands over completed samples', async () => {
    const seen: ProbeContext[] = [];
    const cpu = probe('cpu', async (ctx) => (seen.push(ctx), [CPU]));
    const mem = probe('mem', async () => [{ measurement: 'mem', fields: { used_percent: 41 } }]);
    const h = setup([cpu, mem], { jitterMs: 5000, random: () => 0.99 });
    h.scheduler.start();
    await settle();
    expect(h.delivered.map((d) => d.probe)).toEqual(['cpu', 'mem']);
    expect(h.delivered[0]?.samples).toEqual([
      { measurement: 'cpu', tags: { cpu: 'cpu-total', host: 'pc-01', tenant: 'acme' }, fields: { usage_idle: 97.5 }, time: h.clock.now() },
    ]);
    expect(seen[0]?.runner).toBe(execRunner);
    expect(seen[0]?.now()).toBe(h.clock.now());
    expect(() => h.scheduler.start()).toThrow(/cannot start/);
  });

  it('overwrites host and tenant tags set by a probe and keeps a time the probe set', async () => {
    const sneaky = probe('sneaky', async () => [{ measurement: 'x', tags: { host: 'spoofed', tenant: 'other', keep: 'yes' }, fields: { v: 1 }, time: 42 }]);
    const h = setup([sneaky]);
    const result = await h.scheduler.runOnce();
    expect(result.get('sneaky')).toEqual([{ measurement: 'x', tags: { host: 'pc-01', tenant: 'acme', keep: 'yes' }, fields: { v: 1 }, time: 42 }]);
  });

  it.each([
    [0, 0],
    [0.5, 2500],
    [0.9999, 4999],
  ])('delays a scheduled run by floor(random %d * jitterMs) = %d ms', async (random, delay) => {
    const p = pendingProbe('cpu');
    const h = setup([p.probe], { jitterMs: 5000, random: () => random });
    h.scheduler.start();
    await settle();
    p.runs[0]?.resolve([CPU]);
    await h.clock.advance(10_000);
    const tickAt = h.clock.now();
    h.triggers.fire('cpu');
    if (delay > 0) await h.clock.advance(delay - 1);
    await settle();
    expect(p.runs).toHaveLength(delay > 0 ? 1 : 2);
    await h.clock.advance(1);
    expect(p.runs).toHaveLength(2);
    p.runs[1]?.resolve([CPU]);
    await settle();
    expect(h.delivered[1]?.samples[0]?.time).toBe(tickAt + delay); // the run's start, after the jitter
  });

  it('skips and counts a tick while the previous run is still going', async () => {
    const p = pendingProbe('patches');
    const h = setup([p.probe]);
    h.scheduler.start();
    await settle();
    h.triggers.fire('patches');
    h.triggers.fire('patches');
    await settle();
    expect(p.runs).toHaveLength(1);
    expect(h.scheduler.stats().patches).toMatchObject({ runs: 1, skippedOverlap: 2 });
    expect(h.logs).toContain('warn patches: previous collection has not completed; skipped');
    p.runs[0]?.resolve([]);
    await settle();
    h.triggers.fire('patches');
    await settle();
    expect(p.runs).toHaveLength(2);
  });

  it('times out a run, aborts its signal, and holds the guard until the probe settles', async () => {
    const p = pendingProbe('eventlog');
    const h = setup([p.probe], { timeoutsMs: { eventlog: 1000 } });
    h.scheduler.start();
    await h.clock.advance(999);
    expect(p.runs[0]?.ctx.signal.aborted).toBe(false);
    await h.clock.advance(1);
    expect(p.runs[0]?.ctx.signal.aborted).toBe(true);
    expect(h.scheduler.stats().eventlog).toMatchObject({ runs: 1, timeouts: 1, errors: 0, lastDurationMs: 1000 });
    expect(h.logs).toContain('warn eventlog: timed out after 1000 ms');
    h.triggers.fire('eventlog');
    await settle();
    expect(p.runs).toHaveLength(1);
    expect(h.scheduler.stats().eventlog?.skippedOverlap).toBe(1);
    // The timeout itself is delivered as one error sample, visible on the collector.
    expect(h.delivered).toEqual([
      {
        probe: 'eventlog',
        samples: [
          expect.objectContaining({
            measurement: 'agent_probe_error',
            tags: { probe: 'eventlog', kind: 'timeout', host: 'pc-01', tenant: 'acme' },
            fields: { message: 'timed out after 1000 ms' },
          }),
        ],
      },
    ]);
    p.runs[0]?.resolve([CPU]); // settles late: the guard is released, the samples are not delivered
    await settle();
    expect(h.delivered).toHaveLength(1);
    h.triggers.fire('eventlog');
    await settle();
    expect(p.runs).toHaveLength(2);
  });

  it('captures a failing probe while another keeps running', async () => {
    let calls = 0;
    const bad = probe('av', () => {
      calls += 1;
      if (calls % 2) throw new Error('WMI namespace not found');
      return Promise.reject(new Error('access denied'));
    });
    const odd = probe('odd', async () => 'nonsense' as unknown as SampleDraft[]);
    const good = probe('cpu', async () => [CPU]);
    const h = setup([bad, odd, good]);
    h.scheduler.start();
    for (let i = 0; i < 3; i += 1) {
      await h.clock.advance(60_000);
      for (const name of ['av', 'odd', 'cpu']) h.triggers.fire(name);
    }
    await settle();
    expect(h.delivered.filter((d) => d.probe === 'cpu')).toHaveLength(4);
    // Each failed run delivers exactly one error sample instead of data.
    const failures = h.delivered.filter((d) => d.probe !== 'cpu');
    expect(failures).toHaveLength(8);
    for (const f of failures) expect(f.samples.map((x) => x.measurement)).toEqual(['agent_probe_error']);
    expect(failures.filter((f) => f.probe === 'av').map((f) => f.samples[0]?.fields.message)).toEqual([
      'WMI namespace not found',
      'access denied',
      'WMI namespace not found',
      'access denied',
    ]);
    expect(failures.find((f) => f.probe === 'odd')?.samples[0]?.tags.kind).toBe('error');
    expect(h.scheduler.stats().av).toMatchObject({ runs: 4, errors: 4, lastError: 'access denied' });
    expect(h.scheduler.stats().odd).toMatchObject({ errors: 4, lastError: 'returned string instead of a list of samples' });
    expect(h.scheduler.stats().cpu).toMatchObject({ runs: 4, errors: 0, samples: 4 });
    expect(h.logs).toContain('error av: WMI namespace not found');
    expect(h.logs).toContain('error av: access denied');
  });

  it('logs a throwing onSamples and keeps scheduling', async () => {
    const h = setup([probe('cpu', async () => [CPU])], {
      onSamples: () => {
        throw new Error('spool full');
      },
    });
    h.scheduler.start();
    await settle();
    h.triggers.fire('cpu');
    await settle();
    expect(h.scheduler.stats().cpu).toMatchObject({ runs: 2, errors: 0 });
    expect(h.logs.filter((l) => l === 'error cpu: onSamples failed: spool full')).toHaveLength(2);
  });

  it('runs on the --every interval through the default interval trigger, with jitter clamped to half of it', async () => {
    const p = probe('cpu', async () => [CPU]);
    const clock = new ManualClock();
    const starts: number[] = [];
    const scheduler = createScheduler({
      probes: [{ ...p, collect: async (ctx) => (starts.push(ctx.now()), [CPU]) }],
      schedules: everySchedules([p], 2000),
      jitterMs: 5000,
      random: () => 0.9995,
      host: 'pc-01',
      tenant: 'acme',
      onSamples: () => undefined,
      runner: execRunner,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      now: clock.now,
      timers: clock,
    });
    const t0 = clock.now();
    scheduler.start();
    await clock.advance(6000);
    expect(starts.map((t) => t - t0)).toEqual([0, 2999, 4999]); // ticks at 2000, 4000 (+999 jitter); 6000 + 999 later
    await scheduler.stop();
    expect(clock.timerCount).toBe(0);
    await clock.advance(60_000);
    expect(starts).toHaveLength(3);
  });

  it.each([
    ['the probe default', { name: 'disk', schedule: 'every five minutes' }, undefined, /probe disk: invalid cron expression "every five minutes"/],
    [
      'an override',
      { name: 'disk', schedule: '*/5 * * * *' },
      { disk: { cron: '61 * * * *' } },
      /probe disk: invalid cron expression "61 \* \* \* \*": CronPattern: Invalid value for minute: 61/,
    ],
    ['an interval', { name: 'disk', schedule: '*/5 * * * *' }, { disk: { everyMs: 0 } }, /probe disk: invalid interval 0 ms/],
  ])('rejects an invalid schedule from %s, naming probe and expression', (_, p, schedules, message) => {
    const bad: Probe = { ...p, collect: async () => [] };
    expect(() => setup([bad], { schedules, triggers: undefined })).toThrow(message);
  });

  it('rejects duplicate probe names and warns about schedules for unknown probes', () => {
    const cpu = probe('cpu', async () => []);
    expect(() => setup([cpu, cpu])).toThrow(/probe cpu: registered twice/);
    expect(setup([cpu], { schedules: { cpuu: { everyMs: 1000 } } }).logs).toEqual(['warn schedules.cpuu: no such probe; ignored']);
  });

  it('runOnce returns samples or the error per probe, and sends nothing', async () => {
    const slow = pendingProbe('inventory');
    const h = setup([probe('cpu', async () => [CPU]), probe('av', async () => Promise.reject(new Error('no WMI'))), slow.probe], { timeoutMs: 30_000 });
    const once = h.scheduler.runOnce();
    await h.clock.advance(30_000);
    const result = await once;
    expect([...result.keys()]).toEqual(['cpu', 'av', 'inventory']);
    expect((result.get('cpu') as Sample[])[0]?.tags).toEqual({ cpu: 'cpu-total', host: 'pc-01', tenant: 'acme' });
    expect((result.get('av') as Error).message).toBe('no WMI');
    expect((result.get('inventory') as Error).message).toBe('timed out after 30000 ms');
    expect(h.delivered).toEqual([]);
  });

  it('stop() stops the triggers, waits for in-flight runs up to the grace, then aborts them', async () => {
    const p = pendingProbe('patches');
    const h = setup([p.probe], { stopGraceMs: 5000, timeoutMs: 60_000 });
    h.scheduler.start();
    await settle();
    let stopped = false;
    void h.scheduler.stop().then(() => (stopped = true));
    expect(h.triggers.made.get('patches')?.stopped).toBe(true);
    await h.clock.advance(4999);
    expect(stopped).toBe(false);
    await h.clock.advance(1);
    expect(stopped).toBe(true);
    expect(p.runs[0]?.ctx.signal.aborted).toBe(true);
    p.runs[0]?.resolve([CPU]);
    await h.clock.advance(120_000);
    expect(h.delivered).toEqual([]);
  });

  it('stop() cancels a run waiting out its jitter', async () => {
    const p = probe('cpu', async () => [CPU]);
    const h = setup([p], { jitterMs: 5000, random: () => 0.5 });
    h.scheduler.start();
    await settle();
    h.triggers.fire('cpu');
    await h.scheduler.stop();
    await h.clock.advance(10_000);
    expect(h.scheduler.stats().cpu?.runs).toBe(1);
    expect(h.clock.timerCount).toBe(0);
  });

  it('reports its own health as agent_probe samples', async () => {
    const h = setup([probe('cpu', async () => [CPU, CPU])]);
    await h.scheduler.runOnce();
    const [point] = probeStatsSamples(h.scheduler.stats());
    expect(point).toEqual({
      measurement: 'agent_probe',
      tags: { probe: 'cpu' },
      fields: { runs: new Int(1), errors: new Int(0), timeouts: new Int(0), skipped_overlap: new Int(0), samples: new Int(2), last_duration_ms: 0 },
    });
  });
});

describe('scheduler with real croner', () => {
  it('fires a seconds-field cron expression on (fake) time and leaves no timer after stop', async () => {
    vi.useFakeTimers({ now: new Date('2025-03-01T12:00:00.000Z') });
    const starts: number[] = [];
    const scheduler = createScheduler({
      probes: [{ name: 'uptime', schedule: '*/10 * * * * *', collect: async (ctx) => (starts.push(ctx.now()), []) }],
      jitterMs: 0,
      host: 'pc-01',
      tenant: 'acme',
      onSamples: () => undefined,
      runner: execRunner,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const before = vi.getTimerCount();
    scheduler.start();
    expect(vi.getTimerCount()).toBeGreaterThan(before);
    await vi.advanceTimersByTimeAsync(30_500);
    expect(starts.map((t) => new Date(t).toISOString().slice(11, 19))).toEqual(['12:00:00', '12:00:10', '12:00:20', '12:00:30']);
    await scheduler.stop();
    expect(vi.getTimerCount()).toBe(before);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(starts).toHaveLength(4);
  });
});

describe('intervalMs (bounds jitter)', () => {
  it.each([
    [{ cron: '* * * * * *' }, 1000],
    [{ cron: '0 * * * * *' }, 60_000],
    [{ cron: '0 */5 * * * *' }, 300_000],
    [{ cron: '0 0 */4 * * *' }, 4 * 3_600_000],
    [{ everyMs: 2500 }, 2500],
  ])('%j -> %d ms', (schedule, expected) => {
    expect(intervalMs(schedule)).toBe(expected);
  });

  it('leaves no timer behind', () => {
    vi.useFakeTimers();
    try {
      intervalMs({ cron: '* * * * * *' });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
