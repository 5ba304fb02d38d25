// GET /api/v1/rules as a technician checks an override with it: the effective rules, levels, priorities and calendar
// for a host after every layer, 404 for a tenant that does not exist, and the rules file's unknown tenants.
import { describe, expect, it } from 'vitest';
import { loadRules, parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { registerRuleRoutes } from '../../../collector/src/routes/rules.js';
import { AUTH, fixedClock, routeApp } from './helpers.js';

const RULES = `
rules:
  - { id: disk_space, for: 10m }
tenants:
  acme:
    terms: { calendar: acme-office }
    calendars:
      acme-office: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:30" }], holidays: ["2026-12-24"] }
    hosts:
      sql01:
        critical: true
        rules: [ { id: disk_space, levels: [ { name: warning, above: 80, clear: 75, impact: medium }, { name: critical, above: 90, impact: high } ] } ]
  acmee:
    rules: [ { id: cpu_high, enabled: false } ]
`;

async function rulesApp() {
  const set = parseRules(RULES, 'rules.yaml', loadRules());
  return routeApp((app, deps) => registerRuleRoutes(app, { rules: () => set, store: deps.store }), fixedClock(Date.now()));
}

const get = (app: Awaited<ReturnType<typeof rulesApp>>['app'], query: string, headers = AUTH) => app.inject({ url: `/api/v1/rules${query}`, headers });

describe('GET /api/v1/rules', () => {
  it("shows a host's rules after the host entry's override: levels with thresholds, impact and priority, for, and where", async () => {
    const { app } = await rulesApp();
    const res = await get(app, '?tenant=acme&host=SQL01');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      tenant: 'acme',
      host: 'SQL01',
      tenant_entry: true,
      host_entry: 'sql01',
      urgency: 'high',
      urgency_from: 'host entry: critical',
    });
    expect(body.rules.find((r: { id: string }) => r.id === 'disk_space')).toEqual({
      id: 'disk_space',
      kind: 'metric',
      title: expect.any(String),
      for_ms: 600_000,
      keep_firing_for_ms: 0,
      on_clear: 'resolve',
      defined_at: 'rules.yaml: tenants.acme.hosts.sql01.rules[0]',
      settings: expect.objectContaining({ measurement: 'disk', field: 'used_percent' }),
      levels: [
        { name: 'warning', above: 80, clear: 75, impact: 'medium', priority: 'P2' },
        { name: 'critical', above: 90, clear: 90, impact: 'high', priority: 'P1' },
      ],
    });
  });

  it('shows the calendar after the tenant override (time zone, days, hours, holidays) and the SLA targets', async () => {
    const { app } = await rulesApp();
    const { terms } = (await get(app, '?tenant=acme&host=ws-1')).json();
    expect(terms).toMatchObject({
      sla_profile: 'standard-8x5',
      hours: 'Europe/Berlin',
      calendar: {
        name: 'acme-office',
        timezone: 'Europe/Berlin',
        days: ['mon', 'tue', 'wed', 'thu', 'fri'],
        hours: [{ start: '08:00', end: '17:30' }],
        holidays: ['2026-12-24'],
      },
      sla: { respond: { P1: '12m' }, approaching: 0.75 },
    });
  });

  it('without a host entry the urgency is by role: each level shows its priority on a server and on a workstation', async () => {
    const { app } = await rulesApp();
    const body = (await get(app, '?tenant=acme')).json();
    expect(body).toMatchObject({ host: null, host_entry: null, urgency: null });
    const disk = body.rules.find((r: { id: string }) => r.id === 'disk_space');
    expect(disk.for_ms).toBe(600_000);
    expect(disk.levels[0]).toMatchObject({ name: 'warning', priority: null, priority_by_role: { server: 'P3', workstation: 'P4' } });
  });

  it('answers 404 tenant_unknown for a tenant that does not exist, instead of the top-level terms', async () => {
    const { app } = await rulesApp();
    const res = await get(app, '?tenant=acmee&host=sql01');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'tenant_unknown', message: 'unknown tenant: acmee' });
  });

  it("names the rules file's entries for tenants that do not exist, with the nearest existing id, to admin keys only", async () => {
    const { app, store } = await rulesApp();
    expect((await get(app, '?tenant=acme')).json().unknownTenants).toEqual([{ tenant: 'acmee', nearest: 'acme' }]);
    const { key } = store.apiKeys.create({ name: 'acme desk', tenant: 'acme', role: 'read' });
    const own = await get(app, '?tenant=acme', { authorization: `Bearer ${key}` });
    expect(own.statusCode).toBe(200);
    expect(own.json()).not.toHaveProperty('unknownTenants');
    expect((await get(app, '?tenant=acmee', { authorization: `Bearer ${key}` })).statusCode).toBe(403);
  });

  it('validates the query', async () => {
    const { app } = await rulesApp();
    expect((await get(app, '?host=sql01')).statusCode).toBe(400);
    expect((await get(app, `?tenant=${'a'.repeat(300)}`)).statusCode).toBe(400);
  });
});
