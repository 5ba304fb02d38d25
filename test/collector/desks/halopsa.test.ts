// The HaloPSA connector against a fake Halo on a local socket (test/collector/desks/fakes/halopsa.ts).
import { Value } from '@sinclair/typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../../collector/src/desks/contract.js';
import { halopsa, haloTicket, type HaloSettings } from '../../../collector/src/desks/connectors/halopsa.js';
import { TOKEN_EARLY_REFRESH_MS } from '../../../collector/src/desks/auth.js';
import { deliveryContext, deskEvent } from './events.js';
import { HALO_APP, startHaloFake, type HaloFake } from './fakes/halopsa.js';

let halo: HaloFake;
let clock: number;
let settings: HaloSettings;
const connector = (over: Partial<HaloSettings> = {}): Connector => halopsa.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: () => clock });
const isCreate = (r: { method: string; path: string; json: unknown }) =>
  r.method === 'POST' && r.path === '/api/Tickets' && Array.isArray(r.json) && !(r.json[0] as { id?: number }).id;

beforeEach(async () => {
  halo = await startHaloFake();
  clock = Date.parse('2026-11-23T10:00:00Z');
  settings = {
    url: halo.url,
    tenant: HALO_APP.tenant,
    client_id: HALO_APP.clientId,
    client_secret: HALO_APP.clientSecret,
    client: 12,
    site: 34,
    ticket_type: 3,
  };
});
afterEach(() => halo.close());

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

  it('finds the ticket after a lost answer instead of creating a second', async () => {
    const c = connector();
    halo.failNext(isCreate, 'drop-after-handling');
    const lost = await c.deliver(deskEvent('opened'), deliveryContext());
    expect(lost.kind).toBe('retryable');
    expect(halo.tickets.size).toBe(1);
    const again = await c.deliver(deskEvent('opened'), deliveryContext());
    expect(again).toEqual({ kind: 'ok', remoteId: String([...halo.tickets.keys()][0]) });
    expect(halo.tickets.size).toBe(1);
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

  it('finds or creates on a first event the desk never saw, then applies it', async () => {
    const c = connector();
    const first = await c.deliver(deskEvent('resolved', {}, 'cleared'), deliveryContext(null));
    expect(first.kind).toBe('ok');
    const id = (first as { remoteId: string }).remoteId;
    expect(halo.tickets.get(Number(id))?.status_id).toBe(9);
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

  it('fails on bad client credentials without showing the secret', async () => {
    const result = await connector({ client_secret: 'wrong-secret-value' }).deliver(deskEvent('opened'), deliveryContext());
    expect(result.kind).toBe('failed');
    expect((result as { reason: string }).reason).toMatch(/HTTP 401/);
    expect((result as { reason: string }).reason).not.toContain('wrong-secret-value');
  });

  it('answers 429 with Retry-After and 503 retryable', async () => {
    const c = connector();
    halo.failNext((r) => r.path === '/api/Tickets', { status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '7' } });
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'retryable', retryAfterMs: 7000 });
    halo.failNext((r) => r.path === '/api/Tickets', { status: 503, body: 'Service Unavailable' });
    expect((await c.deliver(deskEvent('opened'), deliveryContext())).kind).toBe('retryable');
    expect(halo.tickets.size).toBe(0);
  });

  it('fails a 400 with a redacted excerpt of the answer', async () => {
    const c = connector();
    halo.failNext(isCreate, { status: 400, body: { message: `client_id 12 is not valid secret=${HALO_APP.clientSecret}` } });
    const result = await c.deliver(deskEvent('opened'), deliveryContext());
    expect(result.kind).toBe('failed');
    const reason = (result as { reason: string }).reason;
    expect(reason).toContain('HTTP 400');
    expect(reason).toContain('client_id 12 is not valid');
    expect(reason).not.toContain(HALO_APP.clientSecret);
  });

  it('fails when the desk no longer has the ticket (deleted there)', async () => {
    const result = await connector().deliver(deskEvent('note'), deliveryContext('999999'));
    expect(result).toMatchObject({ kind: 'failed' });
    expect((result as { reason: string }).reason).toMatch(/HTTP 400.*ticket_id is required and must exist/);
  });

  it('fails HTML on a 200', async () => {
    halo.failNext((r) => r.method === 'GET' && r.path === '/api/Tickets', { status: 200, body: '<html><body>Sign in</body></html>' });
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed' });
    expect((result as { reason: string }).reason).toMatch(/expected a JSON answer.*Sign in/);
  });
});
