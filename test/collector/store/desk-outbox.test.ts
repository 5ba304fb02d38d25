// The desk outbox in a real SQLite file: heads of each ticket's queue only, state moves, revive, remote ids, prune.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../collector/src/store/index.js';
import { deskTicket } from '../desks/events.js';
import { newTicket } from '../../helpers/collector-tickets.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function storeWithTickets(n: number): { store: Store; ids: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'wp-desk-outbox-'));
  dirs.push(dir);
  const store = openStore(join(dir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const ids = Array.from({ length: n }, (_, i) => store.tickets.open(newTicket({ host: `h${i}`, ruleId: 'disk_space' }), 1000, 'opened').id);
  return { store, ids };
}

const event = (ticketId: number, kind: 'opened' | 'resolved', at: number) => ({ kind, at, detail: kind, ticket: deskTicket({ id: ticketId }) });

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
