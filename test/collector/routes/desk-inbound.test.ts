// POST /api/v1/desks/:desk/inbound over a real store and the real alert engine's ticket actions: a desk's signed
// push acknowledges, resolves and reopens Watchpost's ticket and stops its SLA clocks; a bad signature changes
// nothing; a repeated push changes nothing; a desk's priority is recorded, never applied; and the change is queued
// for the tenant's other desk but not echoed to the desk it came from. Jira's push is the documented shape (see
// test/collector/desks/inbound/vendors.test.ts for the sources of every sample).
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { createAlertEngine } from '../../../collector/src/alerting/engine.js';
import { loadRules } from '../../../collector/src/alerting/rules/rules-file.js';
import type { ConnectorType } from '../../../collector/src/desks/contract.js';
import { deskTransitions } from '../../../collector/src/desks/desk-outbox-feed.js';
import { DESK_EVENT_KINDS, parseDesks, type DeskInbound, type DeskRoute, type DeskSet } from '../../../collector/src/desks/desks-file.js';
import { hubSignature } from '../../../collector/src/desks/inbound/contract.js';
import { haloInbound } from '../../../collector/src/desks/inbound/halopsa.js';
import { jiraInbound } from '../../../collector/src/desks/inbound/jira.js';
import { createMetrics } from '../../../collector/src/metrics.js';
import { registerDeskInbound } from '../../../collector/src/routes/desk-inbound.js';
import type { Store } from '../../../collector/src/store/index.js';
import { jiraIssueUpdated } from '../desks/inbound/samples.js';
import { fixedClock, routeApp } from './helpers.js';

const T0 = Date.parse('2026-11-23T09:00:00Z');
const NOW = Date.parse('2026-11-23T10:00:00Z');
const JIRA_SECRET = 'jira-webhook-secret-0123456789';
const HALO_SECRET = 'halo-webhook-secret-0123456789';
const quiet = { warn: () => {}, error: () => {} };

const stubConnector = { schema: {} as never, create: () => ({ deliver: async () => ({ kind: 'ok' as const }) }) } as unknown as ConnectorType<
  Record<string, unknown>
>;
const route = (desk: string): DeskRoute => ({ desk, type: desk, connector: stubConnector, settings: {}, events: new Set(DESK_EVENT_KINDS), secrets: [] });
const INBOUND: Record<string, DeskInbound> = {
  jira: { desk: 'jira', type: 'jira', vendor: jiraInbound, settings: { auth: 'signature', secret: JIRA_SECRET } },
  halo: { desk: 'halo', type: 'halopsa', vendor: haloInbound, settings: { auth: 'basic', secret: HALO_SECRET } },
};
const DESKS: DeskSet = {
  routes: (tenant) => (tenant === 'acme' ? [route('jira'), route('halo')] : []),
  route: (desk, tenant) => (tenant === 'acme' && (desk === 'jira' || desk === 'halo') ? route(desk) : undefined),
  names: () => ['jira', 'halo'],
  tenants: () => ['acme'],
  defaultRoutes: () => [],
  concurrency: () => 4,
  inbound: (desk) => INBOUND[desk],
};

function openTicket(store: Store): number {
  const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'db-1', os: 'linux', arch: 'x64', agentVersion: '1' });
  const clock = (target: 'respond' | 'plan' | 'resolve', minutes: number) => ({
    target,
    startedAt: T0,
    dueAt: T0 + minutes * 60_000,
    warnAt: T0 + minutes * 45_000,
  });
  const ticket = store.tickets.open(
    {
      tenant: 'acme',
      host: 'db-1',
      agentId,
      ruleId: 'disk_space',
      title: 'Disk space on db-1',
      summary: '/ at 97 %',
      priority: 'P2',
      urgency: 'medium',
      impact: 'high',
      slaProfile: 'co-managed-24x7',
      sla: [clock('respond', 120), clock('plan', 240), clock('resolve', 480)],
    },
    T0,
    '/ at 97 %',
  );
  store.deskOutbox.setRemote('jira', ticket.id, 'OPS-7', null, T0);
  store.deskOutbox.setRemote('halo', ticket.id, '1042', null, T0);
  return ticket.id;
}

async function setup() {
  const clock = fixedClock(NOW);
  const metrics = createMetrics({ defaultMetrics: false });
  let ticketId = 0;
  const { app, store } = await routeApp((a, { store: s, now }) => {
    ticketId = openTicket(s);
    const engine = createAlertEngine({
      store: s,
      rules: () => loadRules(),
      transitions: deskTransitions(
        s.deskOutbox,
        () => DESKS,
        () => {},
      ),
      log: quiet,
      now,
    });
    registerDeskInbound(a, { store: s, engine, desks: () => DESKS, metrics, now });
  }, clock);
  const jira = (body: object, secret = JIRA_SECRET) => {
    const payload = Buffer.from(JSON.stringify(body));
    return app.inject({
      method: 'POST',
      url: '/api/v1/desks/jira/inbound',
      headers: { 'content-type': 'application/json', 'x-hub-signature': hubSignature(payload, secret) },
      payload,
    });
  };
  const halo = (body: object) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/desks/halo/inbound',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`watchpost:${HALO_SECRET}`).toString('base64')}` },
      payload: JSON.stringify(body),
    });
  const outbox = () => store.deskOutbox.list({ limit: 100 }).map((r) => [r.desk, r.kind]);
  return { app, store, clock, metrics, jira, halo, outbox, ticket: () => store.tickets.get(ticketId)!, events: () => store.tickets.events(ticketId) };
}

