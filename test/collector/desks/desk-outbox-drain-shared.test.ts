// Two collectors' dispatchers on one PostgreSQL store (two connections, one process), sending to one webhook desk
// through the real connector to a local receiver: every event arrives exactly once, each ticket's in order, never
// two of a ticket at once, never more requests at once than the desk's concurrency counted across both; and rows a
// third collector claimed before it died are sent once their lease lapsed. Clock injected; the receiver answers
// after a short real delay, so the two dispatchers' deliveries overlap. PostgreSQL only (the store-postgres project).
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LEASE_MS, startDispatcher, type Dispatcher } from '../../../collector/src/desks/desk-outbox-drain.js';
import { parseDesks } from '../../../collector/src/desks/desks-file.js';
import { newTicket } from '../../helpers/collector-tickets.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';
import { open, tempDbPath } from '../store/helpers.js';
import { deskTicket } from './events.js';
import { startReceiver } from './receiver.js';

const T0 = Date.parse('2026-11-23T09:00:00Z');
const CONCURRENCY = 4;
const KINDS = ['opened', 'note', 'escalated', 'resolved'] as const;
const cleanups = cleanupsAfterEach();

describe('desk dispatchers of two collectors on one store', () => {
  it('deliver every event exactly once, in order per ticket, one at a time per ticket, within the desk’s concurrency', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const url = tempDbPath();
    let clock = T0;
    const now = () => clock;
    const [a, b, dying] = [open(url), open(url), open(url)];
    a.tenants.add({ id: 'acme', name: 'Acme' });
    const tickets = Array.from({ length: 12 }, (_, i) => a.tickets.open(newTicket({ host: `h${i}`, ruleId: 'disk_space' }), T0, 'opened').id);
    const queued = new Map<number, number[]>(tickets.map((id) => [id, []])); // ticket -> its rows, in queue order
    for (const kind of KINDS) {
      for (const id of tickets) queued.get(id)!.push(a.deskOutbox.enqueue('hook', { kind, at: T0, detail: kind, ticket: deskTicket({ id }) }));
    }
    // A third collector claimed the heads of two tickets, then died: no outcome will ever come from it.
    const orphaned = dying.deskOutbox.claim('hook', T0, 2, 'dead-collector/1', T0 + LEASE_MS);
    expect(orphaned.map((r) => r.ticketId)).toEqual(tickets.slice(0, 2));

    // The receiver fails each fifth event's first attempt (retried later, by whichever collector claims it).
    const attempts = new Map<number, number>();
    receiver.answer = (req) => {
      const id = (JSON.parse(req.body) as { watchpost: { eventId: number } }).watchpost.eventId;
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      return id % 5 === 0 && attempts.get(id) === 1 ? { status: 503, body: 'busy' } : { status: 200, body: '{}' };
    };
    // What both collectors' requests look like from the desk: in flight at once, per ticket and in all.
    let inFlight = 0;
    let most = 0;
    const perTicket = new Map<number, number>();
    let overlapped = 0;
    const delivered: Array<{ ticket: number; event: number; by: string }> = [];
    const observed =
      (by: string): typeof fetch =>
      async (input, init) => {
        const { watchpost } = JSON.parse(init!.body as string) as { watchpost: { eventId: number; ticket: { id: number } } };
        const ticket = watchpost.ticket.id;
        most = Math.max(most, ++inFlight);
        perTicket.set(ticket, (perTicket.get(ticket) ?? 0) + 1);
        if (perTicket.get(ticket)! > 1) overlapped++;
        try {
          await sleep(1 + Math.floor(Math.random() * 4));
          const res = await fetch(input, init);
          if (res.ok) delivered.push({ ticket, event: watchpost.eventId, by });
          return res;
        } finally {
          inFlight--;
          perTicket.set(ticket, perTicket.get(ticket)! - 1);
        }
      };

    const desks = parseDesks(
      `desks: { hook: { type: webhook, url: "${receiver.url}/in", concurrency: ${CONCURRENCY} } }\ndefault_desks: [ { desk: hook } ]`,
      'desks.yaml',
      {},
    );
    const problems: string[] = [];
    const log = {
      info: () => {},
      warn: (o: object, m: string) => void (m.includes('not recorded') && problems.push(`${m} ${JSON.stringify(o)}`)),
      error: (_o: object, m: string) => void problems.push(m),
    };
    const dispatchers: Dispatcher[] = [a, b].map((store, i) => {
      const d = startDispatcher({ store, desks: () => desks, log, now, pollMs: 3_600_000, random: () => 0.5, fetch: observed(`c${i}`), owner: `c${i}` });
      cleanups.push(() => d.stop());
      return d;
    });
    const pending = () => a.deskOutbox.list({ state: 'pending', limit: 1000 }).length;
    const rounds = async (until: () => boolean) => {
      for (let i = 0; i < 300 && !until(); i++) {
        // Each round another collector claims first (a dispatcher also passes again after each delivery of its own).
        await Promise.all((i % 2 ? [...dispatchers].reverse() : dispatchers).map((d) => d.pass()));
        // The clock moves only between deliveries: moved while one is in flight, it could outrun the lease.
        while (inFlight > 0) await sleep(1);
        clock += 1000;
      }
    };

    // Until the orphaned leases lapse, the two tickets wait (and their claims count against the desk's concurrency).
    const orphanedRows = queued.get(tickets[0]!)!.length + queued.get(tickets[1]!)!.length;
    await rounds(() => pending() === orphanedRows);
    expect(pending()).toBe(orphanedRows);
    expect(delivered.filter((d) => tickets.slice(0, 2).includes(d.ticket))).toEqual([]);
    expect(most).toBeLessThanOrEqual(CONCURRENCY - orphaned.length);

    clock = Math.max(clock, T0 + LEASE_MS);
    await rounds(() => pending() === 0);
    await Promise.all(dispatchers.map((d) => d.stop()));

    expect(pending()).toBe(0);
    expect(problems).toEqual([]);
    const events = delivered.map((d) => d.event);
    expect(new Set(events).size).toBe(events.length); // none twice
    expect(events.sort((x, y) => x - y)).toEqual([...queued.values()].flat().sort((x, y) => x - y));
    for (const [ticket, rows] of queued) expect(delivered.filter((d) => d.ticket === ticket).map((d) => d.event)).toEqual(rows);
    expect(overlapped).toBe(0);
    expect(most).toBeLessThanOrEqual(CONCURRENCY);
    expect(new Set(delivered.map((d) => d.by))).toEqual(new Set(['c0', 'c1'])); // both collectors took part
    expect([...attempts.values()].some((n) => n === 2)).toBe(true); // retries happened, across collectors
    expect(a.deskOutbox.list({ state: 'delivered', limit: 1000 }).every((r) => r.claimedBy === null)).toBe(true);
  });
});
