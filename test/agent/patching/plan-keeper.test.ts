// The agent's keeper of the collector's plans (patching/plan-keeper.ts) over a real state directory: a plan is kept
// across a restart and run at its window, a completed one never runs twice, a refused one is reported and runs
// nothing, a withdrawn one is dropped. The installer is a stand-in that records what it was asked to install (the
// real apt installer under a plan is in linux/apt-root.test.ts and test/e2e/patch-plan.test.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Installer } from '../../../agent/src/patching/installer.js';
import { createPlanKeeper, planFromWire, type PlanKeeper } from '../../../agent/src/patching/plan-keeper.js';
import type { SampleDraft } from '../../../agent/src/sample.js';
import { Int } from '../../../agent/src/sample.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { recordingLogger } from '../helpers/recording-log.js';

const T0 = 1_700_000_000_000;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const wirePlan = (planId: string, startMs = T0 + 600_000) => ({
  planId,
  windowStartMs: startMs,
  windowEndMs: startMs + 3_600_000,
  reboot: { mode: 'never' },
  items: [{ id: 'openssl', manager: 'apt', title: 'openssl 3.0.15' }],
});

function setup(stateDir = mkdtempSync(join(tmpdir(), 'wp-keeper-')), clock = new ManualClock(T0)) {
  if (!dirs.includes(stateDir)) dirs.push(stateDir);
  const installed: string[] = [];
  const reported: SampleDraft[] = [];
  const installer: Installer = {
    managers: ['apt'],
    install: async (items) => items.map((i) => (installed.push(i.id), { ...i, outcome: 'installed', rebootRequired: false, durationMs: 0 })),
    rebootPending: async () => false,
    reboot: async () => undefined,
  };
  const keeper: PlanKeeper = createPlanKeeper({
    stateDir,
    log: recordingLogger(),
    installers: async () => [installer],
    report: (s) => void reported.push(...s),
    now: clock.now,
    timers: clock,
  });
  return { keeper, installed, reported, stateDir, clock };
}

const settle = async (clock: ManualClock, ms: number) => {
  for (let t = 0; t < ms; t += 10_000) await clock.advance(10_000);
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('the plan keeper', () => {
  it('keeps an accepted plan on disk, resumes it after a restart and runs it at the window; never twice', async () => {
    const first = setup();
    first.keeper.start();
    first.keeper.receive(planFromWire(wirePlan('pl_a')));
    expect(JSON.parse(readFileSync(join(first.stateDir, 'patching/plan.json'), 'utf8'))).toMatchObject({ planId: 'pl_a' });
    await first.keeper.stop(); // the agent restarts before the window

    const second = setup(first.stateDir, first.clock);
    second.keeper.start();
    await settle(second.clock, 540_000);
    expect(second.installed).toEqual([]);
    await settle(second.clock, 120_000);
    expect(second.installed).toEqual(['openssl']);
    expect(second.reported.map((s) => s.measurement)).toEqual(['patch_run', 'patch_result']);
    expect(existsSync(join(second.stateDir, 'patching/plan.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(second.stateDir, 'patching/completed.json'), 'utf8'))).toEqual(['pl_a']);

    // Re-sent after a reconnect, or after another restart: ignored.
    second.keeper.receive(planFromWire(wirePlan('pl_a', second.clock.now())));
    await settle(second.clock, 60_000);
    const third = setup(second.stateDir, second.clock);
    third.keeper.start();
    third.keeper.receive(planFromWire(wirePlan('pl_a', third.clock.now())));
    await settle(third.clock, 60_000);
    expect([...second.installed, ...third.installed]).toEqual(['openssl']);
  });

  it('refuses an invalid plan whole: one patch_run point with the reason, nothing installed or kept', async () => {
    const { keeper, installed, reported, stateDir, clock } = setup();
    const bad = wirePlan('pl_bad', T0);
    bad.items.push({ id: '--force-yes', manager: 'apt', title: 'x' });
    keeper.receive(planFromWire(bad));
    await settle(clock, 60_000);
    expect(installed).toEqual([]);
    expect(existsSync(join(stateDir, 'patching/plan.json'))).toBe(false);
    expect(reported).toEqual([
      {
        measurement: 'patch_run',
        time: T0,
        fields: expect.objectContaining({
          plan_id: 'pl_bad',
          approved: new Int(2),
          not_started: new Int(2),
          refused: 'items[1].id: not a valid apt id: "--force-yes"',
        }),
      },
    ]);
  });

  it('a new plan for a window whose run already ended leaves out what that run attempted, also after a restart', async () => {
    const first = setup();
    const start = T0 + 600_000;
    first.keeper.receive(
      planFromWire({
        ...wirePlan('pl_1', start),
        items: [
          { id: 'openssl', manager: 'apt', title: 'openssl' },
          { id: 'curl', manager: 'apt', title: 'curl' },
        ],
      }),
    );
    await settle(first.clock, 660_000);
    expect(first.installed).toEqual(['openssl', 'curl']);
    // The collector's next plan for the same window (a listing taken during the run reached it first): curl again.
    first.keeper.receive(planFromWire({ ...wirePlan('pl_2', start), items: [{ id: 'curl', manager: 'apt', title: 'curl' }] }));
    await settle(first.clock, 60_000);
    expect(first.installed).toEqual(['openssl', 'curl']);
    expect(first.reported.filter((r) => r.measurement === 'patch_run')).toHaveLength(1);
    await first.keeper.stop();

    // After a restart, in the same window: only the item not attempted yet runs; in the next window curl is retried.
    const second = setup(first.stateDir, first.clock);
    second.keeper.start();
    second.keeper.receive(
      planFromWire({
        ...wirePlan('pl_3', start),
        items: [
          { id: 'curl', manager: 'apt', title: 'curl' },
          { id: 'zlib1g', manager: 'apt', title: 'zlib' },
        ],
      }),
    );
    await settle(second.clock, 60_000);
    expect(second.installed).toEqual(['zlib1g']);
    second.keeper.receive(planFromWire({ ...wirePlan('pl_4', start + 86_400_000), items: [{ id: 'curl', manager: 'apt', title: 'curl' }] }));
    await settle(second.clock, 86_400_000 - 120_000 + 60_000);
    expect(second.installed).toEqual(['zlib1g', 'curl']);
  });

  it('the empty plan withdraws a waiting plan', async () => {
    const { keeper, installed, stateDir, clock } = setup();
    keeper.receive(planFromWire(wirePlan('pl_w')));
    keeper.receive(planFromWire({ planId: '' }));
    expect(existsSync(join(stateDir, 'patching/plan.json'))).toBe(false);
    await settle(clock, 900_000);
    expect(installed).toEqual([]);
  });
});
