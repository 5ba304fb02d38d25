// The inbound poll over a real store, the real alert engine's ticket actions and the vendor fakes (Autotask,
// ServiceNow, ConnectWise, HaloPSA, Jira), each answering the single-ticket GET its reader makes as the vendor
// documents it: a ticket whose status is changed in the fake's own table is acknowledged (or resolved) in Watchpost
// after one pass, as the vendor's default statuses say; a repeated pass changes nothing; a priority changed after
// the first read (its baseline) is recorded once; a ticket the desk no longer has (404) is counted, not applied; a
// 503 changes nothing, is counted and pauses the desk; a pass reads at most poll.max tickets, those read longest ago
// first; the change is queued for the tenant's other desk and never for the polled one. Passes are driven directly
// on an injected clock: nothing sleeps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertEngine } from '../../../../collector/src/alerting/engine.js';
import { loadRules } from '../../../../collector/src/alerting/rules/rules-file.js';
import { autotask } from '../../../../collector/src/desks/connectors/autotask.js';
import { connectwise, POLL_FIELDS as CW_POLL_FIELDS } from '../../../../collector/src/desks/connectors/connectwise.js';
import { halopsa } from '../../../../collector/src/desks/connectors/halopsa.js';
import { jira, POLL_FIELDS as JIRA_POLL_FIELDS } from '../../../../collector/src/desks/connectors/jira.js';
import { servicenow } from '../../../../collector/src/desks/connectors/servicenow.js';
import type { ConnectorType } from '../../../../collector/src/desks/contract.js';
import { deskTransitions } from '../../../../collector/src/desks/desk-outbox-feed.js';
import { DESK_EVENT_KINDS, type DeskInbound, type DeskRoute, type DeskSet } from '../../../../collector/src/desks/desks-file.js';
import { autotaskInbound } from '../../../../collector/src/desks/inbound/autotask.js';
import { connectwiseInbound } from '../../../../collector/src/desks/inbound/connectwise.js';
import { haloInbound } from '../../../../collector/src/desks/inbound/halopsa.js';
import { jiraInbound } from '../../../../collector/src/desks/inbound/jira.js';
import { POLL_BACKOFF, startInboundPoller } from '../../../../collector/src/desks/inbound/poll.js';
import { servicenowInbound } from '../../../../collector/src/desks/inbound/servicenow.js';
import { openStore, type Store } from '../../../../collector/src/store/index.js';
import { AT_TEST_INSTANCE, atTestSettings, startFakeAutotask, type AtTicket, type FakeAutotask } from '../fakes/autotask.js';
import { CW_TEST_INSTANCE, cwTestSettings, startFakeConnectWise } from '../fakes/connectwise.js';
import { HALO_APP, haloTestSettings, startHaloFake } from '../fakes/halopsa.js';
import { JIRA_ACCOUNT, JIRA_DESK, jiraTestSettings, jiraTime, startJiraFake, type JiraIssueRow } from '../fakes/jira.js';
import { SN_USER, snTestSettings, startServiceNowFake, type IncidentRow, type ServiceNowFake } from '../fakes/servicenow.js';

const T0 = Date.parse('2026-11-23T09:00:00Z');
const NOW = Date.parse('2026-11-23T10:00:00Z');
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

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
    tenants: () => ['acme'],
    defaultRoutes: () => [],
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
    const at: FakeAutotask = await startFakeAutotask({ ...AT_TEST_INSTANCE, udfs: [] });
    cleanups.push(() => at.close());
    const secrets = [AT_TEST_INSTANCE.secret, AT_TEST_INSTANCE.integrationCode];
    const polled = route('at', 'autotask', autotask as unknown as ConnectorType<Record<string, unknown>>, atTestSettings(at), secrets);
    const w = await world(polled, polling('at', 'autotask', autotaskInbound, max));
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
    const polled = route('sn', 'servicenow', servicenow as unknown as ConnectorType<Record<string, unknown>>, snTestSettings(sn), [SN_USER.password]);
    const w = await world(polled, polling('sn', 'servicenow', servicenowInbound));
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

/** A vendor desk the poll tests drive the same way: its fake, the route and inbound block the poller reads it
 *  through, and the fake's table changed as a person in the desk would change it. */
