// The Autotask connector against a local fake of zone discovery, the entities' field information and the ticket
// endpoints it uses (fakes/autotask.ts, which enforces Autotask's documented rules: field lengths, required fields,
// picklist values that exist). The delivery contract every ticketing connector shares (a retry after a lost answer
// finds the ticket, a first event the desk never saw creates it, 429 / 503 / 400 / refused credentials / HTML on a
// 200) is in connector-contract.ts; this file covers what is Autotask's own: search by the correlation key (externalID,
// or a UDF), a key that fits externalID's 50 characters, dueDateTime on create, notes internal by default, picklist ids
// read from entityInformation/fields by label, priority on escalation, Complete with a resolution, reopen, the zone
// asked once, requests one at a time, the desk test, and Autotask's 500 {"errors"} refusals (failed) as against other
// 500s (retryable).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { autotask, zoneBase, type AutotaskSettings } from '../../../collector/src/desks/connectors/autotask.js';
import { deliveryContext, deskEvent, OPENED_AT } from './events.js';
import { AT_PICKLISTS, AT_TEST_INSTANCE as INSTANCE, atTestSettings, startFakeAutotask, type FakeAutotask } from './fakes/autotask.js';

const { secret: SECRET, integrationCode: CODE } = INSTANCE;
/** The resolve target's due time of deskTicket(), as Autotask takes a UTC datetime. */
const RESOLVE_DUE = new Date(OPENED_AT + 8 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

let at: FakeAutotask;
beforeAll(async () => {
  at = await startFakeAutotask(INSTANCE);
});
afterAll(() => at.close());
beforeEach(() => {
  at.tickets.length = 0;
  at.requests.length = 0;
  at.instance.picklists = AT_PICKLISTS;
  at.instance.categoryDueDate = false;
});

const settings = (over: Partial<AutotaskSettings> = {}): AutotaskSettings => ({
  ...atTestSettings(at),
  status_reopened: 8,
  ...over,
});
const connector = (over: Partial<AutotaskSettings> = {}, fetcher: typeof fetch = fetch) =>
  autotask.create(settings(over), { fetch: fetcher, now: () => OPENED_AT + 60_000 });
const paths = () => at.requests.map((r) => `${r.method} ${r.path}`);
const fieldsCalls = (entity: string) => at.requests.filter((r) => r.method === 'GET' && r.path === `/ATServicesRest/V1.0/${entity}/entityInformation/fields`);

describe('autotask connector', () => {
  it("asks the zone, searches by the key, reads the picklists, then creates on 'opened' (company, queue, status, priority, externalID, due)", async () => {
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(paths()).toEqual([
      'GET /atservicesrest/v1.0/ZoneInformation',
      'POST /ATServicesRest/V1.0/Tickets/query',
      'GET /ATServicesRest/V1.0/Tickets/entityInformation/fields',
      'POST /ATServicesRest/V1.0/Tickets',
    ]);
    expect(at.requests[0]!.query.get('user')).toBe(INSTANCE.username);
    expect(at.requests[0]!.headers.secret).toBeUndefined();
    expect(at.requests[1]!.json).toEqual({ filter: [{ op: 'eq', field: 'externalID', value: 'watchpost-acme-42' }] });
    expect(at.requests[2]!.headers).toMatchObject({ apiintegrationcode: CODE, username: INSTANCE.username, secret: SECRET });
    expect(at.tickets).toEqual([
      expect.objectContaining({
        companyID: 175,
        queueID: 29683,
        status: 1,
        priority: 1,
        title: '[P2] Disk space low on srv1',
        externalID: 'watchpost-acme-42',
        dueDateTime: RESOLVE_DUE,
      }),
    ]);
    expect(at.tickets[0]!.description).toContain('Rule: disk_space');
  });

  it('asks the zone once per connector', async () => {
    const c = connector();
    await c.deliver(deskEvent('opened'), deliveryContext());
    await c.deliver(deskEvent('note'), deliveryContext('7001'));
    expect(at.requests.filter((r) => r.path.toLowerCase().endsWith('/zoneinformation'))).toHaveLength(1);
  });

  it('a zone lookup that fails is asked again on the next delivery', async () => {
    at.failNext((r) => r.path.toLowerCase().endsWith('/zoneinformation'), { status: 503, body: 'unavailable' });
    const c = connector();
    expect((await c.deliver(deskEvent('opened'), deliveryContext())).kind).toBe('retryable');
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'ok' });
  });

  it('with correlation_udf, stores and searches the key in that UDF instead', async () => {
    const c = connector({ correlation_udf: 'Watchpost Key' });
    await c.deliver(deskEvent('opened'), deliveryContext());
    expect(at.tickets[0]).toMatchObject({ externalID: null, userDefinedFields: [{ name: 'Watchpost Key', value: 'watchpost-acme-42' }] });
    expect(at.requests.find((r) => r.path.endsWith('/query'))!.json).toEqual({
      filter: [{ op: 'eq', field: 'Watchpost Key', udf: true, value: 'watchpost-acme-42' }],
    });
    expect(await c.deliver(deskEvent('note'), deliveryContext(null))).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(at.tickets).toHaveLength(1);
  });

  it('adds note events as ticket notes with a title', async () => {
    const c = connector({ note_publish: 2 });
    await c.deliver(deskEvent('opened'), deliveryContext());
    expect(await c.deliver(deskEvent('sla_approaching', {}, 'respond due in 3 min'), deliveryContext('7001'))).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(at.requests.at(-1)!.path).toBe('/ATServicesRest/V1.0/Tickets/7001/Notes');
    expect(at.tickets[0]!.notes).toEqual([
      { title: 'Watchpost: SLA approaching', description: 'SLA approaching: respond due in 3 min', noteType: 1, publish: 2 },
    ]);
    expect(fieldsCalls('TicketNotes'), 'ids named in the settings are sent as they are').toHaveLength(0);
  });

  it('changes the priority on escalation (PATCH Tickets) and notes why', async () => {
    const c = connector();
    await c.deliver(deskEvent('opened'), deliveryContext());
    expect(await c.deliver(deskEvent('escalated', { priority: 'P1' }, 'priority P2 -> P1'), deliveryContext('7001'))).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(at.requests.find((r) => r.method === 'PATCH')!.json).toEqual({ id: 7001, priority: 4 });
    expect(at.tickets[0]).toMatchObject({ priority: 4, notes: [expect.objectContaining({ description: 'Escalated: priority P2 -> P1' })] });
  });

  it('resolved sets status Complete (5) with the resolution', async () => {
    const c = connector();
    await c.deliver(deskEvent('opened'), deliveryContext());
    expect(await c.deliver(deskEvent('resolved', {}, 'used_percent back to 71'), deliveryContext('7001'))).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(at.tickets[0]).toMatchObject({ status: 5, resolution: 'used_percent back to 71' });
  });

  it('reopens to the configured status and adds a note', async () => {
    const c = connector();
    await c.deliver(deskEvent('opened'), deliveryContext());
    await c.deliver(deskEvent('resolved'), deliveryContext('7001'));
    expect(await c.deliver(deskEvent('reopened', { reopenCount: 1 }, 'breached again'), deliveryContext('7001'))).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(at.tickets[0]!.status).toBe(8);
    expect(at.tickets[0]!.notes.at(-1)!.description).toBe('Reopened: breached again');
  });

  it("a ticket created by a 'resolved' first event carries the key in externalID and the event's text as its resolution", async () => {
    await connector().deliver(deskEvent('resolved', {}, 'recovered'), deliveryContext());
    expect(at.tickets[0]).toMatchObject({ resolution: 'recovered', externalID: 'watchpost-acme-42' });
  });

  it('a create missing what Autotask requires is refused by the desk (HTTP 500 {"errors"}, as documented): failed with the errors, not retried', async () => {
    const res = await fetch(`${at.url}/ATServicesRest/V1.0/Tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ApiIntegrationCode: CODE, UserName: INSTANCE.username, Secret: SECRET },
      body: JSON.stringify({ companyID: 175, title: 'no queue, status or priority' }),
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ errors: ['status is required.', 'priority is required.', 'queueID is required.', 'dueDateTime is required.'] });
    const result = await connector({ queue_id: 1 }).deliver(deskEvent('opened'), deliveryContext());
    expect(result).toEqual({ kind: 'failed', reason: 'POST /ATServicesRest/V1.0/Tickets: HTTP 500, refused: Value 1 does not exist for queueID.' });
    expect(at.tickets).toHaveLength(0);
  });

  it('the errors of a refusal are redacted in the reason', async () => {
    at.failNext((r) => r.path.endsWith('/query'), {
      status: 500,
      body: { errors: [`User ${INSTANCE.username} with secret ${SECRET} and code ${CODE} is not allowed.`] },
    });
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('is not allowed') });
    const reason = (result as { reason: string }).reason;
    expect(reason).not.toContain(SECRET);
    expect(reason).not.toContain(CODE);
  });

  it('a 500 without errors (empty body, an empty errors array, other JSON, an HTML page) is a server fault: retryable', async () => {
    for (const body of [undefined, { errors: [] }, { message: 'An unexpected error occurred' }, '<html>Server Error</html>']) {
      at.failNext((r) => r.path.endsWith('/query'), { status: 500, body });
      expect(await connector().deliver(deskEvent('opened'), deliveryContext())).toMatchObject({
        kind: 'retryable',
        reason: expect.stringContaining('HTTP 500'),
      });
    }
    expect(at.tickets).toHaveLength(0);
  });

  it('a stored id that is not an Autotask id is failed, not sent', async () => {
    const before = at.requests.length;
    expect(await connector().deliver(deskEvent('note'), deliveryContext('INC0010001'))).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('not an Autotask ticket id'),
    });
    expect(at.requests.slice(before).filter((r) => r.path.includes('/Tickets'))).toHaveLength(0);
  });

  it('zoneBase adds the version to the zone URL Autotask answers', () => {
    expect(zoneBase('https://webservices2.autotask.net/ATServicesRest/')).toBe('https://webservices2.autotask.net/ATServicesRest/V1.0/');
    expect(zoneBase('https://webservices5.autotask.net/atservicesrest')).toBe('https://webservices5.autotask.net/atservicesrest/V1.0/');
    expect(zoneBase('https://webservices5.autotask.net/atservicesrest/v1.0/')).toBe('https://webservices5.autotask.net/atservicesrest/v1.0/');
  });
});

describe("autotask: Autotask's documented rules", () => {
  const LONG_TENANT = 'northwind-traders-international-holdings-emea-managed-svc001';
  const longKey = `watchpost-${LONG_TENANT}-42`;
  const shortKey = `wp-${createHash('sha256').update(LONG_TENANT).digest('hex').slice(0, 12)}-42`;

  it('Tickets.externalID holds at most 50 characters: a longer key is stored and searched in a short stable form', async () => {
    expect(LONG_TENANT).toHaveLength(60);
    expect(longKey.length).toBeGreaterThan(50);
    const event = deskEvent('opened', { tenant: LONG_TENANT, correlationKey: longKey });
    at.failNext((r) => r.method === 'POST' && r.path.endsWith('/Tickets'), 'drop-after-handling');
    const c = connector();
    expect((await c.deliver(event, deliveryContext())).kind).toBe('retryable');
    expect(at.tickets.map((t) => t.externalID)).toEqual([shortKey]);
    expect(await c.deliver(event, deliveryContext()), 'the retry finds the ticket by the same short form').toEqual({ kind: 'ok', remoteId: '7001' });
    expect(at.tickets).toHaveLength(1);
    expect(await connector().deliver(deskEvent('note', { tenant: LONG_TENANT, correlationKey: longKey }), deliveryContext())).toEqual({
      kind: 'ok',
      remoteId: '7001',
    });
    expect(at.requests.filter((r) => r.path.endsWith('/query')).map((r) => r.json)).toEqual(
      Array(3).fill({ filter: [{ op: 'eq', field: 'externalID', value: shortKey }] }),
    );
    expect(at.tickets[0]!.description, 'the full key stays readable in the description').toContain(longKey);
  });

  it('the fake refuses an externalID over 50 characters as Autotask does (HTTP 500 {"errors"}): failed, not retried', async () => {
    const res = await fetch(`${at.url}/ATServicesRest/V1.0/Tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ApiIntegrationCode: CODE, UserName: INSTANCE.username, Secret: SECRET },
      body: JSON.stringify({ companyID: 175, title: 't', status: 1, priority: 2, queueID: 29683, dueDateTime: RESOLVE_DUE, externalID: longKey }),
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ errors: ['externalID: value exceeds the maximum length of 50 characters (73).'] });
  });

  it("sends dueDateTime (the resolve target's due time) on create, which a category without a default due date requires", async () => {
    await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(at.requests.find((r) => r.method === 'POST' && r.path.endsWith('/Tickets'))!.json).toMatchObject({ dueDateTime: RESOLVE_DUE });
    expect(at.tickets[0]!.dueDateTime).toBe(RESOLVE_DUE);
  });

  it('without a resolve target the latest other target is the due time; with no SLA at all none is sent', async () => {
    const respondOnly = [{ target: 'respond' as const, dueAt: OPENED_AT + 600_000, metAt: null }];
    await connector().deliver(deskEvent('opened', { sla: respondOnly }), deliveryContext());
    expect(at.tickets[0]!.dueDateTime).toBe('2026-11-23T09:15:00Z');
    at.instance.categoryDueDate = true;
    await connector().deliver(deskEvent('opened', { id: 43, correlationKey: 'watchpost-acme-43', sla: [] }), deliveryContext());
    expect(at.tickets[1]!.dueDateTime).toBeNull();
  });

  it('send_due_date: false leaves the due date to the ticket category; without one Autotask refuses: failed with its error', async () => {
    const result = await connector({ send_due_date: false }).deliver(deskEvent('opened'), deliveryContext());
    expect(result).toEqual({ kind: 'failed', reason: 'POST /ATServicesRest/V1.0/Tickets: HTTP 500, refused: dueDateTime is required.' });
    at.instance.categoryDueDate = true;
    expect(await connector({ send_due_date: false }).deliver(deskEvent('opened'), deliveryContext())).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(at.tickets[0]!.dueDateTime).toBeNull();
  });

  it('notes are internal by default: the publish value labelled Internal (not 1, "All Autotask Users", which customers see)', async () => {
    const c = connector();
    await c.deliver(deskEvent('opened'), deliveryContext());
    await c.deliver(deskEvent('note', {}, 'first'), deliveryContext('7001'));
    await c.deliver(deskEvent('sla_breached', {}, 'second'), deliveryContext('7001'));
    expect(at.tickets[0]!.notes.map((n) => [n.publish, n.noteType])).toEqual([
      [2, 1],
      [2, 1],
    ]);
    expect(fieldsCalls('TicketNotes'), 'read once per connector').toHaveLength(1);
  });

  it('an instance whose internal publish value has another id and label is read, not assumed', async () => {
    at.instance.picklists = {
      ...AT_PICKLISTS,
      publish: [
        { value: 1, label: 'All Autotask Users' },
        { value: 4, label: 'Internal & Co-Managed' },
        { value: 3, label: 'Internal Users Only' },
      ],
    };
    const c = connector();
    await c.deliver(deskEvent('opened'), deliveryContext());
    await c.deliver(deskEvent('note'), deliveryContext('7001'));
    expect(at.tickets[0]!.notes[0]!.publish).toBe(3);
  });

  it('note_publish and note_type may name a label; a label the picklist lacks is failed, naming the active ones', async () => {
    const c = connector({ note_publish: 'All Autotask Users', note_type: 'Task Detail' });
    await c.deliver(deskEvent('opened'), deliveryContext());
    await c.deliver(deskEvent('note'), deliveryContext('7001'));
    expect(at.tickets[0]!.notes[0]).toMatchObject({ publish: 1, noteType: 2 });
    const result = await connector({ note_publish: 'Customers' }).deliver(deskEvent('note'), deliveryContext('7001'));
    expect(result).toEqual({
      kind: 'failed',
      reason:
        'note_publish: TicketNotes.publish has no active value labelled "Customers" (active: 1 All Autotask Users, 2 Internal Only, 4 Internal & Co-Managed)',
    });
  });

  it("statuses and priorities are read by label from Tickets' picklists, once per connector, not assumed to be 1/5 and 4/1/2/3", async () => {
    at.instance.picklists = {
      ...AT_PICKLISTS,
      status: [
        { value: 11, label: 'New' },
        { value: 15, label: 'Complete' },
        { value: 18, label: 'In Progress' },
      ],
      priority: [
        { value: 6, label: 'Critical' },
        { value: 7, label: 'High' },
        { value: 8, label: 'Medium' },
        { value: 9, label: 'Low' },
      ],
    };
    const c = connector({ status_reopened: 'In Progress' });
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(at.tickets[0]).toMatchObject({ status: 11, priority: 7 });
    await c.deliver(deskEvent('escalated', { priority: 'P1' }), deliveryContext('7001'));
    expect(at.tickets[0]!.priority).toBe(6);
    await c.deliver(deskEvent('resolved'), deliveryContext('7001'));
    expect(at.tickets[0]!.status).toBe(15);
    await c.deliver(deskEvent('reopened'), deliveryContext('7001'));
    expect(at.tickets[0]!.status).toBe(18);
    expect(fieldsCalls('Tickets')).toHaveLength(1);
  });

  it('priority_map and statuses may still name ids, sent as they are (the desk refuses one it lacks)', async () => {
    const c = connector({ priority_map: { P2: 3 }, status_new: 8 });
    await c.deliver(deskEvent('opened'), deliveryContext());
    expect(at.tickets[0]).toMatchObject({ status: 8, priority: 3 });
    const result = await connector({ status_new: 99 }).deliver(deskEvent('opened', { id: 43, correlationKey: 'watchpost-acme-43' }), deliveryContext());
    expect(result).toEqual({ kind: 'failed', reason: 'POST /ATServicesRest/V1.0/Tickets: HTTP 500, refused: Value 99 does not exist for status.' });
  });

  it('a priority label the picklist lacks is failed before anything is created; an inactive value does not count', async () => {
    const result = await connector({ priority_map: { P2: 'Urgent' }, status_new: 'Waiting Materials' }).deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('status_new: Tickets.status has no active value labelled "Waiting Materials"'),
    });
    expect(at.tickets).toHaveLength(0);
  });

  it('field information that does not answer is retryable and read again on the next delivery', async () => {
    at.failNext((r) => r.path.endsWith('/entityInformation/fields'), { status: 503, body: 'unavailable' });
    const c = connector();
    expect((await c.deliver(deskEvent('opened'), deliveryContext())).kind).toBe('retryable');
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(fieldsCalls('Tickets')).toHaveLength(2);
  });
});

