// antivirus: the protection products of a host, judged one antivirus run at a time. `check` picks the condition:
//   disabled         a product is off, snoozed or expired (or enabled=false without a state) while no other product
//                    of the run is on or unknown. Instance = product. (Windows keeps Defender registered, off, beside
//                    an active third-party AV: that is normal, hence "no other product".)
//   passive_alone    some product is passive and none is on or unknown (e.g. Defender left in passive mode after the
//                    third-party AV was removed). Instance ''.
//   definitions_old  signature_age_days > max_age_days (default 3) for a product that is not disabled. Instance =
//                    product.
//   firewall_app     a firewall_products point with third_party=true (contracts that forbid personal firewall apps).
//                    Instance = product.
// State 'unknown' (ClamAV, XProtect, AV found among installed programs on Windows Server) may be protecting, so it
// never counts as disabled or passive. The agent sets `enabled` = (state == on) everywhere, so `enabled` alone would
// call a passive Defender disabled: the state decides, enabled only when a point has no state.
//
// One run = the points with the same time. Checked in agent/src/probes/antivirus/antivirus.ts and agent/src/scheduler/scheduler.ts:
// the antivirus probe sets no time on its points (antivirus and firewall_products alike), so the scheduler's
// completeSamples stamps all of one run with the run's start. A run reaches the collector in one batch unless it
// straddles the agent's 1000-sample batch limit; then each part is judged alone until the next run (hourly).
// A product that a later run no longer reports (uninstalled) clears its alert on the tick.
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../../../errors.js';
import type { Impact, Observation, RuleSample } from '../../contract.js';
import { formatNumber, requireImpact } from '../common.js';
import type { RuleCommon, RuleKind, TickObservation } from '../kind.js';

const DEFAULT_MAX_AGE_DAYS = 3;
const LAST_RUN_KEY = 'antivirus.last_run';
const LEVEL = 'default';
const OFF_STATES: ReadonlySet<unknown> = new Set(['off', 'snoozed', 'expired']);

const CHECKS = ['disabled', 'passive_alone', 'definitions_old', 'firewall_app'] as const;
type Check = (typeof CHECKS)[number];

const schema = Type.Object({
  check: Type.Union(CHECKS.map((c) => Type.Literal(c))),
  max_age_days: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'definitions_old: days (default 3)' })),
});

export interface AntivirusRule extends RuleCommon {
  kind: 'antivirus';
  impact: Impact;
  check: Check;
  maxAgeDays: number;
}

/** What the newest run said, per host: products this check judged (for the tick's "no longer reported"). */
interface LastRun {
  at: number;
  judged: ReadonlySet<string>;
}

const product = (s: RuleSample): string => s.tags.product ?? 'unknown';
const state = (s: RuleSample): string => (typeof s.fields.state === 'string' ? s.fields.state : s.fields.enabled === false ? 'off' : 'unknown');
const isDisabled = (s: RuleSample): boolean => OFF_STATES.has(s.fields.state) || (s.fields.state === undefined && s.fields.enabled === false);
const mayProtect = (s: RuleSample): boolean =>
  s.fields.state === 'on' || s.fields.state === 'unknown' || (s.fields.state === undefined && s.fields.enabled !== false);
const listed = (run: readonly RuleSample[]): string => run.map((s) => `${product(s)} (${state(s)})`).join(', ');

interface Run {
  at: number;
  av: RuleSample[];
  fw: RuleSample[];
}

function runs(samples: readonly RuleSample[]): Run[] {
  const byTime = new Map<number, Run>();
  for (const s of samples) {
    let run = byTime.get(s.time);
    if (!run) byTime.set(s.time, (run = { at: s.time, av: [], fw: [] }));
    if (s.measurement === 'antivirus') run.av.push(s);
    else if (s.measurement === 'firewall_products') run.fw.push(s);
  }
  return [...byTime.values()];
}

type Judgement = { instance: string; active: boolean; value?: number | string | boolean; summary: string };

/** Per check: what one run says, or null when the run says nothing about it. */
const JUDGE: Record<Check, (rule: AntivirusRule, run: Run) => Judgement[] | null> = {
  disabled: (_rule, run) =>
    run.av.map((p) => {
      const alone = !run.av.some((q) => q !== p && mayProtect(q));
      const active = isDisabled(p) && alone;
      return { instance: product(p), active, value: state(p), summary: `${product(p)} is ${state(p)}${active ? ' and no other antivirus is active' : ''}` };
    }),
  passive_alone: (_rule, run) => {
    if (run.av.length === 0) return null;
    const active = run.av.some((s) => s.fields.state === 'passive') && !run.av.some(mayProtect);
    return [{ instance: '', active, summary: active ? `only passive protection: ${listed(run.av)}` : `protection: ${listed(run.av)}` }];
  },
  definitions_old: (rule, run) =>
    run.av.flatMap((p) => {
      const age = p.fields.signature_age_days;
      if (typeof age !== 'number') return [];
      const active = !isDisabled(p) && age > rule.maxAgeDays;
      return [
        {
          instance: product(p),
          active,
          value: age,
          summary: `${product(p)} definitions ${formatNumber(age)} days old${active ? ` (max ${rule.maxAgeDays})` : ''}`,
        },
      ];
    }),
  // Firewall products come only from Security Center: a run without it (Windows Server, a failed query) says nothing.
  firewall_app: (_rule, run) => {
    if (run.fw.length === 0 && !run.av.some((s) => s.fields.source === 'securitycenter')) return null;
    return run.fw.map((f) => {
      const active = f.fields.third_party === true;
      return {
        instance: product(f),
        active,
        summary: active ? `third-party firewall registered: ${product(f)} (${state(f)})` : `${product(f)} is not a third-party firewall`,
      };
    });
  },
};

export const antivirus: RuleKind<AntivirusRule> = {
  schema,
  compile(raw, common, path) {
    const r = raw as Static<typeof schema>;
    if (r.max_age_days !== undefined && r.check !== 'definitions_old') throw new ConfigError(`${path}.max_age_days: only for check definitions_old`);
    return { ...common, kind: 'antivirus', impact: requireImpact(common, path), check: r.check, maxAgeDays: r.max_age_days ?? DEFAULT_MAX_AGE_DAYS };
  },
  measurements: (rule) => (rule.check === 'firewall_app' ? ['antivirus', 'firewall_products'] : ['antivirus']),
  observe(rule, samples, ctx) {
    const out: Observation[] = [];
    for (const run of runs(samples)) {
      const judged = JUDGE[rule.check](rule, run);
      if (judged === null) continue;
      for (const j of judged) out.push({ ...j, level: LEVEL, impact: rule.impact, at: run.at });
      const last = ctx.memory.get(LAST_RUN_KEY) as LastRun | undefined;
      if (!last || last.at < run.at) ctx.memory.set(LAST_RUN_KEY, { at: run.at, judged: new Set(judged.map((j) => j.instance)) } satisfies LastRun);
    }
    return out;
  },
  tick(rule, ctx) {
    const out: TickObservation[] = [];
    for (const a of ctx.active) {
      const last = ctx.memory(a.tenant, a.host).get(LAST_RUN_KEY) as LastRun | undefined;
      if (!last || last.at <= a.lastActiveAt || last.judged.has(a.instance)) continue;
      const summary = `${a.instance || 'antivirus'} no longer reported`;
      out.push({
        tenant: a.tenant,
        host: a.host,
        observation: { instance: a.instance, active: false, level: LEVEL, impact: rule.impact, at: ctx.now, summary },
      });
    }
    return out;
  },
};
