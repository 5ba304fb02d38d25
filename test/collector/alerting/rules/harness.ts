// A minimal stand-in for the engine's side of the rule-kind contract, so kind tests read as timelines: it compiles a
// rule through the real loader, calls the kind through the real registry (with its roles filter), and remembers
// per instance what the last observation said (current(), the tick's `active`), ignoring observations not newer
// than the previous one as the engine does. `for` and keep_firing_for are the state machine's business: not here.
import { stringify } from 'yaml';
import type { HostFacts, Observation, RuleSample } from '../../../../collector/src/alerting/contract.js';
import { kindOf, type CompiledRule } from '../../../../collector/src/alerting/rules/kinds/index.js';
import { loadRules, parseRules } from '../../../../collector/src/alerting/rules/rules-file.js';
import type { TickObservation } from '../../../../collector/src/alerting/rules/kind.js';

export const T0 = Date.UTC(2026, 0, 5, 10, 0, 0); // a Monday, 10:00 UTC
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const at = (minutes: number) => T0 + minutes * MIN;

/** One rule from YAML-shaped keys, through parseRules (no defaults below it). */
export function ruleFrom(raw: Record<string, unknown>): CompiledRule {
  const set = parseRules(stringify({ rules: [raw] }), 'test.yaml');
  const rule = set.rule('t', 'h', String(raw.id));
  if (!rule) throw new Error(`rule ${String(raw.id)} did not compile as enabled`);
  return rule;
}

const shipped = loadRules();
/** A rule of the shipped default pack. */
export function shippedRule(id: string): CompiledRule {
  const rule = shipped.rule('t', 'h', id);
  if (!rule) throw new Error(`no shipped rule ${id}`);
  return rule;
}

export const facts = (over: Partial<HostFacts> = {}): HostFacts => ({
  tenant: 't',
  host: 'h',
  agentId: 'a1',
  role: 'server',
  critical: false,
  tags: [],
  ...over,
});

export function sample(measurement: string, time: number, tags: Record<string, string>, fields: Record<string, number | string | boolean>): RuleSample {
  return { measurement, tags, fields, time };
}

interface Known {
  active: boolean;
  level: string;
  lastActiveAt: number | null;
  lastAt: number;
}

export class Harness {
  readonly state = new Map<string, Known>();
  readonly memories = new Map<string, Map<string, unknown>>();

  constructor(
    readonly rule: CompiledRule,
    readonly host: HostFacts = facts(),
  ) {}

  private memory(tenant: string, host: string): Map<string, unknown> {
    const key = `${tenant}|${host}`;
    let m = this.memories.get(key);
    if (!m) this.memories.set(key, (m = new Map()));
    return m;
  }

  private apply(tenant: string, host: string, obs: Observation): void {
    const key = `${tenant}|${host}|${obs.instance}`;
    const prev = this.state.get(key);
    if (prev && obs.at <= prev.lastAt) return;
    this.state.set(key, {
      active: obs.active,
      level: obs.active ? obs.level : (prev?.level ?? obs.level),
      lastActiveAt: obs.active ? obs.at : (prev?.lastActiveAt ?? null),
      lastAt: obs.at,
    });
  }

  /** One batch: what the kind observed (only samples of the rule's measurements reach it, in time order). */
  observe(samples: readonly RuleSample[], host: HostFacts = this.host): Observation[] {
    const kind = kindOf(this.rule);
    const wanted = new Set(kind.measurements(this.rule));
    const relevant = samples.filter((s) => wanted.has(s.measurement)).sort((a, b) => a.time - b.time);
    if (!kind.observe || relevant.length === 0) return [];
    const current = (instance: string) => {
      const k = this.state.get(`${host.tenant}|${host.host}|${instance}`);
      return k ? { active: k.active, level: k.level } : undefined;
    };
    const out = kind.observe(this.rule, relevant, { host, current, memory: this.memory(host.tenant, host.host) });
    for (const o of out) this.apply(host.tenant, host.host, o);
    return out;
  }

  tick(now: number, options: { startedAt?: number; hosts?: { facts: HostFacts; lastSeenAt: number | null }[] } = {}): TickObservation[] {
    const kind = kindOf(this.rule);
    if (!kind.tick) return [];
    const active = [...this.state]
      .filter(([, k]) => k.active)
      .map(([key, k]) => {
        const [tenant, host, instance] = key.split('|') as [string, string, string];
        return { tenant, host, instance, level: k.level, lastActiveAt: k.lastActiveAt! };
      });
    const out = kind.tick(this.rule, {
      now,
      startedAt: options.startedAt ?? T0 - DAY,
      hosts: options.hosts ?? [{ facts: this.host, lastSeenAt: now }],
      active,
      memory: (tenant, host) => this.memory(tenant, host),
    });
    for (const t of out) this.apply(t.tenant, t.host, t.observation);
    return out;
  }

  /** Forgets scratch memory, as a collector restart does (alert state survives: the engine persists it). */
  restart(): void {
    this.memories.clear();
  }
}

/** The parts of an observation a timeline row checks. */
export const brief = (o: Observation) => ({ instance: o.instance, active: o.active, level: o.level, at: o.at });
