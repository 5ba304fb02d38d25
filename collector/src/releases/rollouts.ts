// Staged rollouts (`updates.file`): which release each tenant's agents should run, to whom first.
//
//   rollouts:
//     - tenant: "*"                 # every tenant without an entry of its own
//       version: 0.2.0
//       percent: 10                 # of the tenant's agents, picked by a stable hash of the agent id
//     - tenant: acme                # an exact tenant beats "*"
//       version: 0.2.0
//       hosts: ["it-*", "ws-0042"]  # a pilot group: gets it whatever the percent (globs, case-insensitive)
//       percent: 25                 # default: 0 with hosts (pilot only), else 100
//       rollback_seconds: 900       # the new version must connect within this long, else the agent rolls back
//
// Selection is pure (selects): an agent is in when its host matches a pilot glob, or its bucket (a number in
// [0, 100) from the SHA-256 of its id, the same for every release) is below the percent. Raising the percent only
// adds agents: the ones already selected stay selected.
import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigError } from '../errors.js';
import { hostMatcher } from '../alerting/rules/host-match.js';
import { VERSION_PATTERN } from './versions.js';
import { firstSchemaError } from '../config/schema-errors.js';
import { readYamlFile } from '../config/yaml-file.js';

export const DEFAULT_ROLLBACK_SECONDS = 900;
const MIN_ROLLBACK_SECONDS = 30;
const MAX_ROLLBACK_SECONDS = 86_400;
export const ANY_TENANT = '*';

const EntrySchema = Type.Object(
  {
    tenant: Type.String({ pattern: '^(\\*|[a-z0-9][a-z0-9-]{0,62})$', expected: 'a tenant id, or "*" for every tenant without its own entry' }),
    version: Type.String({ pattern: VERSION_PATTERN, maxLength: 64, expected: 'a release version like 1.2.3 (a directory of releases.dir)' }),
    hosts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { description: "pilot host names or globs ('*'), selected first" })),
    percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'share of the other agents selected (default: 0 with hosts, else 100)' })),
    rollback_seconds: Type.Optional(Type.Integer({ minimum: MIN_ROLLBACK_SECONDS, maximum: MAX_ROLLBACK_SECONDS })),
  },
  { additionalProperties: false },
);

const FileSchema = Type.Object({ rollouts: Type.Array(EntrySchema, { default: [] }) }, { additionalProperties: false });

export interface Rollout {
  tenant: string;
  version: string;
  hosts: readonly string[];
  percent: number;
  rollbackSeconds: number;
  /** Whether a host name is in the pilot group. */
  isPilot(hostname: string): boolean;
}

export interface RolloutSet {
  /** In file order. */
  entries: readonly Rollout[];
  /** The tenant's own entry, else the "*" entry, else null. */
  forTenant(tenant: string): Rollout | null;
}

export const NO_ROLLOUTS: RolloutSet = { entries: [], forTenant: () => null };

export type Selection = 'pilot' | 'percent' | null;

/** The agent's place in [0, 100): the first 32 bits of SHA-256 of its id, scaled. */
export function rolloutBucket(agentId: string): number {
  return (createHash('sha256').update(agentId, 'utf8').digest().readUInt32BE(0) / 2 ** 32) * 100;
}

/** Why the rollout selects this agent, or null. */
export function selects(rollout: Rollout, agent: { id: string; hostname: string }): Selection {
  if (rollout.isPilot(agent.hostname)) return 'pilot';
  return rolloutBucket(agent.id) < rollout.percent ? 'percent' : null;
}

function toRollout(entry: Static<typeof EntrySchema>): Rollout {
  const hosts = entry.hosts ?? [];
  const match = hostMatcher(hosts.map((pattern) => ({ pattern, value: true })));
  return {
    tenant: entry.tenant,
    version: entry.version,
    hosts,
    percent: entry.percent ?? (hosts.length > 0 ? 0 : 100),
    rollbackSeconds: entry.rollback_seconds ?? DEFAULT_ROLLBACK_SECONDS,
    isPilot: (hostname) => hosts.length > 0 && match(hostname) !== undefined,
  };
}

/** Validates a parsed updates file; throws ConfigError naming the file and the path (rollouts[2].percent). */
export function checkRollouts(doc: unknown, file: string): RolloutSet {
  const value = Value.Default(FileSchema, doc ?? {});
  const error = firstSchemaError(FileSchema, value);
  if (error) throw new ConfigError(`${file}: ${error}`);
  const entries = (value as Static<typeof FileSchema>).rollouts;
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const earlier = seen.get(entry.tenant);
    if (earlier !== undefined) throw new ConfigError(`${file}: rollouts[${i}].tenant: "${entry.tenant}" already has rollouts[${earlier}]`);
    seen.set(entry.tenant, i);
  });
  const rollouts = entries.map(toRollout);
  const byTenant = new Map(rollouts.map((r) => [r.tenant, r]));
  return { entries: rollouts, forTenant: (tenant) => byTenant.get(tenant) ?? byTenant.get(ANY_TENANT) ?? null };
}

/** Reads `updates.file`; empty: no rollouts. Throws ConfigError naming the file. */
export function loadRollouts(file: string): RolloutSet {
  if (!file) return NO_ROLLOUTS;
  return checkRollouts(readYamlFile(file, 'updates.file'), file);
}
