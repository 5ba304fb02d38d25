// GET /api/v1/compliance through inject() over a real store, and `watchpost-collector compliance` reading the same
// store file as a user runs it.
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { createComplianceEngine } from '../../../collector/src/compliance/engine.js';
import { registerComplianceRoutes } from '../../../collector/src/routes/compliance.js';
import type { Store } from '../../../collector/src/store/index.js';
import { collectorCli } from '../../helpers/collector-cli.js';
import { AUTH, fixedClock, routeApp } from '../routes/helpers.js';

const T0 = Date.parse('2026-11-02T08:00:00Z');
const H = 3_600_000;

/** Two hosts of acme with a few verdicts: sql01 (server, backup too old) and ws-1 (workstation, backup fine). */
function seed(store: Store) {
  const engine = createComplianceEngine({ store, rules: () => parseRules('', 'rules.yaml'), now: () => T0 });
  for (const [hostname, productType, backupAgeH] of [
    ['sql01', 'server', 30],
    ['ws-1', 'workstation', 30],
  ] as const) {
    const { agentId } = store.agents.enroll({ tenant: 'acme', hostname, os: 'win32', arch: 'x64', agentVersion: '1' });
    engine.observe({ id: agentId, tenant: 'acme', hostname }, [
      {
        measurement: 'inventory',
        timeMs: T0 - H,
        fields: [
          { key: 'os_family', str: 'windows' },
          { key: 'os_build', str: '20348' },
          { key: 'os_product_type', str: productType },
        ],
      },
      {
        measurement: 'backup',
        timeMs: T0 - H,
        fields: [
          { key: 'products', int: 1 },
          { key: 'detectable', bool: true },
          { key: 'last_success', int: Math.floor((T0 - backupAgeH * H) / 1000) },
        ],
      },
    ]);
  }
}

describe('GET /api/v1/compliance', () => {
  it("answers the tenant's table with counts, one host with host=", async () => {
    const { app, store } = await routeApp(registerComplianceRoutes, fixedClock(T0));
    seed(store);
    const res = await app.inject({ url: '/api/v1/compliance?tenant=acme', headers: AUTH });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const backup = body.rows.filter((r: { standard: string }) => r.standard === 'backup');
    expect(backup).toEqual([
      expect.objectContaining({
        host: 'sql01',
        verdict: 'fail',
        since: '2026-11-02T08:00:00.000Z',
        reason: 'last successful backup 30 hours ago, on 2026-11-01; the limit is 26 hours',
      }),
      expect.objectContaining({ host: 'ws-1', verdict: 'pass', reason: 'last successful backup 30 hours ago' }),
    ]);
    expect(backup[0].evidence).toMatchObject({ measurement: 'backup', time: T0 - H });
    // raid and ups apply to the server only.
    expect(body.rows.filter((r: { standard: string }) => r.standard === 'raid').map((r: { host: string }) => r.host)).toEqual(['sql01']);
    const { pass, fail, unknown } = body.counts;
    expect(pass + fail + unknown).toBe(body.rows.length);
    const one = await app.inject({ url: '/api/v1/compliance?tenant=acme&host=WS-1', headers: AUTH });
    expect(new Set(one.json().rows.map((r: { host: string }) => r.host))).toEqual(new Set(['ws-1']));
  });

  it('refuses another tenant to a tenant key, an unknown tenant and a missing one', async () => {
    const { app, store } = await routeApp(registerComplianceRoutes, fixedClock(T0));
    store.tenants.add({ id: 'globex', name: 'Globex' });
    const key = store.apiKeys.create({ name: 'Globex IT', tenant: 'globex', role: 'read' }).key;
    const own = await app.inject({ url: '/api/v1/compliance', headers: { authorization: `Bearer ${key}` } });
    expect(own.json()).toEqual({ tenant: 'globex', counts: { pass: 0, fail: 0, unknown: 0 }, rows: [] });
    const other = await app.inject({ url: '/api/v1/compliance?tenant=acme', headers: { authorization: `Bearer ${key}` } });
    expect(other.statusCode).toBe(403);
    expect((await app.inject({ url: '/api/v1/compliance?tenant=nope', headers: AUTH })).json()).toMatchObject({ error: 'tenant_unknown' });
    expect((await app.inject({ url: '/api/v1/compliance', headers: AUTH })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/v1/compliance?tenant=acme' })).statusCode).toBe(401);
  });
});

describe('watchpost-collector compliance', () => {
  it('prints the table and counts, or JSON, from the store', async () => {
    const { store, file } = await routeApp(registerComplianceRoutes, fixedClock(T0));
    seed(store);
    const env = { WATCHPOST_DATA_DIR: dirname(file) };
    const text = await collectorCli(['compliance', '--tenant', 'acme'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^sql01\s+backup\s+fail\s+2026-11-02T08:00:00Z\s+last successful backup 30 hours ago/m);
    expect(text.stdout).toMatch(/^acme: \d+ pass, \d+ fail, \d+ unknown$/m);
    const json = await collectorCli(['compliance', '--tenant', 'acme', '--host', 'sql01', '--json'], env);
    expect(json.code).toBe(0);
    const table = JSON.parse(json.stdout);
    expect(table.rows.find((r: { standard: string }) => r.standard === 'backup')).toMatchObject({ host: 'sql01', verdict: 'fail' });
    expect(await collectorCli(['compliance'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('--tenant: required') });
    expect(await collectorCli(['compliance', '--tenant', 'nope'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown tenant: nope') });
  });
});
