// The ConnectWise PSA connector against a local fake of the endpoints it uses (fakes/connectwise.ts): create,
// search by the correlation key (externalXRef) so a retry after a lost answer opens no second ticket, notes,
// priority on escalation, close with a resolution note, reopen, and how 429 / 5xx / 4xx / HTML answers are classified.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectwise, keyCondition, type ConnectWiseSettings } from '../../../collector/src/desks/connectors/connectwise.js';
import { deliveryContext, deskEvent, OPENED_AT } from './events.js';
import { startFakeConnectWise, type FakeConnectWise } from './fakes/connectwise.js';

const PRIVATE_KEY = 'cw-private-key-5f3a9c1e';
const CLIENT_ID = '0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6';
const INSTANCE = {
  companyId: 'acmemsp',
  publicKey: 'cw-public-key-77',
  privateKey: PRIVATE_KEY,
  clientId: CLIENT_ID,
  board: 'Alerts',
  statuses: ['New', 'In Progress', 'Completed', 'Re-Opened'],
  priorities: ['Priority 1 - Emergency Response', 'Priority 2 - Quick Response', 'Priority 3 - Normal Response', 'Priority 4 - Scheduled Maintenance'],
  companies: ['ACME'],
};
const BASIC = Buffer.from(`acmemsp+cw-public-key-77:${PRIVATE_KEY}`).toString('base64');

let cw: FakeConnectWise;
beforeAll(async () => {
  cw = await startFakeConnectWise(INSTANCE);
});
afterAll(() => cw.close());
beforeEach(() => {
  cw.tickets.length = 0;
  cw.requests.length = 0;
});

const settings = (over: Partial<ConnectWiseSettings> = {}): ConnectWiseSettings => ({
  site_url: cw.url,
  company_id: 'acmemsp',
  public_key: 'cw-public-key-77',
  private_key: PRIVATE_KEY,
  client_id: CLIENT_ID,
  board: 'Alerts',
  company: 'ACME',
  status_reopened: 'Re-Opened',
  ...over,
});
const connector = (over: Partial<ConnectWiseSettings> = {}) => connectwise.create(settings(over), { fetch, now: () => OPENED_AT + 60_000 });
const ticketsPath = '/v4_6_release/apis/3.0/service/tickets';

