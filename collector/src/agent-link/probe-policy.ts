// Central probe schedules: one YAML file (`policy.file`), fleet defaults, per tenant, overridable per host.
// The collector resolves an agent's policy when it says Hello and sends it in Welcome (and again to every live
// agent when the file is reloaded on SIGHUP); the agent keeps the last policy it received, so a restart without a
// collector still uses it.
//
//   probes:                       # every tenant
//     patches: { schedule: "0 0 */4 * * *" }
//   tenants:
//     acme:
//       probes: { eventlog: { schedule: "*/30 * * * * *" } }
//       hosts:
//         dc01: { probes: { patches: { disabled: true } } }
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import cron from 'node-cron';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { firstSchemaError } from '../config/schema-errors.js';
import type { watchpost } from '../../../proto/index.js';

const ProbeSettings = Type.Object(
  {
    schedule: Type.Optional(Type.String({ minLength: 1, description: 'node-cron expression (seconds field allowed)' })),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const ProbeMap = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), ProbeSettings);

export const PolicySchema = Type.Object(
  {
    probes: Type.Optional(ProbeMap),
    tenants: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          {
            probes: Type.Optional(ProbeMap),
            hosts: Type.Optional(Type.Record(Type.String(), Type.Object({ probes: Type.Optional(ProbeMap) }, { additionalProperties: false }))),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

export type Policy = Static<typeof PolicySchema>;
type ProbeMapValue = Static<typeof ProbeMap>;

export const EMPTY_POLICY: Policy = {};

/** Every schedule in the policy, with the path a person would look for. */
function* schedules(policy: Policy): Generator<[string, string]> {
  const inMap = function* (map: ProbeMapValue | undefined, path: string): Generator<[string, string]> {
    for (const [probe, settings] of Object.entries(map ?? {})) if (settings.schedule) yield [`${path}.${probe}.schedule`, settings.schedule];
  };
  yield* inMap(policy.probes, 'probes');
  for (const [tenant, t] of Object.entries(policy.tenants ?? {})) {
    yield* inMap(t.probes, `tenants.${tenant}.probes`);
    for (const [host, h] of Object.entries(t.hosts ?? {})) yield* inMap(h.probes, `tenants.${tenant}.hosts.${host}.probes`);
  }
}

/** Validates a parsed policy document; throws ConfigError naming the file and key. */
export function checkPolicy(doc: unknown, file: string): Policy {
  const value = doc ?? {};
  const problem = firstSchemaError(PolicySchema, value);
  if (problem) throw new ConfigError(`${file}: ${problem}`);
  const policy = value as Policy;
  for (const [path, expression] of schedules(policy)) {
    if (!cron.validate(expression)) throw new ConfigError(`${file}: ${path}: not a valid cron expression: "${expression}"`);
  }
  return policy;
}

export function loadPolicy(file: string): Policy {
  if (!file) return EMPTY_POLICY;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`policy.file: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return checkPolicy(parseYaml(text), file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
}

/** The agent's effective probe settings: fleet defaults, then its tenant's, then its host's (later wins per
 *  field). Probes the policy does not mention keep the agent's own defaults. Sorted by probe name. */
export function resolvePolicy(policy: Policy, tenant: string, host: string): watchpost.v1.IProbePolicy[] {
  const t = policy.tenants?.[tenant];
  const layers = [policy.probes, t?.probes, t?.hosts?.[host]?.probes];
  const merged = new Map<string, { schedule?: string; disabled?: boolean }>();
  for (const layer of layers) {
    for (const [probe, settings] of Object.entries(layer ?? {})) merged.set(probe, { ...merged.get(probe), ...settings });
  }
  return [...merged].sort(([a], [b]) => a.localeCompare(b)).map(([name, s]) => ({ name, schedule: s.schedule ?? '', disabled: s.disabled ?? false }));
}
