// patch: what the agents' patch runs report (agent/src/patching/measurements.md). `check` picks the condition:
//   item_failed      a patch_result point with outcome failed. Instance = the item's id (the package, advisory, KB or
//                    label): one alert per update, all on the host's one ticket. A later run that installs it or finds
//                    nothing to install clears it.
//   reboot_pending   a patch_run point with reboot_required and not rebooted: installs wait for a reboot the policy did
//                    not allow (never), the window did not leave time for, or the OS refused. Instance ''. A later run
//                    that rebooted or needs none, or a patches point with reboot_pending false, clears it.
//
//   - id: patch_failed
//     kind: patch
//     check: item_failed
//     impact: medium
//
// Both fire at the point's own time and stay until one of the clearing points arrives: a failed update is not fixed
// by time passing, so there is no tick.
import { Type, type Static } from '@sinclair/typebox';
import type { Impact, Observation, RuleSample } from '../../contract.js';
import { requireImpact } from '../common.js';
import type { RuleCommon, RuleKind } from '../kind.js';

const LEVEL = 'default';
const CHECKS = ['item_failed', 'reboot_pending'] as const;
type Check = (typeof CHECKS)[number];

const schema = Type.Object({ check: Type.Union(CHECKS.map((c) => Type.Literal(c))) });

export interface PatchRule extends RuleCommon {
  kind: 'patch';
  impact: Impact;
  check: Check;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Per check: what one point says (null: nothing about this check). */
const JUDGE: Record<Check, (s: RuleSample) => { instance: string; active: boolean; summary: string; value?: number } | null> = {
  item_failed: (s) => {
    if (s.measurement !== 'patch_result' || text(s.fields.id) === '') return null;
    const outcome = s.tags.outcome ?? '';
    if (outcome !== 'failed' && outcome !== 'installed' && outcome !== 'not_applicable') return null; // not_started says nothing
    const id = text(s.fields.id);
    const what = `${s.tags.manager ?? 'update'} ${id}${text(s.fields.title) && text(s.fields.title) !== id ? ` (${text(s.fields.title)})` : ''}`;
    if (outcome !== 'failed') return { instance: id, active: false, summary: `${what}: ${outcome.replace('_', ' ')}` };
    const code = typeof s.fields.code === 'number' ? ` (code ${s.fields.code})` : '';
    const detail = text(s.fields.detail) ? `: ${text(s.fields.detail)}` : '';
    return {
      instance: id,
      active: true,
      summary: `${what} failed to install${code}${detail}`,
      ...(typeof s.fields.code === 'number' ? { value: s.fields.code } : {}),
    };
  },
  reboot_pending: (s) => {
    if (s.measurement === 'patches') {
      return s.fields.reboot_pending === false ? { instance: '', active: false, summary: 'no reboot pending' } : null;
    }
    if (s.measurement !== 'patch_run' || typeof s.fields.reboot_required !== 'boolean') return null;
    const active = s.fields.reboot_required && s.fields.rebooted !== true;
    const why = text(s.fields.reboot_detail) ? ` (${text(s.fields.reboot_detail)})` : ' (the reboot policy is never)';
    return { instance: '', active, summary: active ? `updates of plan ${text(s.fields.plan_id)} wait for a reboot${why}` : 'no reboot left pending' };
  },
};

export const patch: RuleKind<PatchRule> = {
  schema,
  compile(raw, common, path) {
    const r = raw as Static<typeof schema>;
    return { ...common, kind: 'patch', impact: requireImpact(common, path), check: r.check };
  },
  measurements: (rule) => (rule.check === 'item_failed' ? ['patch_result'] : ['patch_run', 'patches']),
  observe(rule, samples) {
    const out: Observation[] = [];
    for (const s of samples) {
      const j = JUDGE[rule.check](s);
      if (j) out.push({ ...j, level: LEVEL, impact: rule.impact, at: s.time });
    }
    return out;
  },
};
