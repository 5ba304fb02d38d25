// The patch run's window, grouping and reboot rules, stepped through on a manual clock. The installers here are
// stand-ins whose "install" takes clock time, driven by the real one-at-a-time loop (installOneByOne); the real apt
// installer under the same run is tested in linux/apt-root.test.ts.
import { describe, expect, it } from 'vitest';
import type { Installer, InstallContext } from '../../../agent/src/patching/installer.js';
import type { PatchItem, PatchManager, PatchPlan, RebootPolicy } from '../../../agent/src/patching/plan.js';
import { installOneByOne } from '../../../agent/src/patching/results.js';
import { runPatchPlan } from '../../../agent/src/patching/run.js';
import { Int } from '../../../agent/src/sample.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { recordingLogger } from '../helpers/recording-log.js';

const T0 = 1_700_000_000_000;
const item = (id: string, manager: PatchManager = 'apt'): PatchItem => ({ id, manager, title: `${id} title` });

interface StandIn extends Installer {
  installed: string[];
  reboots: RebootPolicy[];
}

/** Each install takes `takesMs` of clock time (or until the run's signal aborts); `pending` answers rebootPending. */
function standIn(clock: ManualClock, o: { managers?: PatchManager[]; takesMs?: number; pending?: boolean; rebootFails?: boolean } = {}): StandIn {
  const installed: string[] = [];
  const reboots: RebootPolicy[] = [];
  const takes = (ms: number, ctx: InstallContext) =>
    new Promise<boolean>((resolve) => {
      const h = clock.setTimeout(() => resolve(true), ms);
      ctx.signal.addEventListener('abort', () => (clock.clearTimeout(h), resolve(false)), { once: true });
    });
  return {
    managers: o.managers ?? ['apt'],
    installed,
    reboots,
    install: (items, ctx) =>
      installOneByOne(items, ctx, async (i) => {
        if (!(await takes(o.takesMs ?? 60_000, ctx))) throw new Error(`${i.id} stopped at the window's end`);
        installed.push(i.id);
        return { outcome: 'installed', rebootRequired: false };
      }),
    rebootPending: async () => o.pending ?? false,
    reboot: async (policy) => {
      if (o.rebootFails) throw new Error('shutdown: Failed to schedule');
      reboots.push(policy);
    },
  };
}

const plan = (o: Partial<PatchPlan> = {}): PatchPlan => ({
  planId: 'plan-7',
  windowStart: T0,
  windowEnd: T0 + 3_600_000,
  reboot: { mode: 'never' },
  items: [item('a'), item('b')],
  ...o,
});

/** Runs the plan while the clock moves in steps of `stepMs` until it settles. */
async function drive(clock: ManualClock, p: PatchPlan, installers: Installer[], signal?: AbortSignal, stepMs = 10_000) {
  const log = recordingLogger();
  let done = false;
  const running = runPatchPlan(p, { installers, log, now: clock.now, timers: clock, ...(signal ? { signal } : {}) }).finally(() => (done = true));
  for (let i = 0; i < 10_000 && !done; i++) await clock.advance(stepMs);
  return { ...(await running), log };
}

