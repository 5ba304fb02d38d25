import { describe, expect, it } from 'vitest';
import { registerMaintenanceRoutes } from '../../../collector/src/routes/maintenance.js';
import { parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { ADMIN_KEY, AUTH, fixedClock, routeApp } from './helpers.js';

const NOW = Date.parse('2025-03-22T21:30:00Z'); // a Saturday, 22:30 in Berlin

const post = (url: string, payload: object, headers: Record<string, string> = AUTH) => ({ method: 'POST' as const, url, payload, headers });

describe('maintenance windows API', () => {
  it('creates one-off and recurring windows, lists them with whether they hold now, and deletes one', async () => {
    const { app, store } = await routeApp(registerMaintenanceRoutes, fixedClock(NOW));
    const once = await app.inject(post('/api/v1/maintenance-windows', { tenant: 'acme', host: 'sql01', reason: 'disk swap', duration: '2h' }));
    expect(once.statusCode).toBe(201);
    expect(once.json()).toEqual({
      id: expect.stringMatching(/^mw_/),
      tenant: 'acme',
      site: null,
      host: 'sql01',
      reason: 'disk swap',
      startsAt: '2025-03-22T21:30:00.000Z',
      endsAt: '2025-03-22T23:30:00.000Z',
      recurrence: null,
      createdAt: '2025-03-22T21:30:00.000Z',
      createdBy: 'bootstrap',
      deletedAt: null,
      activeUntil: '2025-03-22T23:30:00.000Z',
    });
    const weekly = await app.inject(
      post('/api/v1/maintenance-windows', {
        tenant: 'acme',
        site: 'berlin',
        reason: 'patch night',
        start: '2025-03-01T00:00:00+01:00',
        cron: '0 22 * * 6',
        duration: '4h',
        timezone: 'Europe/Berlin',
      }),
    );
    expect(weekly.statusCode).toBe(201);
    expect(weekly.json()).toMatchObject({
      site: 'berlin',
      startsAt: '2025-02-28T23:00:00.000Z',
      endsAt: null,
      activeUntil: '2025-03-23T01:00:00.000Z',
      recurrence: { cron: '0 22 * * 6', durationMs: 4 * 3_600_000, timezone: 'Europe/Berlin' },
    });
    const list = (await app.inject({ url: '/api/v1/maintenance-windows?tenant=acme', headers: AUTH })).json() as { windows: { id: string }[] };
    expect(list.windows.map((w) => w.id)).toEqual([once.json().id, weekly.json().id]);

    const deleted = await app.inject({ method: 'DELETE', url: `/api/v1/maintenance-windows/${once.json().id}`, headers: AUTH });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toMatchObject({ id: once.json().id, deletedAt: '2025-03-22T21:30:00.000Z', activeUntil: null });
    expect(store.maintenance.getWindow(once.json().id)?.deletedAt).toBe(NOW);
    const after = (await app.inject({ url: '/api/v1/maintenance-windows', headers: AUTH })).json() as { windows: { id: string }[] };
    expect(after.windows.map((w) => w.id)).toEqual([weekly.json().id]);
    const all = (await app.inject({ url: '/api/v1/maintenance-windows?includeDeleted=true', headers: AUTH })).json() as { windows: unknown[] };
    expect(all.windows).toHaveLength(2);
  });

  it("records the name of the API key's holder as who created the window", async () => {
    const { app, store } = await routeApp(registerMaintenanceRoutes, fixedClock(NOW));
    const { key } = store.apiKeys.create({ name: 'PSA integration' });
    const res = await app.inject(post('/api/v1/maintenance-windows', { tenant: 'acme', reason: 'x', duration: '1h' }, { authorization: `Bearer ${key}` }));
    expect(res.json().createdBy).toBe('PSA integration');
  });

  it.each([
    [{ tenant: 'acme', reason: 'x' }, 400, 'invalid_argument', 'end: give either end or duration'],
    [{ tenant: 'acme', reason: 'x', end: '2025-03-23T00:00:00' }, 400, 'invalid_argument', 'end: expected an ISO 8601 time with a zone'],
    [{ tenant: 'acme', reason: 'x', cron: '0 22 * * 6', duration: '4h', timezone: 'Mars/Base' }, 400, 'invalid_argument', 'recurrence.timezone:'],
    [{ tenant: 'acme', reason: 'x', cron: 'sometimes', duration: '4h', timezone: 'UTC' }, 400, 'invalid_argument', 'recurrence.cron:'],
    [
      { tenant: 'acme', reason: 'x', duration: '1h', site: 's', host: 'h' },
      400,
      'invalid_argument',
      'host: a window is scoped to a site or to a host, not both',
    ],
    [{ tenant: 'acme', duration: '1h' }, 400, 'FST_ERR_VALIDATION', "must have required property 'reason'"],
    [{ tenant: 'nobody', reason: 'x', duration: '1h' }, 404, 'tenant_unknown', 'unknown tenant: nobody'],
  ])('refuses %j', async (body, status, code, message) => {
    const { app, store } = await routeApp(registerMaintenanceRoutes, fixedClock(NOW));
    const res = await app.inject(post('/api/v1/maintenance-windows', body));
    expect(res.statusCode).toBe(status);
    expect(res.json().error).toBe(code);
    expect(res.json().message).toContain(message);
    expect(store.maintenance.listWindows()).toEqual([]);
  });

  it('answers 404 for an unknown window and 401 without the key', async () => {
    const { app } = await routeApp(registerMaintenanceRoutes, fixedClock(NOW));
    const res = await app.inject({ method: 'DELETE', url: '/api/v1/maintenance-windows/mw_nope', headers: AUTH });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('maintenance_window_unknown');
    expect((await app.inject({ url: '/api/v1/maintenance-windows' })).statusCode).toBe(401);
    expect(
      (await app.inject(post('/api/v1/maintenance-windows', { tenant: 'acme', reason: 'x', duration: '1h' }, { authorization: `Bearer ${ADMIN_KEY}x` })))
        .statusCode,
    ).toBe(401);
  });
});

describe('silences API', () => {
  it('creates, lists (all or active now) and expires a silence', async () => {
    const clock = fixedClock(NOW);
    const { app } = await routeApp(registerMaintenanceRoutes, clock);
    const res = await app.inject(post('/api/v1/silences', { tenant: 'acme', host: 'ws-1', ruleId: 'av_disabled', duration: '2h', comment: 're-imaging' }));
    expect(res.statusCode).toBe(201);
    const silence = res.json();
    expect(silence).toEqual({
      id: expect.stringMatching(/^sil_/),
      tenant: 'acme',
      host: 'ws-1',
      ruleId: 'av_disabled',
      startsAt: '2025-03-22T21:30:00.000Z',
      endsAt: '2025-03-22T23:30:00.000Z',
      comment: 're-imaging',
      createdAt: '2025-03-22T21:30:00.000Z',
      createdBy: 'bootstrap',
      expiredAt: null,
      active: true,
    });
    await app.inject(post('/api/v1/silences', { tenant: 'acme', start: '2025-03-25T00:00:00Z', end: '2025-03-26T00:00:00Z', comment: 'later' }));
    const ids = async (query: string) =>
      ((await app.inject({ url: `/api/v1/silences${query}`, headers: AUTH })).json() as { silences: { id: string }[] }).silences.map((s) => s.id);
    expect(await ids('')).toHaveLength(2);
    expect(await ids('?active=true')).toEqual([silence.id]);
    clock.set(NOW + 60_000);
    const expired = await app.inject({ method: 'DELETE', url: `/api/v1/silences/${silence.id}`, headers: AUTH });
    expect(expired.json()).toMatchObject({ id: silence.id, expiredAt: '2025-03-22T21:31:00.000Z', active: false });
    expect(await ids('?active=true')).toEqual([]);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/silences/sil_nope', headers: AUTH })).json().error).toBe('silence_unknown');
  });

  it.each([
    [{ tenant: 'acme', comment: 'x', duration: 'forever' }, 400, 'duration: expected a duration'],
    [{ tenant: 'acme', comment: 'x', start: '2025-03-23T00:00:00Z', end: '2025-03-22T00:00:00Z' }, 400, 'end: must be after start'],
    [{ tenant: 'acme', duration: '1h' }, 400, "must have required property 'comment'"],
    [{ tenant: 'nobody', comment: 'x', duration: '1h' }, 404, 'unknown tenant: nobody'],
    [{ tenant: 'nobody', ruleId: 'disk_spce', comment: 'x', duration: '1h' }, 404, 'unknown tenant: nobody'],
    [
      { tenant: 'acme', ruleId: 'disk_spce', comment: 'x', duration: '1h' },
      400,
      'ruleId: unknown rule "disk_spce" for tenant acme (did you mean "disk_space"?); known: ',
    ],
  ])('refuses %j', async (body, status, message) => {
    const { app, store } = await routeApp(registerMaintenanceRoutes, fixedClock(NOW));
    const res = await app.inject(post('/api/v1/silences', body));
    expect(res.statusCode).toBe(status);
    expect(res.json().message).toContain(message);
    expect(store.maintenance.listSilences({})).toEqual([]);
  });

  it('judges a rule id against the rules in force for the tenant, naming the known ones', async () => {
    const rules = parseRules('tenants: { acme: { rules: [ { id: acme_only, kind: absence, title: Quiet, after: 1h, impact: low } ] } }', 'rules.yaml');
    const { app } = await routeApp((a, deps) => registerMaintenanceRoutes(a, { ...deps, rules: () => rules }), fixedClock(NOW));
    expect((await app.inject(post('/api/v1/silences', { tenant: 'acme', ruleId: 'acme_only', comment: 'x', duration: '1h' }))).statusCode).toBe(201);
    const refused = await app.inject(post('/api/v1/silences', { tenant: 'acme', ruleId: 'disk_space', comment: 'x', duration: '1h' }));
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      error: 'invalid_argument',
      message: 'ruleId: unknown rule "disk_space" for tenant acme (did you mean "acme_only"?); known: acme_only',
    });
  });
});
