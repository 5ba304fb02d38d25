// The central probe policy as the agent keeps it: the last one a collector sent (in Welcome or a Policy frame),
// saved in <stateDir>/policy.json so a restart without a collector still runs the same schedules.
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../identity/state.js';
import type { Probe } from '../probes/probe.js';
import type { Schedule } from './scheduler.js';

export const POLICY_FILE = 'policy.json';

export interface ProbeSetting {
  name: string;
  /** A cron expression; empty: the probe's own default. */
  schedule: string;
  disabled: boolean;
}

export interface AgentPolicy {
  probes: ProbeSetting[];
}

export const NO_POLICY: AgentPolicy = { probes: [] };

/** The wire form (optional fields, nulls) normalised. */
export function fromWire(probes: readonly { name?: string | null; schedule?: string | null; disabled?: boolean | null }[]): AgentPolicy {
  return {
    probes: probes
      .filter((p) => p.name)
      .map((p) => ({ name: p.name!, schedule: p.schedule ?? '', disabled: p.disabled ?? false }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), // code-unit order: localeCompare would load ICU's collation data
  };
}

export const samePolicy = (a: AgentPolicy, b: AgentPolicy): boolean => JSON.stringify(a) === JSON.stringify(b);

export function loadPolicy(stateDir: string): AgentPolicy {
  return readJson<AgentPolicy>(join(stateDir, POLICY_FILE)) ?? NO_POLICY;
}

export function savePolicy(stateDir: string, policy: AgentPolicy): void {
  writeJsonAtomic(join(stateDir, POLICY_FILE), policy, 0o644);
}

/**
 * What the scheduler runs under a policy: disabled probes left out, central schedules where set, the probe's own
 * default elsewhere, and `--every` (a person at the console) above everything.
 */
export function applyPolicy(probes: readonly Probe[], policy: AgentPolicy, everyMs?: number): { probes: Probe[]; schedules: Record<string, Schedule> } {
  const settings = new Map(policy.probes.map((p) => [p.name, p]));
  const kept = probes.filter((p) => !settings.get(p.name)?.disabled);
  const schedules: Record<string, Schedule> = {};
  for (const probe of kept) {
    const central = settings.get(probe.name)?.schedule;
    if (everyMs) schedules[probe.name] = { everyMs };
    else if (central) schedules[probe.name] = { cron: central };
  }
  return { probes: kept, schedules };
}
