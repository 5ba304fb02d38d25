// How database setup recognises a backend without continuous queries (collector/src/influx/backend.ts): the two rules
// as pure functions on the answers the docs show, then detectBackend() against a real influxd (continuous queries)
// and against the InfluxDB 3 stand-in (none), once decided by /ping and once by the refused statement.
import { InfluxDB } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';
import { detectBackend, reasonFromPing, reasonFromRefusal } from '../../../collector/src/influx/backend.js';
import { startInfluxDB3StandIn } from './influxdb3-stand-in.js';

const cleanups = cleanupsAfterEach();
let influxd: Influxd;

beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.stop();
});

describe('rule 1: the /ping headers', () => {
  // The header pairs of docs-v2 content/shared/identify-version.md ("By HTTP headers").
  it.each([
    ['3.8.0', 'Core', true],
    ['3.8.0', 'Enterprise', true],
    ['v2.7.11', 'OSS', true],
    ['1.8.10', 'OSS', false],
    ['1.11.8-c1.11.8', 'Enterprise', false], // Enterprise 1.x: the build says Enterprise, the version says 1
    ['1.6.7~rc0', 'OSS', false], // the influxd these tests run
  ])('X-Influxdb-Version %s, X-Influxdb-Build %s: without continuous queries = %s', (version, build, without) => {
    expect(reasonFromPing({ version, build }) !== undefined).toBe(without);
  });

  it('no version header (no answer, or a 401 before the handler) decides nothing', () => {
    expect(reasonFromPing({})).toBeUndefined();
    expect(reasonFromPing({ build: 'Core' })).toBeUndefined();
  });

  it('the reason names the version and the build', () => {
    expect(reasonFromPing({ version: '3.8.0', build: 'Core' })).toBe('its /ping says InfluxDB 3.8.0 (Core)');
  });
});

describe('rule 2: the refused statement', () => {
  it("quotes the server's error without the client's prefix", () => {
    expect(reasonFromRefusal('Error from InfluxDB: error in InfluxQL statement: parsing error: invalid SHOW statement at pos 5')).toBe(
      'it refuses SHOW CONTINUOUS QUERIES: error in InfluxQL statement: parsing error: invalid SHOW statement at pos 5',
    );
  });
});

describe('detectBackend', () => {
  it('a real influxd (1.x) runs continuous queries', async () => {
    const influx = new InfluxDB({ host: '127.0.0.1', port: influxd.port, database: 'detect' });
    expect(await detectBackend(influx, 'detect')).toEqual({ continuousQueries: true });
  });

  it('InfluxDB 3 with its token: decided by /ping, no statement sent', async () => {
    const v3 = await startInfluxDB3StandIn();
    cleanups.push(() => v3.close());
    const influx = new InfluxDB({ host: '127.0.0.1', port: v3.port, database: 'watchpost', username: 'watchpost', password: v3.token });
    expect(await detectBackend(influx, 'watchpost')).toEqual({ continuousQueries: false, reason: 'its /ping says InfluxDB 3.8.0 (Core)' });
    expect(v3.requests.map((r) => [r.path, r.status, r.auth])).toEqual([['/ping', 200, 'Basic']]);
  });

  it('a /ping without version headers: decided by the refusal of SHOW CONTINUOUS QUERIES', async () => {
    const v3 = await startInfluxDB3StandIn({ identity: null });
    cleanups.push(() => v3.close());
    const influx = new InfluxDB({ host: '127.0.0.1', port: v3.port, database: 'watchpost', username: '', password: v3.token });
    const backend = await detectBackend(influx, 'watchpost');
    expect(backend).toEqual({
      continuousQueries: false,
      reason:
        'it refuses SHOW CONTINUOUS QUERIES: error in InfluxQL statement: parsing error: invalid SHOW statement, expected DATABASES, FIELD KEYS, MEASUREMENTS, TAG KEYS, TAG VALUES, or RETENTION POLICIES following SHOW at pos 5',
    });
    expect(v3.requests.map((r) => [r.path, r.status, r.q])).toEqual([
      ['/ping', 200, undefined],
      ['/query', 200, 'show continuous queries'],
    ]);
  });

  it('without the token there is no verdict: the 401 is thrown', async () => {
    const v3 = await startInfluxDB3StandIn();
    cleanups.push(() => v3.close());
    const influx = new InfluxDB({ host: '127.0.0.1', port: v3.port, database: 'watchpost' });
    await expect(detectBackend(influx, 'watchpost')).rejects.toThrow(/401/);
  });
});
