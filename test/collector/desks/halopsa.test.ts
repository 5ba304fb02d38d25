// The HaloPSA connector against a fake Halo on a local socket (test/collector/desks/fakes/halopsa.ts). The delivery
// contract every ticketing connector shares (a retry after a lost answer finds the ticket, a first event the desk
// never saw creates it, 429 / 503 / 400 / refused credentials / HTML on a 200) is in connector-contract.ts; this file
// covers what is HaloPSA's own: create with the "[key]" token in the summary, find it again by a search that the "]"
// ends, paged and matched exactly (tickets 40-49 and 400-499 before ticket 4 do not hide it), notes as private
// actions, impact and urgency, close and reopen, tokens, a ticket deleted in Halo, the desk test.
import { Value } from '@sinclair/typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../../collector/src/desks/contract.js';
import { HALO_SEARCH_MAX_PAGES, HALO_SEARCH_PAGE, halopsa, haloTicket, type HaloSettings } from '../../../collector/src/desks/connectors/halopsa.js';
import { TOKEN_EARLY_REFRESH_MS } from '../../../collector/src/desks/auth.js';
import { deliveryContext, deskEvent } from './events.js';
import { HALO_APP, haloTestSettings, startHaloFake, type HaloFake, type HaloFakeOptions } from './fakes/halopsa.js';

let halo: HaloFake;
let clock: number;
let settings: HaloSettings;
const connector = (over: Partial<HaloSettings> = {}): Connector => halopsa.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: () => clock });

beforeEach(async () => {
  halo = await startHaloFake();
  clock = Date.parse('2026-11-23T10:00:00Z');
  settings = { ...haloTestSettings(halo), site: 34, ticket_type: 3 };
});
afterEach(() => halo.close());

/** A fresh fake with these options in place of the one beforeEach started. */
async function restart(options: HaloFakeOptions): Promise<void> {
  await halo.close();
  halo = await startHaloFake(options);
  settings.url = halo.url;
}

const searches = () => halo.requests.filter((r) => r.method === 'GET' && r.path === '/api/Tickets');
const decoys = (from: number, to: number) => {
  for (let n = from; n <= to; n++) halo.seed(`Disk space low on srv${n} [watchpost-acme-${n}]`);
};

async function opened(c: Connector): Promise<string> {
  const result = await c.deliver(deskEvent('opened'), deliveryContext());
  if (result.kind !== 'ok' || !result.remoteId) throw new Error(`not created: ${JSON.stringify(result)}`);
  return result.remoteId;
}

