// The desk outbox on the backend under test: heads of each ticket's queue only, state moves, revive, remote ids,
// prune; and the claims that let several collectors dispatch from one store (one event of a ticket in flight per
// desk, outcomes recorded only under the claim that holds the row, a lapsed lease makes the row claimable again).
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../collector/src/store/index.js';
import { deskTicket } from '../desks/events.js';
import { newTicket } from '../../helpers/collector-tickets.js';
import { open, tempDbPath } from './helpers.js';

function storeWithTickets(n: number, file = tempDbPath()): { store: Store; ids: number[]; file: string } {
  const store = open(file);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const ids = Array.from({ length: n }, (_, i) => store.tickets.open(newTicket({ host: `h${i}`, ruleId: 'disk_space' }), 1000, 'opened').id);
  return { store, ids, file };
}

const event = (ticketId: number, kind: 'opened' | 'note' | 'resolved', at: number) => ({ kind, at, detail: kind, ticket: deskTicket({ id: ticketId }) });

const T = 10_000;
const LEASE = 60_000;

describe('desk outbox', () => {
  it('gives the oldest pending event of each ticket only, when due', () => {
    const { store, ids } = storeWithTickets(2);
    const o = store.deskOutbox;
    const a1 = o.enqueue('hook', event(ids[0]!, 'opened', 1000));
    o.enqueue('hook', event(ids[0]!, 'resolved', 1001));
    const b1 = o.enqueue('hook', event(ids[1]!, 'opened', 1002));
    o.enqueue('other', event(ids[1]!, 'opened', 1002));
    expect(o.due('hook', 5000, 10).map((r) => r.id)).toEqual([a1, b1]);
    o.retry(a1, 9000, 'HTTP 503');
    expect(o.due('hook', 5000, 10).map((r) => r.id)).toEqual([b1]); // a1 waits; its successor stays behind it
    o.delivered(b1, 5000);
    expect(o.due('hook', 9000, 10).map((r) => [r.kind, r.attempts, r.lastError])).toEqual([['opened', 1, 'HTTP 503']]);
    expect(o.pendingDesks().sort()).toEqual(['hook', 'other']);
  });

  it('dead rows leave the queue until revived; counts per desk and state', () => {
    const { store, ids } = storeWithTickets(1);
    const o = store.deskOutbox;
    const id = o.enqueue('hook', event(ids[0]!, 'opened', 1000));
    o.dead(id, 2000, 'HTTP 422');
    expect(o.due('hook', 9999, 10)).toEqual([]);
    expect(o.counts()).toEqual([{ desk: 'hook', state: 'dead', n: 1 }]);
    expect(o.revive(id, 3000)).toBe(true);
    expect(o.revive(id, 3000)).toBe(false);
    expect(o.get(id)).toMatchObject({ state: 'pending', nextAttemptAt: 3000, finishedAt: null });
  });

  it('keeps each ticket’s id per desk, and prunes only old delivered rows', () => {
    const { store, ids } = storeWithTickets(1);
    const o = store.deskOutbox;
    o.setRemote('jira', ids[0]!, 'OPS-7', 'https://x.atlassian.net/browse/OPS-7', 1000);
    o.setRemote('halo', ids[0]!, '123', null, 1000);
    o.setRemote('jira', ids[0]!, 'OPS-8', null, 2000);
    expect(o.remoteId('jira', ids[0]!)).toBe('OPS-8');
    expect(o.remotes(ids[0]!)).toEqual([
      { desk: 'halo', remoteId: '123', remoteUrl: null },
      { desk: 'jira', remoteId: 'OPS-8', remoteUrl: null },
    ]);
    const old = o.enqueue('hook', event(ids[0]!, 'opened', 1000));
    const recent = o.enqueue('hook', event(ids[0]!, 'resolved', 1000));
    o.delivered(old, 1000);
    o.delivered(recent, 5000);
    expect(o.prune(3000)).toBe(1);
    expect(o.get(old)).toBeNull();
    expect(o.get(recent)).not.toBeNull();
  });
});