describe('connectwise connector', () => {
  it("creates a ticket on 'opened' (board, company, status, priority, key in externalXRef) after searching by the key", async () => {
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toEqual({ kind: 'ok', remoteId: '1001' });
    expect(cw.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${ticketsPath}`, `POST ${ticketsPath}`]);
    expect(cw.requests[0]!.query.get('conditions')).toBe('externalXRef="watchpost-acme-42"');
    expect(cw.requests[1]!.headers).toMatchObject({ clientid: CLIENT_ID, authorization: `Basic ${BASIC}`, 'content-type': 'application/json' });
    expect(cw.tickets).toEqual([
      expect.objectContaining({
        summary: '[P2] Disk space low on srv1',
        board: 'Alerts',
        status: 'New',
        company: 'ACME',
        priority: 'Priority 2 - Quick Response',
        externalXRef: 'watchpost-acme-42',
      }),
    ]);
    expect(cw.tickets[0]!.initialDescription).toContain('Host: srv1');
  });

  it('clips the summary to the 100 characters ConnectWise allows', async () => {
    const result = await connector().deliver(deskEvent('opened', { title: 'x'.repeat(150) }), deliveryContext());
    expect(result.kind).toBe('ok');
    expect(cw.tickets[0]!.summary).toHaveLength(100);
  });

  it('after a lost answer to the create, the retry finds the ticket by its key and creates no second one', async () => {
    cw.failNext((r) => r.method === 'POST' && r.path === ticketsPath, 'drop-after-handling');
    const event = deskEvent('opened');
    const first = await connector().deliver(event, deliveryContext());
    expect(first.kind).toBe('retryable');
    expect(cw.tickets).toHaveLength(1);
    expect(await connector().deliver(event, deliveryContext())).toEqual({ kind: 'ok', remoteId: '1001' });
    expect(cw.tickets).toHaveLength(1);
  });

  it('adds note events as internal notes (or detail notes when internal_notes is false)', async () => {
    await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(await connector().deliver(deskEvent('sla_breached', {}, 'respond target breached'), deliveryContext('1001'))).toEqual({
      kind: 'ok',
      remoteId: '1001',
    });
    await connector({ internal_notes: false }).deliver(deskEvent('note', {}, 'checked the disk'), deliveryContext('1001'));
    expect(cw.tickets[0]!.notes).toEqual([
      { text: 'SLA breached: respond target breached', detailDescriptionFlag: false, internalAnalysisFlag: true, resolutionFlag: false },
      { text: 'Note: checked the disk', detailDescriptionFlag: true, internalAnalysisFlag: false, resolutionFlag: false },
    ]);
  });

  it('changes the priority on escalation (JSON Patch on priority/name) and notes why', async () => {
    await connector().deliver(deskEvent('opened'), deliveryContext());
    const result = await connector().deliver(deskEvent('escalated', { priority: 'P1' }, 'priority P2 -> P1: disk full'), deliveryContext('1001'));
    expect(result).toEqual({ kind: 'ok', remoteId: '1001' });
    expect(cw.requests.find((r) => r.method === 'PATCH')!.json).toEqual([{ op: 'replace', path: 'priority/name', value: 'Priority 1 - Emergency Response' }]);
    expect(cw.tickets[0]).toMatchObject({
      priority: 'Priority 1 - Emergency Response',
      notes: [expect.objectContaining({ text: 'Escalated: priority P2 -> P1: disk full' })],
    });
  });

  it('closes on resolved: a resolution note first, then the resolved status', async () => {
    await connector({ status_resolved: 'Completed' }).deliver(deskEvent('opened'), deliveryContext());
    const result = await connector({ status_resolved: 'Completed' }).deliver(deskEvent('resolved', {}, 'used_percent back to 71'), deliveryContext('1001'));
    expect(result).toEqual({ kind: 'ok', remoteId: '1001' });
    expect(cw.requests.slice(-2).map((r) => r.method)).toEqual(['POST', 'PATCH']);
    expect(cw.tickets[0]).toMatchObject({ status: 'Completed', notes: [{ text: 'Resolved: used_percent back to 71', resolutionFlag: true }] });
  });

  it('reopens to the configured status and adds a note', async () => {
    await connector().deliver(deskEvent('opened'), deliveryContext());
    await connector().deliver(deskEvent('resolved'), deliveryContext('1001'));
    const result = await connector().deliver(deskEvent('reopened', { reopenCount: 1 }, 'breached again'), deliveryContext('1001'));
    expect(result).toEqual({ kind: 'ok', remoteId: '1001' });
    expect(cw.tickets[0]!.status).toBe('Re-Opened');
    expect(cw.tickets[0]!.notes.at(-1)!.text).toBe('Reopened: breached again');
  });

  it("an event for a ticket the desk never saw ('resolved' first) creates the ticket, then closes it", async () => {
    const result = await connector().deliver(deskEvent('resolved', {}, 'recovered before delivery'), deliveryContext());
    expect(result).toEqual({ kind: 'ok', remoteId: '1001' });
    expect(cw.tickets).toHaveLength(1);
    expect(cw.tickets[0]).toMatchObject({ status: 'Completed', externalXRef: 'watchpost-acme-42', notes: [expect.objectContaining({ resolutionFlag: true })] });
  });

  it('a note for a ticket created earlier but unknown locally finds it by key and adds the note, creating nothing', async () => {
    await connector().deliver(deskEvent('opened'), deliveryContext());
    const result = await connector().deliver(deskEvent('note', {}, 'hello'), deliveryContext(null));
    expect(result).toEqual({ kind: 'ok', remoteId: '1001' });
    expect(cw.tickets).toHaveLength(1);
    expect(cw.tickets[0]!.notes).toHaveLength(1);
  });

  it('429 with Retry-After is retryable after that long; 500 is retryable', async () => {
    cw.failNext(() => true, { status: 429, body: { code: 'TooManyRequests', message: 'slow down' }, headers: { 'retry-after': '7' } });
    expect(await connector().deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'retryable', retryAfterMs: 7000 });
    cw.failNext(() => true, { status: 500, body: { code: 'UnexpectedError', message: 'An unexpected error occurred' } });
    expect(await connector().deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'retryable', reason: expect.stringContaining('HTTP 500') });
    expect(cw.tickets).toHaveLength(0);
  });

  it('400 is failed, with an excerpt of the answer and no secret in it', async () => {
    cw.failNext(() => true, {
      status: 400,
      body: { code: 'InvalidObject', message: `bad request from acmemsp+cw-public-key-77:${PRIVATE_KEY} (${BASIC}) client ${CLIENT_ID}` },
    });
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('HTTP 400') });
    const reason = (result as { reason: string }).reason;
    expect(reason).toContain('[redacted]');
    for (const secret of [PRIVATE_KEY, BASIC, CLIENT_ID]) expect(reason).not.toContain(secret);
  });

  it("a mapping the instance does not have (unknown company) is failed with the desk's reason", async () => {
    const result = await connector({ company: 'NOPE' }).deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('Company NOPE not found') });
  });

  it('wrong credentials are answered 401 and failed, without the key in the reason', async () => {
    const result = await connector({ private_key: 'wrong-private-key' }).deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('HTTP 401') });
    expect((result as { reason: string }).reason).not.toContain('wrong-private-key');
  });

  it('HTML on a 200 where JSON is needed is failed, with an excerpt', async () => {
    cw.failNext((r) => r.method === 'GET', { status: 200, body: '<html><body>Please sign in</body></html>' });
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('Please sign in') });
    expect(cw.tickets).toHaveLength(0);
  });

  it('quotes the key for the conditions syntax', () => {
    expect(keyCondition('watchpost-a"b-1')).toBe('externalXRef="watchpost-a\\"b-1"');
  });

  it('the schema refuses a site URL with a path (the API path is added by the connector)', async () => {
    const { Value } = await import('@sinclair/typebox/value');
    expect(Value.Check(connectwise.schema, settings())).toBe(true);
    expect(Value.Check(connectwise.schema, settings({ site_url: 'https://na.myconnectwise.net/v4_6_release/apis/3.0/' }))).toBe(false);
  });
});
