// The shipped patch rules (collector/data/rules.yaml patch_failed, patch_reboot_pending): `patch` rules over the
// points an agent's patch run sends (agent/src/patching/report.ts), stepped as timelines. The whole path (compiled
// agent -> collector -> ticket) is in test/e2e/patch-plan.test.ts.
import { describe, expect, it } from 'vitest';
import { at, brief, Harness, sample, shippedRule } from './harness.js';

const result = (minute: number, id: string, outcome: string, extra: Record<string, number | string | boolean> = {}) =>
  sample(
    'patch_result',
    at(minute),
    { manager: 'apt', outcome },
    { plan_id: 'pl_1', id, title: `${id} 2.0`, reboot_required: false, duration_seconds: 3, ...extra },
  );
const run = (minute: number, rebootRequired: boolean, rebooted: boolean, detail?: string) =>
  sample('patch_run', at(minute), {}, { plan_id: 'pl_1', reboot_required: rebootRequired, rebooted, ...(detail ? { reboot_detail: detail } : {}) });

describe('patch: the shipped rules', () => {
  it('patch_failed: one alert per failed update, named in the summary; a later install clears it; not_started says nothing', () => {
    const rule = shippedRule('patch_failed');
    expect(rule).toMatchObject({ kind: 'patch', check: 'item_failed', impact: 'medium', onClear: 'note' });
    const h = new Harness(rule);
    const out = h.observe([
      result(0, 'openssl', 'installed'),
      result(0, 'charlie', 'failed', { code: 100, detail: 'E: Sub-process /usr/bin/dpkg returned an error code (1)' }),
      result(0, 'zlib1g', 'not_started'),
    ]);
    expect(out.filter((o) => o.active)).toEqual([
      {
        instance: 'charlie',
        active: true,
        level: 'default',
        impact: 'medium',
        value: 100,
        at: at(0),
        summary: 'apt charlie (charlie 2.0) failed to install (code 100): E: Sub-process /usr/bin/dpkg returned an error code (1)',
      },
    ]);
    expect(out.map((o) => o.instance)).not.toContain('zlib1g');
    expect(h.observe([result(60 * 24, 'charlie', 'installed')]).map(brief)).toEqual([
      { instance: 'charlie', active: false, level: 'default', at: at(60 * 24) },
    ]);
  });

  it('patch_reboot_pending: a run that left a reboot pending fires; a rebooted run or the probe seeing none clears it', () => {
    const rule = shippedRule('patch_reboot_pending');
    expect(rule).toMatchObject({ kind: 'patch', check: 'reboot_pending', impact: 'low' });
    const h = new Harness(rule);
    expect(h.observe([run(0, true, false, 'the window had closed')])).toEqual([
      { instance: '', active: true, level: 'default', impact: 'low', at: at(0), summary: 'updates of plan pl_1 wait for a reboot (the window had closed)' },
    ]);
    expect(h.observe([sample('patches', at(30), {}, { reboot_pending: true, pending: 0 })])).toEqual([]);
    expect(h.observe([sample('patches', at(240), {}, { reboot_pending: false, pending: 0 })]).map(brief)).toEqual([
      { instance: '', active: false, level: 'default', at: at(240) },
    ]);
    expect(h.observe([run(300, true, true)]).map((o) => o.active)).toEqual([false]);
  });
});
