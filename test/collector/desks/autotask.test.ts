// The Autotask connector against a local fake of zone discovery and the ticket endpoints it uses
// (fakes/autotask.ts): create, search by the correlation key (externalID, or a UDF) so a retry after a lost answer
// opens no second ticket, notes, priority on escalation, Complete with a resolution, reopen, the zone asked once,
// and how 429 / 5xx / 4xx / HTML answers are classified.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { autotask, zoneBase, type AutotaskSettings } from '../../../collector/src/desks/connectors/autotask.js';
import { deliveryContext, deskEvent, OPENED_AT } from './events.js';
import { startFakeAutotask, type FakeAutotask } from './fakes/autotask.js';

const SECRET = 'at-secret-9b8c7d6e';
const CODE = 'INTEGRATIONCODE27CHARSXXXXX';
const INSTANCE = {
  username: 'watchpost-api@acme-msp.example',
  secret: SECRET,
  integrationCode: CODE,
  companies: [175],
  queues: [29683],
  statuses: [1, 5, 8],
  priorities: [1, 2, 3, 4],
  udfs: ['Watchpost Key'],
};

let at: FakeAutotask;
beforeAll(async () => {
  at = await startFakeAutotask(INSTANCE);
});
afterAll(() => at.close());
beforeEach(() => {
  at.tickets.length = 0;
  at.requests.length = 0;
});

const settings = (over: Partial<AutotaskSettings> = {}): AutotaskSettings => ({
  username: INSTANCE.username,
  secret: SECRET,
  integration_code: CODE,
  zone_discovery_url: `${at.url}/atservicesrest/v1.0/ZoneInformation`,
  company_id: 175,
  queue_id: 29683,
  status_reopened: 8,
  ...over,
});
const connector = (over: Partial<AutotaskSettings> = {}) => autotask.create(settings(over), { fetch, now: () => OPENED_AT + 60_000 });
const paths = () => at.requests.map((r) => `${r.method} ${r.path}`);

describe('autotask connector', () => {
  it("asks the zone, searches by the key, then creates on 'opened' (company, queue, status, priority, externalID)", async () => {
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(paths()).toEqual(['GET /atservicesrest/v1.0/ZoneInformation', 'POST /ATServicesRest/V1.0/Tickets/query', 'POST /ATServicesRest/V1.0/Tickets']);
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

  it('after a lost answer to the create, the retry finds the ticket by its key and creates no second one', async () => {
    at.failNext((r) => r.method === 'POST' && r.path.endsWith('/Tickets'), 'drop-after-handling');
    const event = deskEvent('opened');
    const c = connector();
    expect((await c.deliver(event, deliveryContext())).kind).toBe('retryable');
    expect(at.tickets).toHaveLength(1);
    expect(await c.deliver(event, deliveryContext())).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(at.tickets).toHaveLength(1);
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

  it("an event for a ticket the desk never saw ('resolved' first) creates the ticket, then completes it", async () => {
    expect(await connector().deliver(deskEvent('resolved', {}, 'recovered'), deliveryContext())).toEqual({ kind: 'ok', remoteId: '7001' });
    expect(at.tickets).toHaveLength(1);
    expect(at.tickets[0]).toMatchObject({ status: 5, resolution: 'recovered', externalID: 'watchpost-acme-42' });
  });

  it('429 with Retry-After is retryable after that long; 500 is retryable', async () => {
    at.failNext((r) => r.path.endsWith('/query'), { status: 429, body: { errors: ['Too many requests'] }, headers: { 'retry-after': '30' } });
    expect(await connector().deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'retryable', retryAfterMs: 30_000 });
    at.failNext((r) => r.path.endsWith('/Tickets'), { status: 500, body: '<html>Server Error</html>' });
    expect(await connector().deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'retryable', reason: expect.stringContaining('HTTP 500') });
    expect(at.tickets).toHaveLength(0);
  });

  it('a create missing what Autotask requires is refused by the desk (HTTP 500 {"errors"}, as documented): failed with the errors, not retried', async () => {
    const res = await fetch(`${at.url}/ATServicesRest/V1.0/Tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ApiIntegrationCode: CODE, UserName: INSTANCE.username, Secret: SECRET },
      body: JSON.stringify({ companyID: 175, title: 'no queue, status or priority' }),
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ errors: ['status is required.', 'priority is required.', 'queueID is required.'] });
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

  it('a 500 without errors (empty body, an empty errors array, other JSON) is a server fault: retryable', async () => {
    for (const body of [undefined, { errors: [] }, { message: 'An unexpected error occurred' }]) {
      at.failNext((r) => r.path.endsWith('/query'), { status: 500, body });
      expect(await connector().deliver(deskEvent('opened'), deliveryContext())).toMatchObject({
        kind: 'retryable',
        reason: expect.stringContaining('HTTP 500'),
      });
    }
    expect(at.tickets).toHaveLength(0);
  });

  it('400 is failed, with an excerpt of the answer and no secret in it', async () => {
    at.failNext((r) => r.path.endsWith('/query'), { status: 400, body: { errors: [`bad request for ${INSTANCE.username} secret=${SECRET} code=${CODE}`] } });
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('HTTP 400') });
    const reason = (result as { reason: string }).reason;
    expect(reason).toContain('[redacted]');
    expect(reason).not.toContain(SECRET);
    expect(reason).not.toContain(CODE);
  });

  it('wrong credentials are answered 401 and failed, without the secret in the reason', async () => {
    const result = await connector({ secret: 'wrong-secret-value' }).deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('HTTP 401') });
    expect((result as { reason: string }).reason).not.toContain('wrong-secret-value');
  });

  it('HTML on a 200 where JSON is needed is failed, with an excerpt', async () => {
    at.failNext((r) => r.path.endsWith('/query'), { status: 200, body: '<html><body>Maintenance</body></html>' });
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('Maintenance') });
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