const IN_PROGRESS = jiraIssueUpdated('OPS-7', { name: 'In Progress', category: 'indeterminate' });
const ACKED_AT = Date.parse('2026-11-23T09:30:00Z');

describe('POST /api/v1/desks/:desk/inbound', () => {
  it('a signed Jira push acknowledges the ticket and stops its respond clock; echoed to the other desk only; a repeat is a no-op', async () => {
    const s = await setup();
    const answer = await s.jira(IN_PROGRESS);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ desk: 'jira', changes: [{ remoteId: 'OPS-7', change: 'acknowledged', ticketId: s.ticket().id, outcome: 'applied' }] });
    const ticket = s.ticket();
    expect(ticket).toMatchObject({ status: 'acknowledged', acknowledgedAt: ACKED_AT, acknowledgedBy: 'desk:jira:Mia Krystof' });
    expect(ticket.sla.find((c) => c.target === 'respond')!.metAt).toBe(ACKED_AT);
    expect(ticket.sla.find((c) => c.target === 'plan')!.metAt).toBeNull();
    expect(s.outbox()).toEqual([['halo', 'acknowledged']]);

    const events = s.events().length;
    const again = await s.jira(IN_PROGRESS);
    expect(again.json().changes[0].outcome).toBe('unchanged');
    expect(s.events()).toHaveLength(events);
    expect(s.outbox()).toEqual([['halo', 'acknowledged']]);
  });

  it('a bad or missing signature, an unknown desk or a desk without inbound: 401 with nothing beyond the code, nothing changes, counted', async () => {
    const s = await setup();
    const before = s.ticket();
    const refused = [
      await s.jira(IN_PROGRESS, 'not-the-secret-0123456789'),
      await s.app.inject({
        method: 'POST',
        url: '/api/v1/desks/jira/inbound',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(IN_PROGRESS),
      }),
      await s.app.inject({ method: 'POST', url: '/api/v1/desks/nosuch/inbound', headers: { 'content-type': 'application/json' }, payload: '{}' }),
    ];
    for (const r of refused) {
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ error: 'unauthorized', message: 'unauthorized' });
    }
    expect(s.ticket()).toEqual(before);
    expect(s.events()).toHaveLength(1);
    expect(s.outbox()).toEqual([]);
    expect(await s.metrics.registry.metrics()).toMatch(/watchpost_rejections_total\{reason="desk_push_refused"\} 3/);
  });

  it('a desk priority change is recorded as a note (once per value), Watchpost keeps its own priority', async () => {
    const s = await setup();
    const push = jiraIssueUpdated('OPS-7', { name: 'In Progress', category: 'indeterminate' }, 'In Progress', [
      { field: 'priority', from: '3', fromString: 'Medium', to: '1', toString: 'Highest' },
    ]);
    push.changelog.items.shift();
    expect((await s.jira(push)).json().changes).toEqual([expect.objectContaining({ change: 'priority', outcome: 'noted' })]);
    expect((await s.jira(push)).json().changes).toEqual([expect.objectContaining({ change: 'priority', outcome: 'unchanged' })]);
    const notes = s.events().filter((e) => e.kind === 'note');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.detail).toBe("priority in jira set to Highest by Mia Krystof; Watchpost's priority stays P2 (its urgency x impact matrix)");
    expect(notes[0]!.data).toMatchObject({ origin: 'jira', deskPriority: 'Highest', by: 'desk:jira:Mia Krystof' });
    expect(s.ticket().priority).toBe('P2');
    expect(s.outbox()).toEqual([['halo', 'note']]);
  });

  it('HaloPSA: closed resolves (resolve clock met), reopened later reopens (resolve clock runs again); neither echoed to Halo', async () => {
    const s = await setup();
    const push = (status: number, at: string) => ({ ticket: { id: 1042, status_id: status, priority_id: 3 }, action: { who: 'Sam Tech', datetime: at } });
    const closed = await s.halo(push(9, '2026-11-23T09:45:00'));
    expect(closed.statusCode).toBe(200);
    expect(closed.json().changes).toEqual([
      expect.objectContaining({ change: 'resolved', outcome: 'applied' }),
      expect.objectContaining({ change: 'priority', outcome: 'noted' }),
    ]);
    const resolvedAt = Date.parse('2026-11-23T09:45:00Z');
    expect(s.ticket()).toMatchObject({ status: 'resolved', resolvedAt, resolvedBy: 'desk:halo:Sam Tech' });
    expect(s.ticket().sla.find((c) => c.target === 'resolve')!.metAt).toBe(resolvedAt);
    expect((await s.halo(push(9, '2026-11-23T09:45:00'))).json().changes.map((c: { outcome: string }) => c.outcome)).toEqual(['unchanged', 'unchanged']);

    const reopened = await s.halo(push(2, '2026-11-23T09:50:00'));
    expect(reopened.json().changes.map((c: { change: string; outcome: string }) => [c.change, c.outcome])).toEqual([
      ['reopened', 'applied'],
      ['acknowledged', 'applied'],
      ['priority', 'unchanged'],
    ]);
    expect(s.ticket()).toMatchObject({ status: 'acknowledged', reopenCount: 1, resolvedAt: null, resolvedBy: null, acknowledgedBy: 'desk:halo:Sam Tech' });
    expect(s.ticket().sla.find((c) => c.target === 'resolve')!.metAt).toBeNull();
    expect(s.outbox().filter(([desk]) => desk === 'halo')).toEqual([]);
    expect(s.outbox().filter(([desk]) => desk === 'jira')).toEqual([
      ['jira', 'acknowledged'],
      ['jira', 'reopened'],
      ['jira', 'note'],
      ['jira', 'resolved'],
    ]);
  });

  it('an open-status snapshot does not reopen a ticket Watchpost resolved while the desk has not heard of it yet', async () => {
    const s = await setup();
    // Watchpost resolves (an API resolve): a resolved row is queued for both desks and not yet delivered.
    const engine = createAlertEngine({
      store: s.store,
      rules: () => loadRules(),
      transitions: deskTransitions(
        s.store.deskOutbox,
        () => DESKS,
        () => {},
      ),
      log: quiet,
      now: s.clock.now,
    });
    engine.act(s.ticket().id, { kind: 'resolve' }, 'bootstrap');
    s.clock.set(NOW + 60_000);
    const answer = await s.halo({ ticket: { id: 1042, status_id: 2 }, action: { who: 'Sam Tech', datetime: '2026-11-23T10:00:30' } });
    expect(answer.json().changes.map((c: { outcome: string }) => c.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(s.ticket().status).toBe('resolved');
  });

  it('a proved push that is not JSON, or not the vendor push, is answered 400; a ticket Watchpost did not make is ignored', async () => {
    const s = await setup();
    const payload = Buffer.from('not json');
    const notJson = await s.app.inject({
      method: 'POST',
      url: '/api/v1/desks/jira/inbound',
      headers: { 'content-type': 'text/plain', 'x-hub-signature': hubSignature(payload, JIRA_SECRET) },
      payload,
    });
    expect(notJson.statusCode).toBe(400);
    expect((await s.jira({ issue: 1 })).statusCode).toBe(400);
    const other = await s.jira(jiraIssueUpdated('OPS-999', { name: 'Done', category: 'done' }));
    expect(other.json().changes).toEqual([{ remoteId: 'OPS-999', change: 'resolved', ticketId: null, outcome: 'unknown_ticket' }]);
  });
});

