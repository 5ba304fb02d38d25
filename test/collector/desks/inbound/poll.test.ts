// The inbound poll over a real store, the real alert engine's ticket actions and the vendor fakes (Autotask,
// ServiceNow): a ticket whose status is changed in the fake's own table is acknowledged (or resolved) in Watchpost
// after one pass; a repeated pass changes nothing; a 503 changes nothing, is counted and pauses the desk; a pass
// reads at most poll.max tickets, those read longest ago first; the change is queued for the tenant's other desk
// and never for the polled one. Passes are driven directly on an injected clock: nothing sleeps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertEngine } from '../../../../collector/src/alerting/engine.js';
import { loadRules } from '../../../../collector/src/alerting/rules/rules-file.js';
import { autotask, type AutotaskSettings } from '../../../../collector/src/desks/connectors/autotask.js';
import { servicenow, type ServiceNowSettings } from '../../../../collector/src/desks/connectors/servicenow.js';
import type { ConnectorType } from '../../../../collector/src/desks/contract.js';
import { deskTransitions } from '../../../../collector/src/desks/desk-outbox-feed.js';
import { DESK_EVENT_KINDS, type DeskInbound, type DeskRoute, type DeskSet } from '../../../../collector/src/desks/desks-file.js';
import { autotaskInbound } from '../../../../collector/src/desks/inbound/autotask.js';
import { POLL_BACKOFF, startInboundPoller } from '../../../../collector/src/desks/inbound/poll.js';
import { servicenowInbound } from '../../../../collector/src/desks/inbound/servicenow.js';
import { openStore, type Store } from '../../../../collector/src/store/index.js';
import { AT_PICKLISTS, startFakeAutotask, type AtTicket, type FakeAutotask } from '../fakes/autotask.js';
import { SN_USER, startServiceNowFake, type IncidentRow, type ServiceNowFake } from '../fakes/servicenow.js';

const T0 = Date.parse('2026-11-23T09:00:00Z');
const NOW = Date.parse('2026-11-23T10:00:00Z');
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const AT_SECRET = 'at-secret-9b8c7d6e';
const AT_CODE = 'INTEGRATIONCODE27CHARSXXXXX';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const stub = { schema: {} as never, create: () => ({ deliver: async () => ({ kind: 'ok' as const }) }) } as unknown as ConnectorType<Record<string, unknown>>;
const route = (
  desk: string,
  type: string,
  connector: ConnectorType<Record<string, unknown>>,
  settings: Record<string, unknown>,
  secrets: string[] = [],
): DeskRoute => ({
  desk,
  type,
  connector,
  settings,
  events: new Set(DESK_EVENT_KINDS),
  secrets,
});

function deskSet(polled: DeskRoute, inbound: DeskInbound): DeskSet {
  const routes = [polled, route('other', 'webhook', stub, {})];
  return {
    routes: (tenant) => (tenant === 'acme' ? routes : []),
    route: (desk, tenant) => (tenant === 'acme' ? routes.find((r) => r.desk === desk) : undefined),
    names: () => routes.map((r) => r.desk),
    concurrency: () => 4,
    inbound: (desk) => (desk === polled.desk ? inbound : undefined),
  };
}

