// The contract of a rule kind: how one kind of condition reads samples (or the clock) and says, per instance,
// whether it holds. Kinds are plugins listed in kinds/index.ts; the engine calls them and keeps all alert state.
import type { TObject } from '@sinclair/typebox';
import type { HostFacts, Impact, Observation, Role, RuleSample } from '../contract.js';

/** The keys every rule has, whatever its kind (YAML names in brackets). */
export interface RuleCommon {
  /** Slug, ^[a-z][a-z0-9_]*$: the ticket key (tenant, agent, rule) and the handle for overrides. */
  id: string;
  kind: string;
  title: string;
  description?: string;
  enabled: boolean;
  /** [for] How long the condition must hold before the alert fires (pending until then). */
  forMs: number;
  /** [keep_firing_for] How long a cleared condition keeps firing: flap damping. */
  keepFiringForMs: number;
  /** [on_clear] What a clear does to the ticket; undefined: the tenant's terms decide. */
  onClear?: 'resolve' | 'note';
  /** [impact] The rule's impact; kinds with levels let a level override it. */
  impact?: Impact;
  /** [roles] Only hosts of these roles (undefined: every host). Applied once, by the registry's wrapper. */
  roles?: readonly Role[];
}

export type Rule = RuleCommon;

export interface RuleKind<R extends Rule = Rule> {
  /** TypeBox schema of the kind's own keys (merged with the common rule keys by the loader). */
  schema: TObject;
  /** Builds the typed rule from validated YAML (parse durations etc.); throws ConfigError(`${path}.key: ...`). */
  compile(raw: Record<string, unknown>, common: RuleCommon, path: string): R;
  /** Measurements whose samples this rule reads (the engine only calls observe with these). Empty for tick-only kinds. */
  measurements(rule: R): readonly string[];
  /** One host's samples from one batch (already filtered to measurements(rule), in time order). */
  observe?(rule: R, samples: readonly RuleSample[], ctx: ObserveContext): Observation[];
  /** Called periodically (every few seconds) for time-driven conditions (absence, quiet periods, sliding windows). */
  tick?(rule: R, ctx: TickContext): TickObservation[];
}

export interface ObserveContext {
  host: HostFacts;
  /** Whether this rule's alert for the instance is currently pending or firing, and at which level (for hysteresis). */
  current(instance: string): { active: boolean; level: string } | undefined;
  /** Scratch memory the engine keeps per (rule, tenant, agent) between calls, in memory only (lost on restart). */
  memory: Map<string, unknown>;
}

export interface TickContext {
  now: number;
  /** When this collector process started: silence before it is not the agents' fault. */
  startedAt: number;
  /** Every enrolled, not revoked agent, with its facts and when the collector last heard from it (null: never). */
  hosts: Iterable<{ facts: HostFacts; lastSeenAt: number | null }>;
  /** The rule's currently pending/firing alerts, with the time of their last active observation. */
  active: Iterable<{ tenant: string; host: string; instance: string; level: string; lastActiveAt: number }>;
  memory(tenant: string, host: string): Map<string, unknown>;
}

export interface TickObservation {
  tenant: string;
  host: string;
  observation: Observation;
}
