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
import { Type, type Static } from '@sinclair/typebox';
import { Cron } from 'croner';
import { ConfigError } from '../errors.js';
import { firstSchemaError } from '../config/schema-errors.js';
import { readYamlFile } from '../config/yaml-file.js';
import type { watchpost } from '../../../proto/index.js';

const ProbeSettings = Type.Object(
  {
    schedule: Type.Optional(
      Type.String({
        minLength: 1,
        description: "cron expression (seconds field allowed; croner, as the agent); unset: the probe's default schedule in the agent",
        examples: ['0 */15 * * * *'],
      }),
    ),
    disabled: Type.Optional(Type.Boolean({ default: false, description: 'true: the agent does not run this probe' })),
  },
  { additionalProperties: false, description: 'a probe, by its name in the agent (cpu, disk, eventlog, patches, ...)' },
);
const ProbeMap = (description: string) => Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), ProbeSettings, { description });

export const PolicySchema = Type.Object(
  {
    probes: Type.Optional(ProbeMap('probe settings for every agent of every tenant')),
    tenants: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          {
            probes: Type.Optional(ProbeMap("probe settings for this tenant's agents, over the fleet's")),
            hosts: Type.Optional(
              Type.Record(
                Type.String(),
                Type.Object(
                  { probes: Type.Optional(ProbeMap("probe settings for this host's agent, over its tenant's")) },
                  { additionalProperties: false, description: 'a host, by hostname' },
                ),
                { description: 'per host of this tenant' },
              ),
            ),
          },
          { additionalProperties: false, description: 'a tenant, by id' },
        ),
        { description: 'per tenant' },
      ),
    ),
  },
  { additionalProperties: false },
);

export type Policy = Static<typeof PolicySchema>;
type ProbeMapValue = Static<ReturnType<typeof ProbeMap>>;

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
    if (!validCron(expression)) throw new ConfigError(`${file}: ${path}: not a valid cron expression: "${expression}"`);
  }
  return policy;
}

export function loadPolicy(file: string): Policy {
  if (!file) return EMPTY_POLICY;
  return checkPolicy(readYamlFile(file, 'policy.file'), file);
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

/** The agent's own test of a schedule (croner, as agent/src/scheduler/triggers.ts): what passes here runs there. */
function validCron(expression: string): boolean {
  try {
    new Cron(expression, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}