describe('desk outbox claims', () => {
  it('claims the head of each ticket with a lease; the ticket’s later events wait until the head is settled', () => {
    const { store, ids } = storeWithTickets(2);
    const o = store.deskOutbox;
    const a1 = o.enqueue('hook', event(ids[0]!, 'opened', 1000));
    const a2 = o.enqueue('hook', event(ids[0]!, 'note', 1001));
    const b1 = o.enqueue('hook', event(ids[1]!, 'opened', 1002));
    o.enqueue('other', event(ids[0]!, 'opened', 1003));

    const first = o.claim('hook', T, 10, 'c1', T + LEASE);
    expect(first.map((r) => [r.id, r.claimedBy, r.leaseUntil, r.state])).toEqual([
      [a1, 'c1', T + LEASE, 'pending'],
      [b1, 'c1', T + LEASE, 'pending'],
    ]);
    expect(o.claim('hook', T, 10, 'c2', T + LEASE)).toEqual([]); // a2 stays behind its claimed head
    expect(o.due('hook', T, 10)).toEqual([]);
    expect(o.inFlight('hook', T)).toBe(2);
    expect(o.inFlight('other', T)).toBe(0);
    expect(o.claim('other', T, 10, 'c2', T + LEASE).map((r) => r.ticketId)).toEqual([ids[0]]); // another desk: not held

    expect(o.delivered(a1, T + 1, 'c1')).toBe(true);
    expect(o.get(a1)).toMatchObject({ state: 'delivered', attempts: 1, claimedBy: null, leaseUntil: null });
    expect(o.claim('hook', T + 2, 10, 'c2', T + LEASE).map((r) => r.id)).toEqual([a2]);
    expect(o.inFlight('hook', T + 2)).toBe(2); // b1 (c1) and a2 (c2)
  });

  it('gives back at once the rows claimed by collectors no longer alive, and only those', () => {
    const { store, ids } = storeWithTickets(2);
    const o = store.deskOutbox;
    const a = o.enqueue('hook', event(ids[0]!, 'opened', 1000));
    const b = o.enqueue('hook', event(ids[1]!, 'opened', 1001));
    o.claim('hook', T, 1, 'c_dead/1', T + LEASE);
    o.claim('hook', T, 1, 'c_live/2', T + LEASE);
    expect(o.releaseOwnersOtherThan(['c_live', 'c_other'])).toBe(1);
    expect(o.get(a)).toMatchObject({ state: 'pending', claimedBy: null, leaseUntil: null });
    expect(o.get(b)).toMatchObject({ claimedBy: 'c_live/2' });
    // Long before the lease would have ended, another collector takes the dead one's row.
    expect(o.claim('hook', T + 1, 10, 'c_live/3', T + LEASE).map((r) => r.id)).toEqual([a]);
    expect(o.delivered(a, T + 2, 'c_dead/1')).toBe(false);
  });

  it('takes at most `limit` heads, oldest first, and two connections claiming in turn split them', () => {
    const { store, ids, file } = storeWithTickets(5);
    const other = open(file);
    const rows = ids.map((id, i) => store.deskOutbox.enqueue('hook', event(id, 'opened', 1000 + i)));
    expect(store.deskOutbox.claim('hook', T, 2, 'c1', T + LEASE).map((r) => r.id)).toEqual(rows.slice(0, 2));
    expect(other.deskOutbox.claim('hook', T, 2, 'c2', T + LEASE).map((r) => r.id)).toEqual(rows.slice(2, 4));
    expect(store.deskOutbox.claim('hook', T, 2, 'c3', T + LEASE).map((r) => r.id)).toEqual(rows.slice(4));
    expect(other.deskOutbox.claim('hook', T, 2, 'c4', T + LEASE)).toEqual([]);
  });

  it('records an outcome only under the claim that holds the row: a lapsed claim taken again cannot overwrite it', () => {
    const { store, ids } = storeWithTickets(1);
    const o = store.deskOutbox;
    const id = o.enqueue('hook', event(ids[0]!, 'opened', 1000));
    expect(o.claim('hook', T, 10, 'c1', T + LEASE)).toHaveLength(1);
    expect(o.claim('hook', T + LEASE - 1, 10, 'c2', T + 2 * LEASE)).toEqual([]); // the lease still runs
    // c1's collector died (or hung): at the end of its lease the row is claimable again.
    expect(o.claim('hook', T + LEASE, 10, 'c2', T + 2 * LEASE).map((r) => [r.id, r.claimedBy])).toEqual([[id, 'c2']]);

    expect(o.delivered(id, T + LEASE + 1, 'c1')).toBe(false);
    expect(o.retry(id, T + LEASE + 5000, 'HTTP 503', 'c1')).toBe(false);
    expect(o.dead(id, T + LEASE + 1, 'HTTP 422', 'c1')).toBe(false);
    expect(o.release(id, 'c1')).toBe(false);
    expect(o.get(id)).toMatchObject({ state: 'pending', attempts: 0, lastError: null, claimedBy: 'c2' });

    expect(o.dead(id, T + LEASE + 2, 'HTTP 422', 'c2')).toBe(true);
    expect(o.get(id)).toMatchObject({ state: 'dead', attempts: 1, lastError: 'HTTP 422', claimedBy: null });
    expect(o.delivered(id, T + LEASE + 3, 'c2')).toBe(false); // settled already
    expect(o.get(id)).toMatchObject({ state: 'dead' });
  });

  it('retry ends the claim and the row is claimable at its next attempt; release gives it back untried', () => {
    const { store, ids } = storeWithTickets(1);
    const o = store.deskOutbox;
    const id = o.enqueue('hook', event(ids[0]!, 'opened', 1000));
    o.enqueue('hook', event(ids[0]!, 'resolved', 1001));
    o.claim('hook', T, 10, 'c1', T + LEASE);
    expect(o.retry(id, T + 5000, 'HTTP 503', 'c1')).toBe(true);
    expect(o.get(id)).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: T + 5000, claimedBy: null, leaseUntil: null });
    expect(o.inFlight('hook', T + 1)).toBe(0);
    expect(o.claim('hook', T + 4999, 10, 'c2', T + LEASE)).toEqual([]); // backing off, and its successor waits
    expect(o.claim('hook', T + 5000, 10, 'c2', T + 5000 + LEASE).map((r) => r.id)).toEqual([id]);

    expect(o.release(id, 'c2')).toBe(true);
    expect(o.get(id)).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: T + 5000, claimedBy: null, leaseUntil: null });
    expect(o.claim('hook', T + 5001, 10, 'c3', T + LEASE).map((r) => r.id)).toEqual([id]);
  });

  it('a claimed row dead-lettered holds its ticket’s later rows as before, and the API can still revive it', () => {
    const { store, ids } = storeWithTickets(1);
    const o = store.deskOutbox;
    const a1 = o.enqueue('hook', event(ids[0]!, 'opened', 1000));
    const a2 = o.enqueue('hook', event(ids[0]!, 'resolved', 1001));
    o.claim('hook', T, 10, 'c1', T + LEASE);
    o.dead(a1, T + 1, 'HTTP 422', 'c1');
    expect(o.claim('hook', T + 2, 10, 'c1', T + LEASE)).toEqual([]);
    expect(o.get(a2)).toMatchObject({ state: 'pending', heldBehind: a1, claimedBy: null });
    expect(o.revive(a1, T + 3)).toBe(true);
    expect(o.claim('hook', T + 3, 10, 'c2', T + LEASE).map((r) => r.id)).toEqual([a1]);
  });
});
