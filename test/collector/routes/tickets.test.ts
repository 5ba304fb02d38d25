import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerTicketRoutes } from '../../../collector/src/routes/tickets.js';
import { TICKET_STATUS_FILTERS, type NewTicket, type Store } from '../../../collector/src/store/index.js';
import { collectorCli } from '../../helpers/collector-cli.js';
import { AUTH, fixedClock, routeApp } from './helpers.js';
import { newTicket } from '../../helpers/collector-tickets.js';

const T0 = Date.parse('2025-03-20T09:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

const input = (host: string): NewTicket =>
  newTicket({
    host,
    ruleId: 'disk-full',
    title: `Disk full on ${host}`,
    summary: 'C: 96 %',
    slaProfile: 'standard-8x5',
    sla: [
      { target: 'respond', startedAt: T0, dueAt: T0 + 12 * MIN, warnAt: T0 + 9 * MIN },
      { target: 'plan', startedAt: T0, dueAt: T0 + HOUR, warnAt: T0 + 45 * MIN },
      { target: 'resolve', startedAt: T0, dueAt: T0 + 8 * HOUR, warnAt: T0 + 6 * HOUR },
    ],
  });

function seed(store: Store): number[] {
  const ids = ['sql01', 'sql02', 'ws-1'].map((h) => store.tickets.open(input(h), T0, 'fired').id);
  store.tickets.markSla(ids[0]!, 'respond', 'metAt', T0 + 5 * MIN);
  store.tickets.update(
    ids[0]!,
    { status: 'acknowledged', acknowledgedAt: T0 + 5 * MIN, acknowledgedBy: 'k1' },
    { kind: 'acknowledged', at: T0 + 5 * MIN, detail: 'ack by k1', data: { by: 'k1' } },
  );
  store.tickets.update(
    ids[2]!,
    { status: 'resolved', resolvedAt: T0 + 20 * MIN, resolvedBy: 'engine' },
    { kind: 'resolved', at: T0 + 20 * MIN, detail: 'cleared' },
  );
  return ids;
}

describe('GET /api/v1/tickets', () => {
  it('lists newest first with ISO times and SLA standings computed at request time', async () => {
    const clock = fixedClock(T0 + 10 * MIN);
    const { app, store } = await routeApp(registerTicketRoutes, clock);
    const [acked, open] = seed(store);
    const res = await app.inject({ url: '/api/v1/tickets?status=unresolved', headers: AUTH });
    expect(res.statusCode).toBe(200);
    const { tickets } = res.json() as {
      tickets: Array<{ id: number; status: string; openedAt: string; sla: Array<{ target: string; standing: string; dueAt: string; metAt: string | null }> }>;
    };
    expect(tickets.map((t) => [t.id, t.status])).toEqual([
      [open, 'open'],
      [acked, 'acknowledged'],
    ]);
    expect(tickets[0]).toMatchObject({ openedAt: '2025-03-20T09:00:00.000Z', acknowledgedAt: null, tenant: 'acme', host: 'sql02', priority: 'P2' });
    expect(tickets[0]!.sla.map((c) => [c.target, c.standing])).toEqual([
      ['respond', 'approaching'],
      ['plan', 'ok'],
      ['resolve', 'ok'],
    ]);
    expect(tickets[0]!.sla[0]).toMatchObject({ dueAt: '2025-03-20T09:12:00.000Z', warnAt: '2025-03-20T09:09:00.000Z', metAt: null });
    expect(tickets[1]!.sla[0]).toMatchObject({ standing: 'met', metAt: '2025-03-20T09:05:00.000Z' });
    expect(tickets[1]).toMatchObject({ acknowledgedAt: '2025-03-20T09:05:00.000Z', acknowledgedBy: 'k1' });
    clock.set(T0 + 13 * MIN);
    const later = (await app.inject({ url: `/api/v1/tickets?status=open`, headers: AUTH })).json() as { tickets: Array<{ sla: Array<{ standing: string }> }> };
    expect(later.tickets[0]!.sla[0]!.standing).toBe('breached');
  });

  it('filters by status, tenant and host and pages with limit and before', async () => {
    const { app, store } = await routeApp(registerTicketRoutes, fixedClock(T0));
    const [a, b, c] = seed(store);
    const ids = async (query: string) =>
      ((await app.inject({ url: `/api/v1/tickets${query}`, headers: AUTH })).json() as { tickets: { id: number }[] }).tickets.map((t) => t.id);
    expect(await ids('')).toEqual([c, b, a]);
    expect(await ids('?status=resolved')).toEqual([c]);
    expect(await ids('?status=acknowledged')).toEqual([a]);
    expect(await ids('?host=sql02')).toEqual([b]);
    expect(await ids('?tenant=other')).toEqual([]);
    expect(await ids('?limit=2')).toEqual([c, b]);
    expect(await ids(`?limit=2&before=${b}`)).toEqual([a]);
  });

  it('accepts every status filter the CLI accepts: all is every status, unresolved is open and acknowledged', async () => {
    const { app, store } = await routeApp(registerTicketRoutes, fixedClock(T0));
    const [a, b, c] = seed(store);
    const ids = async (query: string) => {
      const res = await app.inject({ url: `/api/v1/tickets${query}`, headers: AUTH });
      expect(res.statusCode).toBe(200);
      return (res.json() as { tickets: { id: number }[] }).tickets.map((t) => t.id);
    };
    expect(TICKET_STATUS_FILTERS).toEqual(['open', 'acknowledged', 'resolved', 'unresolved', 'all']);
    expect(await ids('?status=all')).toEqual([c, b, a]);
    expect(await ids('?status=unresolved')).toEqual([b, a]);
    expect(await ids('?status=open')).toEqual([b]);
    const cli = await collectorCli(['tickets', '--status', 'bogus'], { WATCHPOST_DATA_DIR: mkdtempSync(join(tmpdir(), 'wp-cli-')) });
    expect(cli).toMatchObject({ code: 2, stderr: expect.stringContaining(`--status: expected one of ${TICKET_STATUS_FILTERS.join(', ')}; got "bogus"`) });
  });

  it.each([
    ['?status=closed', 'querystring/status'],
    ['?limit=0', 'querystring/limit'],
    ['?limit=5000', 'querystring/limit'],
    ['?before=x', 'querystring/before'],
  ])('answers 400 for %s', async (query, message) => {
    const { app } = await routeApp(registerTicketRoutes, fixedClock(T0));
    const res = await app.inject({ url: `/api/v1/tickets${query}`, headers: AUTH });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(message);
  });

  it('needs the admin key', async () => {
    const { app } = await routeApp(registerTicketRoutes, fixedClock(T0));
    expect((await app.inject({ url: '/api/v1/tickets' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/tickets/1', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/tickets/:id', () => {
  it('shows the ticket with its events', async () => {
    const { app, store } = await routeApp(registerTicketRoutes, fixedClock(T0 + 30 * MIN));
    const [acked] = seed(store);
    const res = await app.inject({ url: `/api/v1/tickets/${acked}`, headers: AUTH });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: acked, status: 'acknowledged', title: 'Disk full on sql01' });
    expect(body.events).toEqual([
      { id: expect.any(Number), at: '2025-03-20T09:00:00.000Z', kind: 'opened', detail: 'fired', data: null },
      { id: expect.any(Number), at: '2025-03-20T09:05:00.000Z', kind: 'acknowledged', detail: 'ack by k1', data: { by: 'k1' } },
    ]);
  });

  it('answers 404 ticket_unknown and 400 for a non-numeric id', async () => {
    const { app } = await routeApp(registerTicketRoutes, fixedClock(T0));
    const missing = await app.inject({ url: '/api/v1/tickets/999', headers: AUTH });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'ticket_unknown', message: 'unknown ticket: 999' });
    expect((await app.inject({ url: '/api/v1/tickets/abc', headers: AUTH })).statusCode).toBe(400);
  });
});
