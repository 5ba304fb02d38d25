// Who may call which route, as a property of the whole API: every /api route the real collector serves (read
// from its router, not from a list kept here) declares its access, an undeclared one stops the app from starting,
// every route that takes an API key refuses a request without one, and the admin-only routes refuse tenant keys.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../collector/src/metrics.js';
import { declaredRoutes, installRouteAccess, ROUTE_ACCESS } from '../../../collector/src/routes/access.js';
import { openStore } from '../../../collector/src/store/index.js';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { servedRoutes } from './served-routes.js';

let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({ sink: new RecordingSink() });
  c.store.tenants.add({ id: 'globex', name: 'Globex' });
});
afterAll(async () => c.close());

const apiRoutes = () => servedRoutes(c.app).filter((r) => r.url.startsWith('/api/'));
const accessOf = (method: string, url: string) => declaredRoutes(c.app).find((d) => d.method === method && d.url === url)?.access;
const sample = (url: string) => url.replace(/:id\b/g, '1').replace(':version', '0.0.1').replace(':name', 'linux-x64');
// Each call from its own address: these tests make more failed attempts than one address may (api-auth.test.ts).
let calls = 0;
const call = (method: string, url: string, key?: string) =>
  c.app.inject({
    method: method as 'GET',
    url: sample(url),
    remoteAddress: `10.0.${++calls >> 8}.${calls & 255}`,
    ...(key ? { headers: { authorization: `Bearer ${key}` } } : {}),
  });

describe('route access', () => {
  it('is declared by every /api route the collector serves', () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(20);
    for (const { method, url } of routes) expect(ROUTE_ACCESS, `${method} ${url}`).toContain(accessOf(method, url));
    expect(
      declaredRoutes(c.app)
        .map((d) => `${d.method} ${d.url}`)
        .sort(),
    ).toEqual(routes.map((r) => `${r.method} ${r.url}`).sort());
  });

  it.each([
    ['no declaration', {}],
    ['an unknown access', { config: { access: 'everyone' } }],
  ])('stops the app from starting when an /api route has %s', async (_what, options) => {
    const store = openStore(':memory:');
    const app = Fastify({ logger: false });
    installRouteAccess(app, { adminKey: 'k', apiKeys: store.apiKeys, metrics: createMetrics({ defaultMetrics: false }) });
    app.get('/healthz', async () => 'ok'); // outside /api: nothing to declare
    expect(() => app.post('/api/v1/agents/:id/forget', options as object, async () => 'forgotten')).toThrow(
      'POST /api/v1/agents/:id/forget: an /api route must declare config.access',
    );
    await app.close();
    store.close();
  });

  it('puts the API key check in front of every route that takes one (HEAD included)', async () => {
    const keyed = apiRoutes().filter((r) => accessOf(r.method, r.url) !== 'own-credential');
    expect(keyed.map((r) => r.method)).toEqual(expect.arrayContaining(['GET', 'HEAD', 'POST', 'DELETE']));
    for (const { method, url } of keyed) {
      for (const key of [undefined, 'wpk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
        const res = await call(method, url, key);
        expect(res.statusCode, `${method} ${url}`).toBe(401);
      }
    }
  });

  it('refuses tenant keys on the admin-only routes: agents, desk dead letters, updates', async () => {
    const read = c.store.apiKeys.create({ name: 'Globex IT', tenant: 'globex', role: 'read' }).key;
    const operate = c.store.apiKeys.create({ name: 'Jane Doe', tenant: 'globex', role: 'operate' }).key;
    const adminOnly = apiRoutes().filter((r) => /\/agents\/:id\/|\/desk-deliveries|\/updates/.test(r.url));
    expect(adminOnly.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/agents/:id/revoke',
        'GET /api/v1/desk-deliveries',
        'POST /api/v1/desk-deliveries/:id/retry',
        'GET /api/v1/updates',
      ]),
    );
    for (const { method, url } of adminOnly) {
      expect(accessOf(method, url), `${method} ${url}`).toBe('admin');
      for (const key of [read, operate]) {
        const res = await call(method, url, key);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        if (method !== 'HEAD') expect(res.json().error).toBe('forbidden');
      }
    }
  });

  it('refuses read keys on every route that acts, before reading the request', async () => {
    const read = c.store.apiKeys.create({ name: 'Globex IT', tenant: 'globex', role: 'read' }).key;
    const acting = apiRoutes().filter((r) => !['GET', 'HEAD'].includes(r.method) && accessOf(r.method, r.url) !== 'own-credential');
    expect(acting.length).toBeGreaterThan(8);
    for (const { method, url } of acting) {
      const res = await call(method, url, read);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error).toBe('forbidden');
    }
  });
});
