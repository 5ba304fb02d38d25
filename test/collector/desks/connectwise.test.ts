// The ConnectWise PSA connector against a local fake of the endpoints it uses (fakes/connectwise.ts). The delivery
// contract every ticketing connector shares (a retry after a lost answer finds the ticket, a first event the desk
// never saw creates it, 429 / 503 / 400 / refused credentials / HTML on a 200) is in connector-contract.ts; this file
// covers what is ConnectWise's own: the search by the correlation key (the "[key]" token that ends the summary, found
// with a documented `summary contains` condition, paged, matched exactly), the pinned model version, notes, priority
// on escalation, close with a resolution note, reopen, 409 (record in use), and the desk test.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  connectwise,
  keyCondition,
  SEARCH_MAX_PAGES,
  SEARCH_PAGE_SIZE,
  type ConnectWiseSettings,
} from '../../../collector/src/desks/connectors/connectwise.js';
import type { Connector } from '../../../collector/src/desks/contract.js';
import { deliveryContext, deskEvent, OPENED_AT } from './events.js';
import { API_PATH, CW_TEST_INSTANCE as INSTANCE, cwTestSettings, startFakeConnectWise, type FakeConnectWise } from './fakes/connectwise.js';

const { privateKey: PRIVATE_KEY, clientId: CLIENT_ID } = INSTANCE;
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
  ...cwTestSettings(cw),
  status_reopened: 'Re-Opened',
  ...over,
});
const connector = (over: Partial<ConnectWiseSettings> = {}) => connectwise.create(settings(over), { fetch, now: () => OPENED_AT + 60_000 });
const ticketsPath = '/v4_6_release/apis/3.0/service/tickets';

