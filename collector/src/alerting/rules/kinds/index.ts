// The one registry of rule kinds: a rule's `kind` is a key of RULE_KINDS, its file here is kinds/<key>.ts. Adding a
// kind is one file plus one line below; the loader and the engine never switch on the kind.
import type { HostFacts } from '../../contract.js';
import type { Rule, RuleKind } from '../kind.js';
import { absence, type AbsenceRule } from './absence.js';
import { antivirus, type AntivirusRule } from './antivirus.js';
import { event, type EventRule } from './event.js';
import { event_count, type EventCountRule } from './event_count.js';
import { metric, type MetricRule } from './metric.js';
import { patch, type PatchRule } from './patch.js';

/** Whether a rule watches this host (its `roles`, if any). */
export const appliesTo = (rule: Rule, host: HostFacts): boolean => rule.roles === undefined || rule.roles.includes(host.role);

/**
 * The `roles` filter, applied here once for every kind: observe sees only hosts of the rule's roles, tick only
 * lists those hosts (its `active` alerts stay complete, so a kind can clear an alert whose host left the rule).
 */
function byRole<R extends Rule>(kind: RuleKind<R>): RuleKind<R> {
  const { observe, tick } = kind;
  return {
    ...kind,
    ...(observe ? { observe: (rule, samples, ctx) => (appliesTo(rule, ctx.host) ? observe(rule, samples, ctx) : []) } : {}),
    ...(tick
      ? {
          tick: (rule, ctx) => {
            if (rule.roles === undefined) return tick(rule, ctx);
            const hosts = [...ctx.hosts].filter((h) => appliesTo(rule, h.facts));
            return tick(rule, { now: ctx.now, startedAt: ctx.startedAt, hosts, active: ctx.active, memory: (t, h) => ctx.memory(t, h) });
          },
        }
      : {}),
  };
}

export const RULE_KINDS = {
  metric: byRole(metric),
  event: byRole(event),
  event_count: byRole(event_count),
  absence: byRole(absence),
  antivirus: byRole(antivirus),
  patch: byRole(patch),
} as const satisfies Record<string, RuleKind>;

export type RuleKindName = keyof typeof RULE_KINDS;

type RuleOf<K extends RuleKindName> = (typeof RULE_KINDS)[K] extends RuleKind<infer R> ? R : never;

/** A compiled rule of any kind; `kind` tells which (and so which RULE_KINDS entry takes it). */
export type CompiledRule = { [K in RuleKindName]: RuleOf<K> & { kind: K } }[RuleKindName];
export type { AbsenceRule, AntivirusRule, EventCountRule, EventRule, MetricRule, PatchRule };

export const isRuleKindName = (name: unknown): name is RuleKindName => typeof name === 'string' && Object.hasOwn(RULE_KINDS, name);

/** A kind by name, typed for calls with any compiled rule (the one cast, so callers need none). */
export const kindNamed = (name: RuleKindName): RuleKind<CompiledRule> => RULE_KINDS[name] as unknown as RuleKind<CompiledRule>;

/** The kind of a compiled rule: `kindOf(rule).observe?.(rule, samples, ctx)`. */
export const kindOf = (rule: CompiledRule): RuleKind<CompiledRule> => kindNamed(rule.kind);