interface PolledDesk {
  route: DeskRoute;
  inbound: DeskInbound;
  /** A ticket in the fake's table as the connector would have made it (its first status, a priority): its desk id. */
  seed(): string;
  /** A desk id the desk has no ticket for. */
  unknownId: string;
  /** Sets the ticket's status to the vendor's default for `change`, updated at `at` (unix ms). */
  setStatus(remoteId: string, change: 'acknowledged' | 'resolved', at: number): void;
  /** Sets another priority on the ticket; answers it as the desk names it (what Watchpost records). */
  setPriority(remoteId: string): string;
  /** Who the ticket's history names for a status change (what the read answers of the last update, else unknown). */
  by: string;
  /** The single-ticket reads the fake answered, as "<path> <query>" (the query decoded). */
  reads(): string[];
  /** The read of one ticket, as reads() shows it. */
  readOf(remoteId: string): string;
  close(): Promise<void>;
}

const asConnector = (c: unknown) => c as ConnectorType<Record<string, unknown>>;
/** An inbound block that only polls, every 5 minutes, at most `max` tickets a pass. */
const polling = (desk: string, type: string, vendor: DeskInbound['vendor'], max = 50): DeskInbound => ({
  desk,
  type,
  vendor,
  settings: {},
  push: false,
  poll: { everyMs: 300_000, max },
});
const readsOf = (requests: Array<{ method: string; path: string; query: URLSearchParams }>, path: RegExp): string[] =>
  requests.filter((r) => r.method === 'GET' && path.test(r.path)).map((r) => `${r.path} ${decodeURIComponent(r.query.toString())}`.trim());

async function connectwiseDesk(): Promise<PolledDesk> {
  const cw = await startFakeConnectWise(CW_TEST_INSTANCE);
  const ticket = (id: string) => cw.tickets.find((t) => String(t.id) === id)!;
  const path = (id: string) => `/v4_6_release/apis/3.0/service/tickets/${id}`;
  return {
    route: route('cw', 'connectwise', asConnector(connectwise), cwTestSettings(cw), [CW_TEST_INSTANCE.privateKey, CW_TEST_INSTANCE.clientId]),
    inbound: polling('cw', 'connectwise', connectwiseInbound),
    seed: () => String(cw.seed({ summary: 'Disk space on db-1 [watchpost-acme-1]', status: 'New', priority: 'Priority 2 - Quick Response' }).id),
    unknownId: '99999',
    setStatus(id, change, at) {
      Object.assign(ticket(id), {
        status: change === 'acknowledged' ? 'In Progress' : 'Completed',
        lastUpdated: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        updatedBy: 'jsmith',
      });
    },
    setPriority: (id) => (ticket(id).priority = 'Priority 1 - Emergency Response'),
    by: 'jsmith',
    reads: () => readsOf(cw.requests, /\/service\/tickets\/\d+$/),
    readOf: (id) => `${path(id)} fields=${CW_POLL_FIELDS}`,
    close: () => cw.close(),
  };
}

async function haloDesk(): Promise<PolledDesk> {
  const halo = await startHaloFake();
  const row = (id: string) => halo.tickets.get(Number(id))!;
  /** A Halo datetime: UTC, no zone. */
  const haloTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '');
  return {
    route: route('halo', 'halopsa', asConnector(halopsa), haloTestSettings(halo), [HALO_APP.clientSecret]),
    inbound: polling('halo', 'halopsa', haloInbound),
    seed() {
      const t = halo.seed('Disk space on db-1 [watchpost-acme-1]');
      Object.assign(t, { client_id: 12, priority_id: 3, lastactiondate: haloTime(T0) });
      return String(t.id);
    },
    unknownId: '99999',
    setStatus(id, change, at) {
      Object.assign(row(id), { status_id: change === 'acknowledged' ? 2 : 9, lastactiondate: haloTime(at) });
    },
    setPriority: (id) => String((row(id).priority_id = 1)),
    by: 'unknown',
    reads: () => readsOf(halo.requests, /^\/api\/Tickets\/\d+$/),
    readOf: (id) => `/api/Tickets/${id}`,
    close: () => halo.close(),
  };
}

async function jiraDesk(): Promise<PolledDesk> {
  const site = await startJiraFake();
  const issue = (key: string) => site.issues.get(key)!;
  let next = 1;
  return {
    route: route('jira', 'jira', asConnector(jira), jiraTestSettings(site), [JIRA_ACCOUNT.apiToken]),
    inbound: polling('jira', 'jira', jiraInbound),
    seed() {
      const n = next++;
      const row: JiraIssueRow = {
        id: String(10000 + n),
        key: `${JIRA_DESK.project}-${n}`,
        requestTypeId: JIRA_DESK.requestTypeId,
        summary: 'Disk space on db-1',
        description: '',
        labels: ['watchpost-acme-1'],
        priority: 'Medium',
        status: 'Waiting for support',
        resolution: null,
        comments: [],
        updated: jiraTime(T0),
      };
      site.issues.set(row.key, row);
      return row.key;
    },
    unknownId: `${JIRA_DESK.project}-999`,
    setStatus(key, change, at) {
      Object.assign(issue(key), change === 'acknowledged' ? { status: 'In Progress' } : { status: 'Resolved', resolution: 'Done' }, { updated: jiraTime(at) });
    },
    setPriority: (key) => (issue(key).priority = 'Highest'),
    by: 'unknown',
    reads: () => readsOf(site.requests, /^\/rest\/api\/3\/issue\/[^/]+$/),
    readOf: (key) => `/rest/api/3/issue/${key} fields=${JIRA_POLL_FIELDS}`,
    close: () => site.close(),
  };
}