describe('connectwise connector', () => {
  it("creates a ticket on 'opened' (board, company, status, priority, key token in the summary and in externalXRef) after searching by the key", async () => {
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toEqual({ kind: 'ok', remoteId: '1001' });
    expect(cw.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${ticketsPath}`, `POST ${ticketsPath}`]);
    expect(Object.fromEntries(cw.requests[0]!.query)).toEqual({
      conditions: 'summary contains "watchpost-acme-42]"',
      orderBy: 'id asc',
      fields: 'id,summary',
      page: '1',
      pageSize: String(SEARCH_PAGE_SIZE),
    });
    expect(cw.requests[1]!.headers).toMatchObject({
      clientid: CLIENT_ID,
      authorization: `Basic ${BASIC}`,
      'content-type': 'application/json',
      accept: 'application/vnd.connectwise.com+json; version=2025.16',
    });
    expect(cw.tickets).toEqual([
      expect.objectContaining({
        summary: '[P2] Disk space low on srv1 [watchpost-acme-42]',
        board: 'Alerts',
        status: 'New',
        company: 'ACME',
        priority: 'Priority 2 - Quick Response',
        externalXRef: 'watchpost-acme-42',
      }),
    ]);
    expect(cw.tickets[0]!.initialDescription).toContain('Host: srv1');
  });

  it('pins the model version with the versioned Accept header on every call (api_version sets it)', async () => {
    await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(new Set(cw.requests.map((r) => r.headers.accept))).toEqual(new Set(['application/vnd.connectwise.com+json; version=2025.16']));
    const other = await connector({ api_version: '2024.1' }).deliver(deskEvent('note'), deliveryContext('1001'));
    expect(other).toMatchObject({ kind: 'failed', reason: expect.stringContaining('HTTP 406') });
    expect(cw.requests.at(-1)!.headers.accept).toBe('application/vnd.connectwise.com+json; version=2024.1');
  });

  it("the fake takes only documented condition fields: externalXRef is refused with 400 in ConnectWise's error shape", async () => {
    const answer = await fetch(`${cw.url}${API_PATH}service/tickets?conditions=${encodeURIComponent('externalXRef="watchpost-acme-42"')}`, {
      headers: { clientId: CLIENT_ID, authorization: `Basic ${BASIC}`, accept: 'application/vnd.connectwise.com+json; version=2025.16' },
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ code: 'InvalidObject', errors: [{ field: 'conditions', resource: 'ticket' }] });
  });

  it('keeps the key token whole when it clips a long title to the 100 characters ConnectWise allows', async () => {
    const result = await connector().deliver(deskEvent('opened', { title: 'x'.repeat(150) }), deliveryContext());
    expect(result.kind).toBe('ok');
    expect(cw.tickets[0]!.summary).toHaveLength(100);
    expect(cw.tickets[0]!.summary.endsWith('… [watchpost-acme-42]')).toBe(true);
  });

  it('finds ticket 4 among tickets 40-49 and 400-499: the "]" after the key ends the match', async () => {
    for (const n of [...Array.from({ length: 10 }, (_, i) => 40 + i), ...Array.from({ length: 100 }, (_, i) => 400 + i)])
      cw.seed({ summary: `[P3] Disk space low on srv${n} [watchpost-acme-${n}]`, externalXRef: `watchpost-acme-${n}` });
    const four = deskEvent('opened', { id: 4, correlationKey: 'watchpost-acme-4' });
    const made = await connector().deliver(four, deliveryContext());
    expect(made).toEqual({ kind: 'ok', remoteId: '1111' });
    expect(await connector().deliver({ ...four, kind: 'note', detail: 'later' }, deliveryContext(null))).toEqual({ kind: 'ok', remoteId: '1111' });
    expect(cw.tickets).toHaveLength(111);
  });

  it('pages past near misses (the key text without the token) to the exact token, lowest id first', async () => {
    for (let i = 0; i < SEARCH_PAGE_SIZE + 5; i++) cw.seed({ summary: `copied watchpost-acme-42] into a note ${i}` });
    const real = cw.seed({ summary: '[P2] Disk space low on srv1 [watchpost-acme-42]' });
    cw.seed({ summary: 'Re: [P2] Disk space low on srv1 [watchpost-acme-42]' });
    expect(await connector().deliver(deskEvent('note', {}, 'hello'), deliveryContext(null))).toEqual({ kind: 'ok', remoteId: String(real.id) });
    expect(cw.requests.filter((r) => r.method === 'GET').map((r) => r.query.get('page'))).toEqual(['1', '2']);
    expect(cw.requests.some((r) => r.method === 'POST' && r.path === ticketsPath)).toBe(false);
  });

  it('answers failed rather than opening a possible duplicate when the bounded search is inconclusive', async () => {
    for (let i = 0; i < SEARCH_PAGE_SIZE * SEARCH_MAX_PAGES; i++) cw.seed({ summary: `copied watchpost-acme-42] ${i}` });
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('not creating a ticket that may already exist') });
    expect(cw.requests.filter((r) => r.method === 'GET')).toHaveLength(SEARCH_MAX_PAGES);
    expect(cw.tickets).toHaveLength(SEARCH_PAGE_SIZE * SEARCH_MAX_PAGES);
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

  it("a ticket created by a 'resolved' first event carries the key in externalXRef and is closed with a resolution note", async () => {
    await connector().deliver(deskEvent('resolved', {}, 'recovered before delivery'), deliveryContext());
    expect(cw.tickets[0]).toMatchObject({ externalXRef: 'watchpost-acme-42', notes: [expect.objectContaining({ resolutionFlag: true })] });
  });

  it('a note for a ticket created earlier but unknown locally finds it by key and adds the note, creating nothing', async () => {
    await connector().deliver(deskEvent('opened'), deliveryContext());
    const result = await connector().deliver(deskEvent('note', {}, 'hello'), deliveryContext(null));
    expect(result).toEqual({ kind: 'ok', remoteId: '1001' });
    expect(cw.tickets).toHaveLength(1);
    expect(cw.tickets[0]!.notes).toHaveLength(1);
  });

  it('409 (record possibly in use) is retryable, and the retry delivers', async () => {
    await connector().deliver(deskEvent('opened'), deliveryContext());
    cw.failNext((r) => r.method === 'PATCH', { status: 409, body: { code: 'Conflict', message: 'Record possibly in use.' } });
    const event = deskEvent('escalated', { priority: 'P1' }, 'priority P2 -> P1');
    const first = await connector().deliver(event, deliveryContext('1001'));
    expect(first).toMatchObject({ kind: 'retryable', reason: expect.stringMatching(/PATCH .*service\/tickets\/1001: HTTP 409/) });
    expect(cw.tickets[0]!.priority).toBe('Priority 2 - Quick Response');
    expect(await connector().deliver(event, deliveryContext('1001'))).toEqual({ kind: 'ok', remoteId: '1001' });
    expect(cw.tickets[0]).toMatchObject({
      priority: 'Priority 1 - Emergency Response',
      notes: [expect.objectContaining({ text: 'Escalated: priority P2 -> P1' })],
    });
  });

  it("a mapping the instance does not have (unknown company) is failed with the desk's reason", async () => {
    const result = await connector({ company: 'NOPE' }).deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('Company NOPE not found') });
  });

  it('searches for the key and its closing bracket, quoted for the conditions syntax', () => {
    expect(keyCondition('watchpost-acme-42')).toBe('summary contains "watchpost-acme-42]"');
    expect(keyCondition('watchpost-a"b-1')).toBe('summary contains "watchpost-a\\"b-1]"');
  });

  it('the schema refuses a site URL with a path (the API path is added by the connector)', async () => {
    const { Value } = await import('@sinclair/typebox/value');
    expect(Value.Check(connectwise.schema, settings())).toBe(true);
    expect(Value.Check(connectwise.schema, settings({ site_url: 'https://na.myconnectwise.net/v4_6_release/apis/3.0/' }))).toBe(false);
    expect(Value.Check(connectwise.schema, settings({ api_version: 'latest' }))).toBe(false);
  });

  describe('desk test', () => {
    const run = (c: Connector) => c.test!(new AbortController().signal);

    it('checks the login, the board, the company and the search condition, and creates nothing', async () => {
      const checks = await run(connector());
      expect(checks.map((c) => [c.check, c.ok])).toEqual([
        ['API login (GET system/info, models of version 2025.16)', true],
        ['service board "Alerts"', true],
        ['company "ACME"', true],
        ['ticket search (summary contains)', true],
      ]);
      expect(checks[0]!.detail).toContain('v2025.16');
      expect(cw.requests.every((r) => r.method === 'GET')).toBe(true);
      expect(cw.requests.find((r) => r.path.endsWith('/service/tickets'))!.query.get('conditions')).toMatch(/^summary contains ".*\]"$/);
      expect(cw.tickets).toHaveLength(0);
    });

    it('a board the instance does not have fails that check, the others still hold', async () => {
      const checks = await run(connector({ board: 'Service Dsk' }));
      expect(checks.map((c) => c.ok)).toEqual([true, false, true, true]);
      expect(checks[1]!.detail).toBe('no service board is named "Service Dsk"');
    });

    it('wrong keys stop at the login check, without the key in the detail', async () => {
      const checks = await run(connector({ private_key: 'wrong-private-key' }));
      expect(checks).toEqual([{ check: 'API login (GET system/info, models of version 2025.16)', ok: false, detail: expect.stringContaining('HTTP 401') }]);
      expect(checks[0]!.detail).not.toContain('wrong-private-key');
    });
  });
});