describe('a desk whose inbound block only polls', () => {
  it('refuses every push, even one signed with the secret it would have had', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const pollOnly: DeskSet = {
      ...DESKS,
      inbound: (desk) => (desk === 'jira' ? { ...INBOUND.jira!, push: false, poll: { everyMs: 300_000, max: 50 } } : undefined),
    };
    const { app } = await routeApp((a, { store: s, now }) => {
      const engine = createAlertEngine({
        store: s,
        rules: () => loadRules(),
        transitions: deskTransitions(
          s.deskOutbox,
          () => pollOnly,
          () => {},
        ),
        log: quiet,
        now,
      });
      registerDeskInbound(a, { store: s, engine, desks: () => pollOnly, metrics, now });
    }, fixedClock(NOW));
    const payload = Buffer.from(JSON.stringify(IN_PROGRESS));
    const answer = await app.inject({
      method: 'POST',
      url: '/api/v1/desks/jira/inbound',
      headers: { 'content-type': 'application/json', 'x-hub-signature': hubSignature(payload, JIRA_SECRET) },
      payload,
    });
    expect(answer.statusCode).toBe(401);
  });
});

describe('the inbound block of the desks file', () => {
  it('is refused for a desk type without a push, and needs a secret for a shared-secret scheme', () => {
    expect(() =>
      parseDesks('desks: { hook: { type: webhook, url: "https://x.example/in", inbound: { secret: "0123456789abcdef0" } } }', 'desks.yaml', {}),
    ).toThrow(/desks\.hook\.inbound: a webhook desk has no push or poll/);
    expect(() => parseDesks('desks: { hook: { type: webhook, url: "https://x.example/in", inbound: { secret: 12 } } }', 'desks.yaml', {})).toThrow(
      /inbound\.secret/,
    );
  });
});