describe.each([
  ['ConnectWise', connectwiseDesk],
  ['HaloPSA', haloDesk],
  ['Jira', jiraDesk],
] as const)('inbound poll: %s', (_vendor, start) => {
  async function polledWorld() {
    const desk = await start();
    cleanups.push(() => desk.close());
    const w = await world(desk.route, desk.inbound);
    const name = desk.route.desk;
    const changes = async () => (await w.poller.pass(name)).applied.map((a) => [a.change, a.outcome]);
    return { ...w, desk, name, changes };
  }

  it("a status set in the desk is acknowledged, then resolved, each after one pass, as the vendor's default statuses say; a repeat pass changes nothing; no echo to the desk", async () => {
    const w = await polledWorld();
    const remote = w.desk.seed();
    const id = w.open(remote);
    expect(await w.changes()).toEqual([['reopened', 'unchanged']]);
    expect(w.ticket(id).status).toBe('open');

    w.desk.setStatus(remote, 'acknowledged', Date.parse('2026-11-23T09:50:00Z'));
    expect(await w.changes()).toEqual([
      ['reopened', 'unchanged'],
      ['acknowledged', 'applied'],
    ]);
    expect(w.ticket(id)).toMatchObject({
      status: 'acknowledged',
      acknowledgedAt: Date.parse('2026-11-23T09:50:00Z'),
      acknowledgedBy: `desk:${w.name}:${w.desk.by}`,
    });
    expect(w.outbox()).toEqual([['other', 'acknowledged']]);
    const events = w.events(id).length;
    expect(await w.changes()).toEqual([
      ['reopened', 'unchanged'],
      ['acknowledged', 'unchanged'],
    ]);
    expect(w.events(id)).toHaveLength(events);

    w.desk.setStatus(remote, 'resolved', Date.parse('2026-11-23T09:55:00Z'));
    expect(await w.changes()).toEqual([['resolved', 'applied']]);
    expect(w.ticket(id)).toMatchObject({ status: 'resolved', resolvedAt: Date.parse('2026-11-23T09:55:00Z'), resolvedBy: `desk:${w.name}:${w.desk.by}` });
    expect(await w.changes()).toEqual([['resolved', 'unchanged']]);
    expect(w.outbox().sort()).toEqual([
      ['other', 'acknowledged'],
      ['other', 'resolved'],
    ]);
    expect(w.desk.reads()).toEqual(Array(5).fill(w.desk.readOf(remote)));
  });

  it('a priority set in the desk after the first read is recorded once, and never applied; the first read is only its baseline', async () => {
    const w = await polledWorld();
    const remote = w.desk.seed();
    const id = w.open(remote);
    const notes = () => w.events(id).filter((e) => e.kind === 'note');
    await w.poller.pass(w.name);
    expect(notes()).toEqual([]);

    const priority = w.desk.setPriority(remote);
    expect(await w.changes()).toEqual([
      ['reopened', 'unchanged'],
      ['priority', 'noted'],
    ]);
    expect(notes().map((e) => e.data)).toEqual([expect.objectContaining({ origin: w.name, deskPriority: priority })]);
    expect(w.ticket(id)).toMatchObject({ status: 'open', priority: 'P2' });
    expect(await w.changes()).toEqual([['reopened', 'unchanged']]);
    expect(notes()).toHaveLength(1);
  });

  it('a ticket the desk no longer has (404) is counted as a failed read, nothing applied, and the pass reads the next', async () => {
    const w = await polledWorld();
    const gone = w.open(w.desk.unknownId);
    const remote = w.desk.seed();
    const id = w.open(remote);
    w.desk.setStatus(remote, 'acknowledged', Date.parse('2026-11-23T09:50:00Z'));
    const pass = await w.poller.pass(w.name);
    expect(pass).toMatchObject({ read: 1, failed: 1 });
    expect(w.poller.failures(w.name)).toBe(1);
    expect(w.ticket(gone).status).toBe('open');
    expect(w.ticket(id).status).toBe('acknowledged');
    expect(w.desk.reads()).toEqual([w.desk.readOf(w.desk.unknownId), w.desk.readOf(remote)]);
  });
});
