// A tenant key sees nothing of another tenant, through every route the collector serves. Two tenants on one real
// collector, each with an agent on a real WebSocket, a ticket and a firing alert (from a disk breach), a service
// desk delivery, a maintenance window and a silence. Every /api route (read from the app's router) is called with
// a read key and an operate key of acme: with globex's ids, with `tenant=globex` / `host=` queries and with
// globex in the body. No answer may hold anything of globex, an id of globex's answers exactly what an unknown id
// answers, and nothing of globex changes. Read keys cannot act; operate keys act in their tenant, under their name.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules, parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { parseDesks } from '../../../collector/src/desks/desks-file.js';
import { ADMIN_KEY, RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { hello, openAgent, type TestAgent } from '../../helpers/agent-client.js';
import { until } from '../../helpers/until.js';
import { startReceiver, type Receiver } from '../desks/receiver.js';
import { servedRoutes, type ServedRoute } from './served-routes.js';

const A = 'acme';
const B = 'globex';

interface Seeded {
  tenant: string;
  host: string;
  agentId: string;
  ticketId: number;
  windowId: string;
  silenceId: string;
  deliveryId: number;
  waiverId: number;
}

let c: TestCollector;
let receiver: Receiver;
const agents: TestAgent[] = [];
const seeded: Record<string, Seeded> = {};
let readKey = '';
let operateKey = '';

type Method = 'GET' | 'HEAD' | 'POST' | 'DELETE';
const inject = (method: string, url: string, key: string, payload?: object) =>
  c.app.inject({ method: method as Method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });
const admin = (method: Method, url: string, payload?: object) => inject(method, url, ADMIN_KEY, payload);

async function seedTenant(tenant: string): Promise<Seeded> {
  const host = `${tenant}-host-1`;
  if (!c.store.tenants.get(tenant)) c.store.tenants.add({ id: tenant, name: tenant.toUpperCase() });
  const { token } = c.store.tokens.create({ tenant, expiresAt: Date.now() + 60_000, uses: 1 });
  const enrolled = c.store.enrollWithToken(token, { hostname: host, os: 'linux', arch: 'x64', agentVersion: 'test' });
  if (!enrolled.ok) throw new Error(enrolled.reason);
  const agent = await openAgent(c.wsUrl, `wpa_${enrolled.agentId}.${enrolled.secret}`);
  agents.push(agent);
  agent.send({ hello: { ...hello().hello, hostname: host } });
  await agent.next((e) => e.welcome != null);
  agent.send({
    batch: {
      seq: 1,
      samples: [{ measurement: 'disk', timeMs: Date.now(), tags: [{ key: 'path', value: '/srv' }], fields: [{ key: 'used_percent', float: 99 }] }],
    },
  });
  await agent.next((e) => e.ack?.seq === 1);
  let ticketId = 0;
  await until(
    async () => {
      const list = (await admin('GET', `/api/v1/tickets?tenant=${tenant}`)).json() as { tickets: { id: number }[] };
      ticketId = list.tickets[0]?.id ?? 0;
      return ticketId > 0;
    },
    10_000,
    `${tenant}'s ticket`,
  );
  let deliveryId = 0;
  await until(
    async () => {
      const list = (await admin('GET', `/api/v1/desk-deliveries?ticket=${ticketId}`)).json() as { deliveries: { id: number; state: string }[] };
      deliveryId = list.deliveries[0]?.id ?? 0;
      return list.deliveries[0]?.state === 'delivered'; // settled: what changes after this is the test's doing
    },
    10_000,
    `${tenant}'s desk delivery`,
  );
  // Windows and silences after the ticket: they would hold the alert.
  const window = await admin('POST', '/api/v1/maintenance-windows', {
    tenant,
    host,
    reason: `${tenant} patch night`,
    start: '2030-01-01T00:00:00Z',
    duration: '4h',
  });
  const silence = await admin('POST', '/api/v1/silences', { tenant, host, comment: `${tenant} re-imaging`, start: '2030-01-01T00:00:00Z', duration: '2h' });
  const waiver = await admin('POST', '/api/v1/compliance/waivers', { tenant, host, standard: 'backup', reason: `${tenant} NAS job`, expires: '30d' });
  const ids = { windowId: window.json().id, silenceId: silence.json().id, waiverId: waiver.json().id };
  return { tenant, host, agentId: enrolled.agentId, ticketId, deliveryId, ...ids };
}

beforeAll(async () => {
  receiver = await startReceiver();
  const desks = parseDesks(`desks: { hook: { type: webhook, url: "${receiver.url}/in" } }\ndefault_desks: [ { desk: hook } ]`, 'desks.yaml', {});
  const rules = parseRules('rules: [ { id: disk_space, for: 0s } ]', 'rules.yaml', loadRules());
  c = await startCollector({ sink: new RecordingSink(), rules: () => rules, desks: () => desks });
  seeded[A] = await seedTenant(A);
  seeded[B] = await seedTenant(B);
  readKey = c.store.apiKeys.create({ name: 'Acme IT (contract B)', tenant: A, role: 'read' }).key;
  operateKey = c.store.apiKeys.create({ name: 'Jane Doe', tenant: A, role: 'operate' }).key;
}, 60_000);
afterAll(async () => {
  for (const agent of agents) agent.socket.close();
  await c.close();
  await receiver.close();
});

/** Each `:id` by the collection it names: a route with an id of a kind seeded nowhere fails here, not silently. */
function idsOf(s: Seeded): Record<string, string> {
  return {
    agents: s.agentId,
    tickets: String(s.ticketId),
    'maintenance-windows': s.windowId,
    silences: s.silenceId,
    'desk-deliveries': String(s.deliveryId),
    reports: s.tenant,
    waivers: String(s.waiverId),
  };
}
const UNKNOWN_IDS: Record<string, string> = {
  agents: 'ag_00000000000000000000000000000000',
  tickets: '999999',
  'maintenance-windows': 'mw_unknown',
  silences: 'sil_unknown',
  'desk-deliveries': '999999',
  reports: 'no-such-tenant',
  waivers: '999999',
};

/** The one desk this test's collector has. */
const DESK = 'hook';

function fill(url: string, ids: Record<string, string>): string {
  const filled = url
    .replace(/\/([a-z-]+)\/:id\b/g, (_all, collection: string) => {
      const id = ids[collection];
      if (id === undefined) throw new Error(`${url}: no seeded id for ${collection}/:id; seed one in this test`);
      return `/${collection}/${id}`;
    })
    .replace(':version', '0.0.1')
    .replace(':name', 'linux-x64')
    .replace(':desk', DESK)
    .replace('/reports/:tenant/:file', `/reports/${ids.reports}/2026-11.html`);
  if (filled.includes(':')) throw new Error(`${url}: a parameter this test does not know; teach fill() about it`);
  return filled;
}

/** A valid body for each route that acts, in a tenant; every acting route must have one (a new route fails here). */
const BODIES: Record<string, (tenant: string) => object | undefined> = {
  'POST /api/v1/agents/:id/revoke': () => undefined,
  'POST /api/v1/agents/:id/rename': () => ({ hostname: 'renamed-host' }),
  'POST /api/v1/tickets/:id/ack': () => undefined,
  'POST /api/v1/tickets/:id/plan': () => ({ plan: 'replace the disk' }),
  'POST /api/v1/tickets/:id/notes': () => ({ text: 'looked at it' }),
  'POST /api/v1/tickets/:id/resolve': () => ({ note: 'done' }),
  'POST /api/v1/tickets/:id/reopen': () => ({ reason: 'still broken' }),
  'POST /api/v1/tickets/:id/priority': () => ({ priority: 'P4', reason: 'lab box' }),
  'POST /api/v1/desk-deliveries/:id/retry': () => undefined,
  'POST /api/v1/desk-deliveries/:id/discard': () => undefined,
  'POST /api/v1/reload': () => undefined,
  // A desk's push proves itself with the desk's signature, never an API key: a key gets 401 like anyone.
  'POST /api/v1/desks/:desk/inbound': () => ({ webhookEvent: 'jira:issue_updated' }),
  'POST /api/v1/maintenance-windows': (tenant) => ({ tenant, reason: 'intrusion', duration: '1h' }),
  'DELETE /api/v1/maintenance-windows/:id': () => undefined,
  'POST /api/v1/silences': (tenant) => ({ tenant, comment: 'intrusion', duration: '1h' }),
  'DELETE /api/v1/silences/:id': () => undefined,
  'POST /api/v1/compliance/waivers': (tenant) => ({ tenant, standard: 'backup', reason: 'intrusion', expires: '1d' }),
  'DELETE /api/v1/compliance/waivers/:id': () => undefined,
  'POST /api/v1/antivirus/actions': (tenant) => ({ tenant, host: 'h', action: 'quick_scan' }),
  'POST /api/v1/patches/approvals': (tenant) => ({ tenant, update: 'pkg:openssl', decision: 'approve', reason: 'intrusion' }),
  'POST /api/v1/enroll': () => ({
    token: 'wpe_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    hostname: 'h',
    os: 'linux',
    arch: 'x64',
    agentVersion: '1',
  }),
};
function bodyOf(route: ServedRoute, tenant: string): object | undefined {
  const make = BODIES[`${route.method} ${route.url}`];
  if (!make) throw new Error(`${route.method} ${route.url}: no body for this route; add one to BODIES`);
  return make(tenant);
}

const apiRoutes = () => servedRoutes(c.app).filter((r) => r.url.startsWith('/api/'));
const acts = (r: ServedRoute) => r.method !== 'GET' && r.method !== 'HEAD';

/**
 * What of globex an answer must never hold: its tenant id as a JSON value (every ticket, alert, agent, window,
 * silence and delivery view carries it), the texts of its window and silence, and its ids (but an id the request
 * named, which a 404 message repeats).
 */
function leaks(res: LightMyRequestResponse, except: string): string[] {
  const b = seeded[B]!;
  return [`"${B}"`, `${B} patch night`, `${B} re-imaging`, `${B} NAS job`, b.agentId, b.windowId, b.silenceId].filter(
    (marker) => !except.includes(marker) && (res.body.includes(marker) || JSON.stringify(res.headers).includes(marker)),
  );
}
const errorOf = (res: LightMyRequestResponse) => (res.body ? (res.json() as { error?: string }).error : undefined);

/** What an admin sees of globex: it must be the same after every attack. */
async function globexState() {
  const b = seeded[B]!;
  const ticket = (await admin('GET', `/api/v1/tickets/${b.ticketId}`)).json();
  const agent = ((await admin('GET', '/api/v1/agents')).json().agents as { agentId: string; hostname: string; revoked: boolean }[]).find(
    (a) => a.agentId === b.agentId,
  );
  const windows = (await admin('GET', `/api/v1/maintenance-windows?tenant=${B}&includeDeleted=true`)).json();
  const silences = (await admin('GET', `/api/v1/silences?tenant=${B}`)).json();
  const waivers = (await admin('GET', `/api/v1/compliance/waivers?tenant=${B}`)).json();
  const deliveries = ((await admin('GET', `/api/v1/desk-deliveries?ticket=${b.ticketId}`)).json().deliveries as { id: number; state: string }[]).map((d) => [
    d.id,
    d.state,
  ]);
  return {
    ticket: [ticket.status, ticket.acknowledgedBy, ticket.planBy, ticket.resolvedBy, ticket.events.map((e: { kind: string }) => e.kind)],
    agent: [agent?.hostname, agent?.revoked],
    windows,
    silences,
    waivers,
    deliveries,
  };
}

describe('a tenant key', () => {
  it('exists for a reason: an admin sees both tenants (the data a leak would show)', async () => {
    const tickets = (await admin('GET', '/api/v1/tickets')).body;
    expect(tickets).toContain(`"tenant":"${A}"`);
    expect(tickets).toContain(`"tenant":"${B}"`);
    expect((await admin('GET', '/api/v1/alerts')).body).toContain(`${B}-host-1`);
    expect((await admin('GET', `/api/v1/tickets/${seeded[B]!.ticketId}`)).statusCode).toBe(200);
  });

  it('sees only its own tenant in every list, and can ask for nothing else', async () => {
    for (const key of [readKey, operateKey]) {
      for (const [url, field] of [
        ['/api/v1/agents', 'agents'],
        ['/api/v1/tickets', 'tickets'],
        ['/api/v1/alerts', 'alerts'],
        ['/api/v1/maintenance-windows', 'windows'],
        ['/api/v1/silences', 'silences'],
        ['/api/v1/compliance/waivers', 'waivers'],
      ] as const) {
        const res = await inject('GET', url, key);
        expect(res.statusCode, url).toBe(200);
        const items = res.json()[field] as { tenant: string }[];
        expect(items.length, url).toBeGreaterThan(0);
        expect(
          items.every((i) => i.tenant === A),
          url,
        ).toBe(true);
        const other = await inject('GET', `${url}?tenant=${B}`, key);
        expect([other.statusCode, errorOf(other)], url).toEqual([403, 'tenant_forbidden']);
      }
      const rules = await inject('GET', `/api/v1/rules?tenant=${A}&host=${A}-host-1`, key);
      expect(rules.statusCode).toBe(200);
      expect((await inject('GET', `/api/v1/rules?tenant=${B}&host=${B}-host-1`, key)).statusCode).toBe(403);
      expect((await inject('GET', `/api/v1/tickets/${seeded[A]!.ticketId}`, key)).statusCode).toBe(200);
    }
  });

  it('gets nothing of another tenant through any route, and changes nothing of it', async () => {
    const before = await globexState();
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(20);
    const b = seeded[B]!;
    for (const key of [readKey, operateKey]) {
      for (const route of routes) {
        const label = `${route.method} ${route.url} (${key === readKey ? 'read' : 'operate'})`;
        const payload = acts(route) ? bodyOf(route, B) : undefined;
        const url = fill(route.url, idsOf(b));
        const res = await inject(route.method, url, key, payload);
        expect(leaks(res, url), label).toEqual([]);
        const targetsGlobex = url !== route.url || JSON.stringify(payload ?? {}).includes(B);
        if (targetsGlobex) expect(res.statusCode, label).toBeGreaterThanOrEqual(400);
        if (url !== route.url) {
          // An id of another tenant is answered exactly like an id that does not exist.
          const unknown = await inject(route.method, fill(route.url, UNKNOWN_IDS), key, payload);
          expect([res.statusCode, errorOf(res)], label).toEqual([unknown.statusCode, errorOf(unknown)]);
        }
        if (!acts(route) && !route.url.includes(':')) {
          for (const query of [`tenant=${B}`, `tenant=${B}&host=${b.host}`, `host=${b.host}`, `tenant=${A}&host=${b.host}`]) {
            const asked = await inject(route.method, `${url}?${query}`, key);
            expect(leaks(asked, ''), `${label}?${query}`).toEqual([]);
            if (query.startsWith(`tenant=${B}`)) expect(asked.statusCode, `${label}?${query}`).toBeGreaterThanOrEqual(400);
          }
        }
      }
    }
    expect(await globexState()).toEqual(before);
  });

  it('with the read role acts on nothing, not even in its own tenant', async () => {
    const a = seeded[A]!;
    // Enrollment and a desk's push prove themselves with their own credential (a token, the desk's signature), never
    // an API key: a key of any role gets 401 there, as the tenant-key test above shows.
    const acting = apiRoutes()
      .filter(acts)
      .filter((r) => r.url !== '/api/v1/enroll' && r.url !== '/api/v1/desks/:desk/inbound');
    expect(acting.length).toBeGreaterThan(8);
    const windows = () => c.store.maintenance.listWindows({ tenant: A, includeDeleted: true }).map((w) => [w.id, w.deletedAt]);
    const silences = () => c.store.maintenance.listSilences({ tenant: A }).map((s) => [s.id, s.expiredAt]);
    const waivers = () => c.store.waivers.list({ tenant: A }).map((w) => [w.id, w.revokedAt]);
    const before = [c.store.tickets.get(a.ticketId)?.status, windows(), silences(), waivers(), c.store.agents.get(a.agentId)?.revokedAt];
    for (const route of acting) {
      const res = await inject(route.method, fill(route.url, idsOf(a)), readKey, bodyOf(route, A));
      expect([res.statusCode, errorOf(res)], `${route.method} ${route.url}`).toEqual([403, 'forbidden']);
    }
    expect([c.store.tickets.get(a.ticketId)?.status, windows(), silences(), waivers(), c.store.agents.get(a.agentId)?.revokedAt]).toEqual(before);
  });

  it("with the operate role acts on its own tenant, recorded under the key holder's name", async () => {
    const a = seeded[A]!;
    const ack = await inject('POST', `/api/v1/tickets/${a.ticketId}/ack`, operateKey);
    expect(ack.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Jane Doe' });
    expect((await inject('POST', `/api/v1/tickets/${a.ticketId}/plan`, operateKey, { plan: 'replace the disk' })).json()).toMatchObject({ planBy: 'Jane Doe' });
    expect((await inject('POST', `/api/v1/tickets/${a.ticketId}/notes`, operateKey, { text: 'ordered' })).statusCode).toBe(200);
    const window = await inject('POST', '/api/v1/maintenance-windows', operateKey, { tenant: A, reason: 'swap', duration: '1h' });
    expect([window.statusCode, window.json().createdBy]).toEqual([201, 'Jane Doe']);
    const silence = await inject('POST', '/api/v1/silences', operateKey, { tenant: A, comment: 'swap', duration: '1h' });
    expect([silence.statusCode, silence.json().createdBy]).toEqual([201, 'Jane Doe']);
    expect((await inject('DELETE', `/api/v1/maintenance-windows/${window.json().id}`, operateKey)).statusCode).toBe(200);
    expect((await inject('DELETE', `/api/v1/silences/${silence.json().id}`, operateKey)).statusCode).toBe(200);
    const resolved = await inject('POST', `/api/v1/tickets/${a.ticketId}/resolve`, operateKey, { note: 'disk replaced' });
    expect(resolved.json()).toMatchObject({ status: 'resolved', resolvedBy: 'Jane Doe' });
    const events = (await inject('GET', `/api/v1/tickets/${a.ticketId}`, readKey)).json().events as {
      kind: string;
      detail: string;
      data: { by?: string } | null;
    }[];
    expect(events.find((e) => e.kind === 'acknowledged')?.detail).toBe('acknowledged by Jane Doe');
    expect(events.find((e) => e.kind === 'note')?.data).toEqual({ by: 'Jane Doe' });
    // Still nothing outside its tenant, and nothing admin-only.
    expect((await inject('POST', `/api/v1/agents/${a.agentId}/revoke`, operateKey)).statusCode).toBe(403);
    expect((await inject('POST', `/api/v1/desk-deliveries/${a.deliveryId}/retry`, operateKey)).statusCode).toBe(403);
  });
});