describe('runPatchPlan', () => {
  it('waits for the window to open, then installs each item once, in plan order, grouped per manager', async () => {
    const clock = new ManualClock(T0 - 600_000);
    const apt = standIn(clock);
    const zypper = standIn(clock, { managers: ['zypper'] });
    const p = plan({ items: [item('a'), item('z1', 'zypper'), item('b'), item('z2', 'zypper')] });
    const { results, summary, samples } = await drive(clock, p, [apt, zypper]);
    expect(apt.installed).toEqual(['a', 'b']);
    expect(zypper.installed).toEqual(['z1', 'z2']);
    expect(results.map((r) => `${r.id}:${r.outcome}`)).toEqual(['a:installed', 'z1:installed', 'b:installed', 'z2:installed']);
    expect(summary).toMatchObject({ approved: 4, installed: 4, failed: 0, notStarted: 0, durationMs: 240_000 });
    // Nothing ran before the window opened: four installs of one minute each, ending 4 minutes after its start.
    expect(samples[0]!.time).toBe(T0 + 240_000);
    expect(samples[0]!.fields).toMatchObject({ plan_id: 'plan-7', window_start: new Int(T0 / 1000), approved: new Int(4), installed: new Int(4) });
    expect(samples.slice(1).map((s) => [s.tags, s.time])).toEqual(results.map((r, i) => [{ manager: r.manager, outcome: 'installed' }, T0 + 240_000 + i + 1]));
  });

  it('refuses to start after the window: every item not_started, nothing installed', async () => {
    const clock = new ManualClock(T0 + 3_600_000);
    const apt = standIn(clock, { pending: true });
    const { results, summary } = await drive(clock, plan({ reboot: { mode: 'if_required' }, items: [item('a'), item('x', 'wua')] }), [apt]);
    expect(results.map((r) => r.outcome)).toEqual(['not_started', 'not_started']);
    expect(apt.installed).toEqual([]);
    expect(apt.reboots).toEqual([]);
    expect(summary).toMatchObject({ notStarted: 2, rebooted: false });
  });

  it('a window closing mid-run: the running install is stopped at the deadline, the rest not_started', async () => {
    const clock = new ManualClock(T0);
    const apt = standIn(clock, { takesMs: 25 * 60_000 });
    const p = plan({ windowEnd: T0 + 40 * 60_000, items: [item('a'), item('b'), item('c'), item('z', 'zypper')] });
    const { results, summary } = await drive(clock, p, [apt, standIn(clock, { managers: ['zypper'] })]);
    expect(results.map((r) => r.outcome)).toEqual(['installed', 'failed', 'not_started', 'not_started']);
    expect(results[1]).toMatchObject({ detail: "b stopped at the window's end", durationMs: 15 * 60_000 });
    expect(summary).toMatchObject({ installed: 1, failed: 1, notStarted: 2, durationMs: 40 * 60_000 });
  });

  it('items of a manager this machine does not have fail as not handled, and are never run', async () => {
    const clock = new ManualClock(T0);
    const apt = standIn(clock);
    const { results } = await drive(clock, plan({ items: [item('KB5034441', 'wua'), item('a')] }), [apt]);
    expect(results[0]).toMatchObject({ outcome: 'failed', detail: 'not handled on this machine', durationMs: 0 });
    expect(apt.installed).toEqual(['a']);
  });

  it('the agent stopping during the wait for the window: nothing starts', async () => {
    const clock = new ManualClock(T0 - 600_000);
    const stop = new AbortController();
    clock.setTimeout(() => stop.abort(), 60_000);
    const apt = standIn(clock);
    const { results } = await drive(clock, plan(), [apt], stop.signal);
    expect(results.map((r) => r.outcome)).toEqual(['not_started', 'not_started']);
    expect(clock.now()).toBeLessThan(T0);
  });

  it.each([
    ['never', { mode: 'never' }, true, 0, { rebootRequired: true, rebooted: false }],
    ['if_required, pending', { mode: 'if_required' }, true, 0, { rebootRequired: true, rebooted: true }],
    ['if_required, nothing pending', { mode: 'if_required' }, false, 0, { rebootRequired: false, rebooted: false }],
    ['warn, pending', { mode: 'warn', warnMinutes: 15, message: 'Restart in 15 minutes' }, true, 0, { rebootRequired: true, rebooted: true }],
    [
      'warn, pending, window closed by then',
      { mode: 'warn', warnMinutes: 15, message: 'm' },
      true,
      120_000,
      { rebootRequired: true, rebooted: false, rebootDetail: 'the window had closed' },
    ],
  ] as const)('reboot %s', async (_name, reboot, pending, windowEndMs, expected) => {
    const clock = new ManualClock(T0);
    const apt = standIn(clock, { pending });
    const p = plan({ reboot: reboot as RebootPolicy, ...(windowEndMs ? { windowEnd: T0 + windowEndMs } : {}) });
    const { summary } = await drive(clock, p, [apt]);
    expect(summary).toMatchObject(expected);
    expect(apt.reboots).toEqual(expected.rebooted ? [reboot] : []);
  });

  it('hands the results to the pipeline before the reboot command; a refused reboot is corrected at the same time', async () => {
    const clock = new ManualClock(T0);
    const order: string[] = [];
    const delivered: { rebooted: unknown; detail: unknown; time: number | undefined; points: number }[] = [];
    const apt = standIn(clock, { pending: true });
    const reboot = apt.reboot;
    apt.reboot = async (policy, ctx) => (order.push('reboot'), reboot(policy, ctx));
    const deliver = (samples: import('../../../agent/src/sample.js').SampleDraft[]) => {
      order.push('deliver');
      delivered.push({ rebooted: samples[0]!.fields.rebooted, detail: samples[0]!.fields.reboot_detail, time: samples[0]!.time, points: samples.length });
    };
    const running = runPatchPlan(plan({ reboot: { mode: 'if_required' } }), {
      installers: [apt],
      log: recordingLogger(),
      now: clock.now,
      timers: clock,
      deliver,
    });
    for (let i = 0; i < 100; i++) await clock.advance(10_000);
    await running;
    expect(order).toEqual(['deliver', 'reboot']);
    expect(delivered).toEqual([{ rebooted: true, detail: undefined, time: T0 + 120_000, points: 3 }]);

    const failing = standIn(clock, { pending: true, rebootFails: true });
    const second: typeof delivered = [];
    const again = runPatchPlan(plan({ reboot: { mode: 'if_required' }, windowEnd: clock.now() + 3_600_000, windowStart: clock.now() }), {
      installers: [failing],
      log: recordingLogger(),
      now: clock.now,
      timers: clock,
      deliver: (samples) =>
        void second.push({ rebooted: samples[0]!.fields.rebooted, detail: samples[0]!.fields.reboot_detail, time: samples[0]!.time, points: samples.length }),
    });
    for (let i = 0; i < 100; i++) await clock.advance(10_000);
    const outcome = await again;
    expect(second).toEqual([
      { rebooted: true, detail: undefined, time: outcome.samples[0]!.time, points: 3 },
      { rebooted: false, detail: 'shutdown: Failed to schedule', time: outcome.samples[0]!.time, points: 1 },
    ]);
  });

  it('a failing reboot command is reported, not thrown', async () => {
    const clock = new ManualClock(T0);
    const { summary, samples } = await drive(clock, plan({ reboot: { mode: 'if_required' } }), [standIn(clock, { pending: true, rebootFails: true })]);
    expect(summary).toMatchObject({ rebooted: false, rebootDetail: 'shutdown: Failed to schedule' });
    expect(samples[0]!.fields.reboot_detail).toBe('shutdown: Failed to schedule');
  });
});
