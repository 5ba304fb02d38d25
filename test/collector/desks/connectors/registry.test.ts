// The connector registry keeps its names honest, as the probe registry does: a connector's registry key is its file
// name (desks/connectors/<key>.ts, which exports it under that name) and the `type:` a desks file writes for it, and
// every file in the folder is registered.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pluginNames } from '../../../helpers/registry.js';
import { CONNECTOR_TYPES, connectorType } from '../../../../collector/src/desks/connectors/index.js';
import { loadDesks, parseDesks } from '../../../../collector/src/desks/desks-file.js';
import { DESKS_SAMPLE_PATH, SAMPLE_TENANT } from '../../../../collector/src/desks/desks-sample.js';

const FOLDER = fileURLToPath(new URL('../../../../collector/src/desks/connectors/', import.meta.url));
/** Any value for the secrets the sample reads from the environment: only the types matter here. */
const anySecret = new Proxy({}, { get: (_, name) => (typeof name === 'string' ? `value-of-${name}` : undefined) }) as NodeJS.ProcessEnv;
const sample = loadDesks(DESKS_SAMPLE_PATH, anySecret);

describe('desk connector registry', () => {
  it('registers every file of desks/connectors/ (index.ts is the registry)', () => {
    expect(Object.keys(CONNECTOR_TYPES).sort()).toEqual(pluginNames(FOLDER));
  });

  it.each(Object.entries(CONNECTOR_TYPES))('%s: exported by desks/connectors/<key>.ts under its key', async (key, connector) => {
    const module = (await import(`${FOLDER}${key}.ts`)) as Record<string, unknown>;
    expect(module[key]).toBe(connector);
  });

  // The generated sample holds one desk of each type, named after it (desks-sample.ts), routed for one tenant.
  it.each(Object.entries(CONNECTOR_TYPES))('%s: a desk written `type: <key>` in a desks file is delivered by it', (key, connector) => {
    expect(connectorType(key)).toBe(connector);
    const route = sample.route(key, SAMPLE_TENANT);
    expect(route?.type).toBe(key);
    expect(route?.connector).toBe(connector);
  });

  it('refuses a type the registry does not hold, naming the known ones', () => {
    expect(() => parseDesks('desks: { d: { type: zendesk } }\ndefault_desks: [ { desk: d } ]\n', 'desks.yaml', {})).toThrow(
      `desks.yaml: desks.d.type: unknown type "zendesk" (known: ${Object.keys(CONNECTOR_TYPES).join(', ')})`,
    );
  });
});
