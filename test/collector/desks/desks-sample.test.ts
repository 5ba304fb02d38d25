// The generated sample desks file: current (npm run gen), and loadable by the real loader with every desk routed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONNECTOR_TYPES } from '../../../collector/src/desks/connectors/index.js';
import { loadDesks } from '../../../collector/src/desks/desks-file.js';
import { DESKS_SAMPLE_PATH, SAMPLE_TENANT, desksSample } from '../../../collector/src/desks/desks-sample.js';

const text = readFileSync(DESKS_SAMPLE_PATH, 'utf8');
/** A value for every ${VAR} the sample names, as an operator's environment would hold. */
const env = Object.fromEntries([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map(([, name]) => [name, `secret-of-${name}`.toLowerCase()]));

describe('the sample desks file', () => {
  it('is current', () => {
    expect(text, `stale ${DESKS_SAMPLE_PATH}: run npm run gen`).toBe(desksSample());
  });

  it('loads through the desks loader, one desk of each connector type, each routed for the example tenant', () => {
    expect(Object.keys(env).length).toBeGreaterThan(0);
    const set = loadDesks(DESKS_SAMPLE_PATH, env);
    expect(set.names()).toEqual(Object.keys(CONNECTOR_TYPES));
    expect(set.routes(SAMPLE_TENANT).map((r) => [r.desk, r.type])).toEqual(Object.keys(CONNECTOR_TYPES).map((t) => [t, t]));
    for (const route of set.routes(SAMPLE_TENANT)) for (const value of Object.values(route.settings)) expect(String(value)).not.toContain('${');
  });

  it('describes every key a desk of each type takes', () => {
    for (const [type, connector] of Object.entries(CONNECTOR_TYPES))
      for (const key of Object.keys(connector.schema.properties).filter((k) => k !== 'type'))
        expect(text, `${type}.${key}`).toMatch(new RegExp(`\\n    (# )?${key}:`));
  });
});
