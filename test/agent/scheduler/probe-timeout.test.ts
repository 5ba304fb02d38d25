// The optional Probe.timeoutMs (slow probes such as patches ask for more than the default): used when the
// scheduler's options name no timeout for the probe; `timeoutsMs[name]` still wins.
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../../agent/src/scheduler/scheduler.js';
import type { Probe } from '../../../agent/src/probes/probe.js';
import { execRunner } from '../../../agent/src/exec/runner.js';
import { ManualClock, settle } from '../helpers/manual-clock.js';

function hangingProbe(timeoutMs: number): { probe: Probe; signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const probe: Probe = { name: 'slow', schedule: '0 0 */4 * * *', timeoutMs, collect: (ctx) => (signals.push(ctx.signal), new Promise(() => {})) };
  return { probe, signals };
}

async function abortedAfter(probeTimeoutMs: number, advanceMs: number, timeoutsMs?: Record<string, number>): Promise<boolean> {
  const { probe, signals } = hangingProbe(probeTimeoutMs);
  const clock = new ManualClock();
  const silent = (): void => {};
  const scheduler = createScheduler({
    probes: [probe],
    host: 'h',
    tenant: 't',
    runner: execRunner,
    onSamples: silent,
    log: { info: silent, warn: silent, error: silent },
    now: clock.now,
    timers: clock,
    jitterMs: 0,
    triggers: () => ({ stop: silent }),
    timeoutMs: 1000,
    ...(timeoutsMs ? { timeoutsMs } : {}),
  });
  scheduler.start();
  await settle();
  await clock.advance(advanceMs);
  return signals[0]?.aborted ?? false;
}

describe('Probe.timeoutMs', () => {
  it('overrides the scheduler-wide timeoutMs', async () => {
    expect(await abortedAfter(5000, 4999)).toBe(false);
    expect(await abortedAfter(5000, 5000)).toBe(true);
  });

  it('yields to timeoutsMs for the probe', async () => {
    expect(await abortedAfter(5000, 2000, { slow: 2000 })).toBe(true);
  });
});