describe('autotask: concurrency', () => {
  /** fetch that counts the requests in flight at once. */
  function counting() {
    const seen = { now: 0, max: 0 };
    const fetcher: typeof fetch = async (input, init) => {
      seen.max = Math.max(seen.max, ++seen.now);
      try {
        return await fetch(input, init);
      } finally {
        seen.now--;
      }
    };
    return { seen, fetcher };
  }

  it("the connector type names Autotask's limit of 3 concurrent requests per endpoint and integration", () => {
    expect(autotask.defaultConcurrency).toBe(3);
  });

  it('one delivery sends its requests one after another', async () => {
    const { seen, fetcher } = counting();
    const c = connector({}, fetcher);
    await c.deliver(deskEvent('resolved'), deliveryContext());
    await c.deliver(deskEvent('reopened'), deliveryContext('7001'));
    await c.test!(AbortSignal.timeout(10_000));
    expect(at.requests.length).toBeGreaterThan(8);
    expect(seen.max).toBe(1);
  });

  it('three deliveries at once (what the dispatcher allows) never have more than three requests in flight', async () => {
    const { seen, fetcher } = counting();
    const c = connector({}, fetcher);
    const results = await Promise.all(
      [42, 43, 44].map((id) => c.deliver(deskEvent('opened', { id, correlationKey: `watchpost-acme-${id}` }), deliveryContext())),
    );
    expect(results.map((r) => r.kind)).toEqual(['ok', 'ok', 'ok']);
    expect(seen.max).toBeLessThanOrEqual(3);
  });
});