async function world(polled: DeskRoute, inbound: DeskInbound) {
  let t = NOW;
  const now = () => t;
  const dir = mkdtempSync(join(tmpdir(), 'wp-poll-'));
  const store: Store = openStore(join(dir, 'watchpost.db'), { now });
  cleanups.push(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const desks = deskSet(polled, inbound);
  const engine = createAlertEngine({
    store,
    rules: () => loadRules(),
    transitions: deskTransitions(
      store.deskOutbox,
      () => desks,
      () => {},
    ),
    log: quiet,
    now,
  });
  const poller = startInboundPoller({
    store,
    desks: () => desks,
    act: (id, a, by, src) => engine.act(id, a, by, src),
    log: quiet,
    now,
    tickMs: 0,
    random: () => 0,
  });
  cleanups.push(() => poller.stop());
  let host = 0;
  const open = (remoteId: string): number => {
    const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: `db-${++host}`, os: 'linux', arch: 'x64', agentVersion: '1' });
    const clock = (target: 'respond' | 'plan' | 'resolve', minutes: number) => ({
      target,
      startedAt: T0,
      dueAt: T0 + minutes * 60_000,
      warnAt: T0 + minutes * 45_000,
    });
    const ticket = store.tickets.open(
      {
        tenant: 'acme',
        host: `db-${host}`,
        agentId,
        ruleId: 'disk_space',
        title: `Disk space on db-${host}`,
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
    store.deskOutbox.setRemote(polled.desk, ticket.id, remoteId, null, T0);
    return ticket.id;
  };
  const outbox = () => store.deskOutbox.list({ limit: 100 }).map((r) => [r.desk, r.kind]);
  return {
    store,
    poller,
    open,
    outbox,
    set: (ms: number) => void (t = ms),
    ticket: (id: number) => store.tickets.get(id)!,
    events: (id: number) => store.tickets.events(id),
  };
}

describe('inbound poll: Autotask', () => {
  async function autotaskWorld(max = 50) {
    const at: FakeAutotask = await startFakeAutotask({
      username: 'watchpost-api@acme-msp.example',
      secret: AT_SECRET,
      integrationCode: AT_CODE,
      companies: [{ id: 175, companyName: 'Acme Corp' }],
      picklists: AT_PICKLISTS,
      udfs: [],
      categoryDueDate: false,
    });
    cleanups.push(() => at.close());
    const settings: AutotaskSettings = {
      username: 'watchpost-api@acme-msp.example',
      secret: AT_SECRET,
      integration_code: AT_CODE,
      zone_discovery_url: `${at.url}/atservicesrest/v1.0/ZoneInformation`,
      company_id: 175,
      queue_id: 29683,
    };
    const polled = route('at', 'autotask', autotask as unknown as ConnectorType<Record<string, unknown>>, settings, [AT_SECRET, AT_CODE]);
    const w = await world(polled, { desk: 'at', type: 'autotask', vendor: autotaskInbound, settings: {}, push: false, poll: { everyMs: 300_000, max } });
    /** A ticket in the fake's table, as the connector would have created it. */
    const seed = (): AtTicket => {
      const row: AtTicket = {
        id: 7001 + at.tickets.length,
        companyID: 175,
        title: 'Disk space',
        description: '',
        status: 1,
        priority: 1,
        queueID: 29683,
        externalID: null,
        dueDateTime: null,
        resolution: null,
        userDefinedFields: [],
        notes: [],
      };
      at.tickets.push(row);
      return row;
    };
    const reads = () => at.requests.filter((r) => r.method === 'GET' && /\/tickets\/\d+$/i.test(r.path)).map((r) => r.path.split('/').pop());
    return { ...w, at, seed, reads };
  }

  it('a ticket set In Progress in Autotask is acknowledged in Watchpost after one pass; a repeat pass changes nothing; no echo to Autotask', async () => {
    const w = await autotaskWorld();
    const row = w.seed();
    const id = w.open(String(row.id));
    expect((await w.poller.pass('at')).applied.filter((a) => a.outcome !== 'unchanged')).toEqual([]);
    expect(w.ticket(id).status).toBe('open');

    row.status = 8;
    row.lastActivityDate = '2026-11-23T09:50:00.000';
    row.lastActivityResourceID = 29682885;
    const pass = await w.poller.pass('at');
    expect(pass).toMatchObject({ read: 1, failed: 0 });
    expect(pass.applied.map((a) => [a.change, a.outcome])).toEqual([
      ['reopened', 'unchanged'],
      ['acknowledged', 'applied'],
    ]);
    expect(w.ticket(id)).toMatchObject({
      status: 'acknowledged',
      acknowledgedAt: Date.parse('2026-11-23T09:50:00Z'),
      acknowledgedBy: 'desk:at:resource 29682885',
    });
    expect(w.outbox()).toEqual([['other', 'acknowledged']]);

    const events = w.events(id).length;
    const again = await w.poller.pass('at');
    expect(again.applied.every((a) => a.outcome === 'unchanged')).toBe(true);
    expect(w.events(id)).toHaveLength(events);
    expect(w.outbox()).toEqual([['other', 'acknowledged']]);
    expect(w.reads()).toEqual(['7001', '7001', '7001']);
  });

  it('Complete resolves; a priority change after the first read is recorded once, the first read is only its baseline', async () => {
    const w = await autotaskWorld();
    const row = w.seed();
    const id = w.open(String(row.id));
    await w.poller.pass('at');
    expect(w.events(id).filter((e) => e.kind === 'note')).toEqual([]);
    row.priority = 4;
    row.status = 5;
    const pass = await w.poller.pass('at');
    expect(pass.applied.map((a) => [a.change, a.outcome])).toEqual([
      ['resolved', 'applied'],
      ['priority', 'noted'],
    ]);
    expect(w.ticket(id)).toMatchObject({ status: 'resolved', resolvedBy: 'desk:at:unknown' });
    expect((await w.poller.pass('at')).applied.every((a) => a.outcome === 'unchanged')).toBe(true);
  });

  it('a 503 changes nothing, is counted, and pauses the desk until its backoff has passed', async () => {
    const w = await autotaskWorld();
    const row = w.seed();
    const id = w.open(String(row.id));
    row.status = 8;
    w.at.failNext((r) => r.method === 'GET' && /\/tickets\/\d+$/i.test(r.path), { status: 503, body: 'Service Unavailable' });
    const failed = await w.poller.pass('at');
    expect(failed).toMatchObject({ read: 0, failed: 1, applied: [] });
    expect(w.poller.failures('at')).toBe(1);
    expect(w.ticket(id).status).toBe('open');
    expect(w.outbox()).toEqual([]);

    expect(await w.poller.pass('at')).toMatchObject({ skipped: 'paused', read: 0 });
    w.set(NOW + POLL_BACKOFF.baseMs);
    expect(await w.poller.pass('at')).toMatchObject({ read: 1, failed: 0 });
    expect(w.ticket(id).status).toBe('acknowledged');
  });

  it('reads at most poll.max tickets per pass, those read longest ago first, and skips resolved tickets after a day', async () => {
    const w = await autotaskWorld(2);
    const ids = [w.seed(), w.seed(), w.seed()].map((row) => w.open(String(row.id)));
    expect((await w.poller.pass('at')).read).toBe(2);
    expect((await w.poller.pass('at')).read).toBe(2);
    expect(w.reads()).toEqual(['7001', '7002', '7003', '7001']);
    w.at.tickets[0]!.status = 5;
    await w.poller.pass('at'); // reads 7002, 7003
    await w.poller.pass('at'); // reads 7001 (now resolved), 7002
    expect(w.ticket(ids[0]!).status).toBe('resolved');
    w.set(NOW + 25 * 3_600_000);
    await w.poller.pass('at'); // 7001 was resolved over a day ago: 7003, then 7002
    expect(w.reads().slice(-6)).toEqual(['7002', '7003', '7001', '7002', '7003', '7002']);
  });
});

describe('inbound poll: ServiceNow', () => {
  it('an incident set Resolved in ServiceNow resolves the ticket after one pass; a 4xx for one incident moves on to the next', async () => {
    const sn: ServiceNowFake = await startServiceNowFake();
    cleanups.push(() => sn.close());
    const settings: ServiceNowSettings = { url: sn.url, username: SN_USER.username, password: SN_USER.password };
    const polled = route('sn', 'servicenow', servicenow as unknown as ConnectorType<Record<string, unknown>>, settings, [SN_USER.password]);
    const w = await world(polled, {
      desk: 'sn',
      type: 'servicenow',
      vendor: servicenowInbound,
      settings: {},
      push: false,
      poll: { everyMs: 300_000, max: 50 },
    });
    const incident = (sysId: string, state: string): IncidentRow => {
      const row = { sys_id: sysId, number: 'INC0010001', state, priority: '2', impact: '2', urgency: '2', short_description: 'Disk space', work_notes: [] };
      sn.incidents.set(sysId, row as unknown as IncidentRow);
      return sn.incidents.get(sysId)!;
    };
    const gone = w.open('0'.repeat(32));
    const row = incident('9d385017c611228701d22104cc95c371', '1');
    const id = w.open(row.sys_id);
    expect(await w.poller.pass('sn')).toMatchObject({ read: 1, failed: 1 });
    expect(w.poller.failures('sn')).toBe(1);
    row.state = '6';
    const pass = await w.poller.pass('sn');
    expect(pass.applied.filter((a) => a.ticketId === id).map((a) => [a.change, a.outcome])).toEqual([['resolved', 'applied']]);
    expect(w.ticket(id)).toMatchObject({ status: 'resolved' });
    expect(w.ticket(gone).status).toBe('open');
    expect(w.outbox()).toEqual([['other', 'resolved']]);
  });
});
