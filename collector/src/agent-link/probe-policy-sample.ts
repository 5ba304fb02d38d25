// The annotated sample probe policy (collector/watchpost-policy.sample.yaml), generated from the policy's schema:
// the fleet, tenant and host layers, each key with its description and default.
import { schemaSample } from '../config/schema-sample.js';
import { PolicySchema, type Policy } from './probe-policy.js';

export const POLICY_SAMPLE_PATH = 'collector/watchpost-policy.sample.yaml';

const HEADER = `# Central probe policy (policy.file; README "Central probe policy"), generated from the schema by \`npm run gen\`; do not edit by hand.
# Each agent gets the fleet's settings, then its tenant's, then its host's (the later wins per field) in Welcome, and again
# when the collector reloads this file on SIGHUP. Probes the file does not name keep the agent's own defaults.
`;

/** The layers the sample shows (what the README shows). */
export const SAMPLE_POLICY: Policy = {
  probes: { patches: { schedule: '0 0 */4 * * *' } },
  tenants: {
    acme: {
      probes: { eventlog: { schedule: '*/30 * * * * *' } },
      hosts: { dc01: { probes: { patches: { disabled: true } } } },
    },
  },
};

export function policySample(): string {
  return schemaSample(HEADER, PolicySchema, SAMPLE_POLICY);
}