describe('halopsa connector', () => {
  it('takes the settings of a desks file and refuses a bad one, naming the key', () => {
    expect(
      Value.Check(halopsa.schema, {
        url: 'https://acme-msp.halopsa.com',
        client_id: 'watchpost',
        client_secret: 's',
        client: 12,
        site: 34,
        impact_map: { high: 1, medium: 2, low: 3 },
      }),
    ).toBe(true);
    expect(
      [...Value.Errors(halopsa.schema, { url: 'https://acme-msp.halopsa.com', client_id: 'watchpost', client_secret: 's', client: 'twelve' })].map(
        (e) => e.path,
      ),
    ).toContain('/client');
  });

  it('creates a ticket on opened with impact and urgency, the key in the summary, and no priority_id', async () => {
    const id = await opened(connector());
    const row = halo.tickets.get(Number(id))!;
    expect(row).toMatchObject({
      summary: 'Disk space low on srv1 [watchpost-acme-42]',
      client_id: 12,
      site_id: 34,
      tickettype_id: 3,
      status_id: 1,
      impact: 1,
      urgency: 2,
    });
    expect(row).not.toHaveProperty('priority_id');
    expect(row.details).toContain('Watchpost ticket: 42 (key watchpost-acme-42)');
    expect(halo.requests.find((r) => r.path === '/auth/token')?.text).toContain('grant_type=client_credentials');
  });

  it('sends priority_id and the custom field only when configured', () => {
    const body = haloTicket(deskEvent('opened', { priority: 'P1' }), {
      ...settings,
      priority_map: { P1: 11, P2: 12, P3: 13, P4: 14 },
      correlation_field: 'CFWatchpostKey',
    });
    expect(body).toMatchObject({ priority_id: 11, customfields: [{ name: 'CFWatchpostKey', value: 'watchpost-acme-42' }] });
  });

  it('searches for the key and its closing bracket, one page at a time', async () => {
    await opened(connector());
    expect(Object.fromEntries(searches()[0]!.query)).toEqual({
      search: 'watchpost-acme-42]',
      pageinate: 'true',
      page_size: String(HALO_SEARCH_PAGE),
      page_no: '1',
    });
  });

  it('finds ticket 4 when tickets 40-49 and 400-499 were opened before it, instead of creating a second', async () => {
    decoys(40, 49);
    decoys(400, 499);
    const c = connector();
    const four = deskEvent('opened', { id: 4, correlationKey: 'watchpost-acme-4', title: 'Disk space low on srv4' });
    const made = await c.deliver(four, deliveryContext());
    expect(made).toEqual({ kind: 'ok', remoteId: '1111' });
    expect(await c.deliver({ ...four, kind: 'note', detail: 'later' }, deliveryContext(null))).toEqual({ kind: 'ok', remoteId: '1111' });
    expect(halo.tickets.size).toBe(111);
    expect(halo.actions).toEqual([expect.objectContaining({ ticket_id: 1111, note: 'Note: later' })]);
  });

  it('a search that splits the term into words (and pages of 20 whatever is asked) is paged to the exact token', async () => {
    await restart({ searchMode: 'words', maxPageSize: 20 });
    decoys(40, 49);
    decoys(400, 499);
    const c = connector();
    const four = deskEvent('opened', { id: 4, correlationKey: 'watchpost-acme-4', title: 'Disk space low on srv4' });
    expect(await c.deliver(four, deliveryContext())).toEqual({ kind: 'ok', remoteId: '1111' });
    halo.requests.length = 0;
    expect(await c.deliver({ ...four, kind: 'note', detail: 'later' }, deliveryContext(null))).toEqual({ kind: 'ok', remoteId: '1111' });
    expect(searches().map((r) => r.query.get('page_no'))).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(halo.tickets.size).toBe(111);
  });

  it('answers failed rather than opening a possible duplicate when the bounded search is inconclusive', async () => {
    await restart({ searchMode: 'words', maxPageSize: 20 });
    decoys(4000, 4000 + 20 * HALO_SEARCH_MAX_PAGES);
    const result = await connector().deliver(deskEvent('opened', { id: 4, correlationKey: 'watchpost-acme-4' }), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('not creating a ticket that may already exist') });
    expect(searches()).toHaveLength(HALO_SEARCH_MAX_PAGES);
    expect(halo.tickets.size).toBe(20 * HALO_SEARCH_MAX_PAGES + 1);
  });

  it('adds private actions for note-type events', async () => {
    const c = connector();
    const id = await opened(c);
    for (const kind of ['note', 'acknowledged', 'sla_breached'] as const)
      expect(await c.deliver(deskEvent(kind, {}, `${kind} text`), deliveryContext(id))).toEqual({ kind: 'ok', remoteId: id });
    expect(halo.actions.map((a) => a.note)).toEqual(['Note: note text', 'Acknowledged: acknowledged text', 'SLA breached: sla_breached text']);
    expect(halo.actions.every((a) => a.ticket_id === Number(id) && a.outcome === 'Private Note' && a.hiddenfromuser)).toBe(true);
  });

  it('changes impact and urgency on escalation', async () => {
    const c = connector();
    const id = await opened(c);
    await c.deliver(deskEvent('escalated', { urgency: 'high', impact: 'high', priority: 'P1' }, 'priority P2 -> P1'), deliveryContext(id));
    expect(halo.tickets.get(Number(id))).toMatchObject({ impact: 1, urgency: 1 });
    expect(halo.tickets.get(Number(id))).not.toHaveProperty('priority_id');
    expect(halo.actions.at(-1)?.note).toBe('Escalated: priority P2 -> P1');
  });

  it('closes on resolved with a closing action, and reopens with the configured status', async () => {
    const c = connector({ reopen_status: 2, close_outcome: 'Resolved' });
    const id = await opened(c);
    await c.deliver(deskEvent('resolved', {}, 'disk back under 80 %'), deliveryContext(id));
    expect(halo.tickets.get(Number(id))?.status_id).toBe(9);
    expect(halo.actions.at(-1)).toMatchObject({ note: 'Resolved: disk back under 80 %', outcome: 'Resolved' });
    await c.deliver(deskEvent('reopened', {}, 'breached again'), deliveryContext(id));
    expect(halo.tickets.get(Number(id))?.status_id).toBe(2);
    expect(halo.actions.at(-1)?.note).toBe('Reopened: breached again');
  });

  it("a later event with no stored id finds the ticket a 'resolved' first event created and closed, and opens no second", async () => {
    const c = connector();
    const first = await c.deliver(deskEvent('resolved', {}, 'cleared'), deliveryContext(null));
    const id = (first as { remoteId: string }).remoteId;
    const second = await c.deliver(deskEvent('note', {}, 'late note'), deliveryContext(null));
    expect(second).toEqual({ kind: 'ok', remoteId: id });
    expect(halo.tickets.size).toBe(1);
  });

  it('fetches a new token when the old one expires on the clock, and retries once on a 401', async () => {
    const c = connector();
    const id = await opened(c);
    expect(halo.tokensIssued).toBe(1);
    clock += 3600_000 - TOKEN_EARLY_REFRESH_MS + 1;
    await c.deliver(deskEvent('note'), deliveryContext(id));
    expect(halo.tokensIssued).toBe(2);
    halo.revokeTokens();
    expect(await c.deliver(deskEvent('note'), deliveryContext(id))).toEqual({ kind: 'ok', remoteId: id });
    expect(halo.tokensIssued).toBe(3);
    expect(halo.actions).toHaveLength(2);
  });

  it('fails when the desk no longer has the ticket (deleted there)', async () => {
    const result = await connector().deliver(deskEvent('note'), deliveryContext('999999'));
    expect(result).toMatchObject({ kind: 'failed' });
    expect((result as { reason: string }).reason).toMatch(/HTTP 400.*ticket_id is required and must exist/);
  });

  describe('desk test', () => {
    const run = (c: Connector) => c.test!(new AbortController().signal);

    it('checks the token, the client, site and ticket type, and the search, and creates nothing', async () => {
      const checks = await run(connector());
      expect(checks.map((c) => [c.check, c.ok, c.detail])).toEqual([
        ['token (client credentials)', true, `issued to API application ${HALO_APP.clientId}`],
        ['client 12', true, 'Acme Ltd'],
        ['site 34', true, 'Acme Main Office'],
        ['ticket type 3', true, 'Incident'],
        ['ticket search', true, expect.stringContaining('answered 0 tickets')],
      ]);
      expect(halo.requests.filter((r) => r.path.startsWith('/api/')).every((r) => r.method === 'GET')).toBe(true);
      expect(searches()[0]!.query.get('search')).toMatch(/\]$/);
      expect(halo.tickets.size).toBe(0);
    });

    it('a ticket type the instance does not have fails that check, the others still hold', async () => {
      const checks = await run(connector({ ticket_type: 99 }));
      expect(checks.map((c) => c.ok)).toEqual([true, true, true, false, true]);
      expect(checks[3]).toMatchObject({ check: 'ticket type 99', detail: expect.stringContaining('HTTP 404') });
    });

    it('only the configured lookups are checked', async () => {
      const checks = await run(connector({ client: undefined, site: undefined, ticket_type: undefined }));
      expect(checks.map((c) => c.check)).toEqual(['token (client credentials)', 'ticket search']);
    });

    it('a wrong client secret stops at the token check, without the secret in the detail', async () => {
      const checks = await run(connector({ client_secret: 'wrong-secret-value' }));
      expect(checks).toEqual([{ check: 'token (client credentials)', ok: false, detail: expect.stringContaining('HTTP 401') }]);
      expect(checks[0]!.detail).not.toContain('wrong-secret-value');
    });
  });
});