describe('autotask: desks test', () => {
  const writes = () => at.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/query'));

  it('against a correct setup every check holds, and nothing is created or changed', async () => {
    const checks = await connector().test!(AbortSignal.timeout(10_000));
    expect(checks.map((c) => [c.check, c.ok])).toEqual([
      ['zone', true],
      ['authentication', true],
      ['queue', true],
      ['company', true],
      ['statuses', true],
      ['priorities', true],
      ['notes', true],
      ['correlation', true],
    ]);
    expect(checks.find((c) => c.check === 'queue')!.detail).toContain('Level I Support');
    expect(checks.find((c) => c.check === 'company')!.detail).toContain('Acme Corp');
    expect(checks.find((c) => c.check === 'notes')!.detail).toContain('Internal Only');
    expect(writes()).toEqual([]);
    expect(at.tickets).toHaveLength(0);
    const search = at.requests.find((r) => r.path.endsWith('/Tickets/query'))!;
    expect(search.json).toEqual({ filter: [{ op: 'eq', field: 'externalID', value: expect.stringMatching(/^watchpost-.*\D$/) }] });
  });

  it('a queue, company or label the instance lacks is reported, naming what it has; the other checks still run', async () => {
    const checks = await connector({ queue_id: 1, company_id: 999, priority_map: { P4: 'Lowest' } }).test!(AbortSignal.timeout(10_000));
    const byName = Object.fromEntries(checks.map((c) => [c.check, c]));
    expect(byName.queue).toEqual({
      check: 'queue',
      ok: false,
      detail: 'queueID 1 is not an active queue (active: 29683 Level I Support, 29684 Monitoring Alert)',
    });
    expect(byName.company).toMatchObject({ ok: false, detail: expect.stringContaining('999') });
    expect(byName.priorities).toMatchObject({ ok: false, detail: expect.stringContaining('"Lowest"') });
    expect(byName.statuses!.ok).toBe(true);
    expect(byName.correlation!.ok).toBe(true);
  });

  it('ids named in the settings are checked against the picklists too', async () => {
    const checks = await connector({ status_new: 99, note_publish: 1 }).test!(AbortSignal.timeout(10_000));
    const byName = Object.fromEntries(checks.map((c) => [c.check, c]));
    expect(byName.statuses).toMatchObject({ ok: false, detail: expect.stringContaining('99') });
    expect(byName.notes).toMatchObject({ ok: true, detail: expect.stringContaining('All Autotask Users') });
  });

  it('with correlation_udf the UDF is searched; an unknown one is reported', async () => {
    expect((await connector({ correlation_udf: 'Watchpost Key' }).test!(AbortSignal.timeout(10_000))).at(-1)).toMatchObject({ check: 'correlation', ok: true });
    const bad = (await connector({ correlation_udf: 'No Such UDF' }).test!(AbortSignal.timeout(10_000))).at(-1)!;
    expect(bad).toMatchObject({ check: 'correlation', ok: false, detail: expect.stringContaining('cannot be queried') });
  });

  it('wrong credentials stop after the authentication check, with no secret in the detail', async () => {
    const checks = await connector({ secret: 'wrong-secret-value' }).test!(AbortSignal.timeout(10_000));
    expect(checks.map((c) => [c.check, c.ok])).toEqual([
      ['zone', true],
      ['authentication', false],
    ]);
    expect(checks[1]!.detail).toContain('HTTP 401');
    expect(JSON.stringify(checks)).not.toContain('wrong-secret-value');
  });

  it('a zone lookup for an unknown user stops at the first check', async () => {
    const checks = await connector({ username: 'nobody@example.net' }).test!(AbortSignal.timeout(10_000));
    expect(checks).toEqual([{ check: 'zone', ok: false, detail: expect.stringContaining('HTTP 404') }]);
  });
});
