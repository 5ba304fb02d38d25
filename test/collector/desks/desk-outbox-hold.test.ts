// The desk outbox's queue heads in a real SQLite file: a dead row stays the head of its (desk, ticket) queue, so
// the ticket's later rows for that desk are held until it is revived, and the API's read says what they wait for.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../collector/src/store/db.js';
import { openStore } from '../../../collector/src/store/index.js';
import { deskTicket } from './events.js';
import { newTicket } from '../../helpers/collector-tickets.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';

const cleanups = cleanupsAfterEach();

function storeWithTickets(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'wp-desk-hold-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'watchpost.db');
  const store = openStore(file);
  cleanups.push(() => store.close());
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const ids = Array.from({ length: n }, (_, i) => store.tickets.open(newTicket({ host: `h${i}`, ruleId: 'disk_space' }), 1000, 'opened').id);
  return { store, ids, file };
}

const event = (ticketId: number, kind: 'opened' | 'note' | 'resolved') => ({ kind, at: 1000, detail: kind, ticket: deskTicket({ id: ticketId }) });

describe('desk outbox: later events held behind a dead one', () => {
  it('holds only that ticket in that desk; revived, the dead row is the head again and the held rows follow it', () => {
    const { store, ids } = storeWithTickets(2);
    const o = store.deskOutbox;
    const a1 = o.enqueue('hook', event(ids[0]!, 'opened'));
    const a2 = o.enqueue('hook', event(ids[0]!, 'note'));
    const a3 = o.enqueue('hook', event(ids[0]!, 'resolved'));
    const b1 = o.enqueue('hook', event(ids[1]!, 'opened'));
    const c1 = o.enqueue('spare', event(ids[0]!, 'opened'));
    o.dead(a1, 2000, 'HTTP 422: unknown company');

    expect(o.due('hook', 5000, 10).map((r) => r.id)).toEqual([b1]);
    expect(o.due('spare', 5000, 10).map((r) => r.id)).toEqual([c1]);
    expect(o.list({ desk: 'hook', ticketId: ids[0]! }).map((r) => [r.id, r.state, r.heldBehind, r.lastError])).toEqual([
      [a3, 'pending', a1, `held behind delivery ${a1} (dead: retry it to send this ticket's events in order)`],
      [a2, 'pending', a1, `held behind delivery ${a1} (dead: retry it to send this ticket's events in order)`],
      [a1, 'dead', null, 'HTTP 422: unknown company'],
    ]);
    expect(o.get(a2)).toMatchObject({ heldBehind: a1 });
    expect(o.get(b1)).toMatchObject({ heldBehind: null, lastError: null });
    expect(o.waiting('hook', ids[0]!)).toBe(true);

    expect(o.revive(a1, 3000)).toBe(true);
    expect(o.get(a2)).toMatchObject({ heldBehind: null, lastError: null });
    expect(o.due('hook', 5000, 10).map((r) => r.id)).toEqual([a1, b1]);
    o.delivered(a1, 5000);
    expect(o.due('hook', 5000, 10).map((r) => r.id)).toEqual([a2, b1]);
    o.delivered(a2, 5000);
    expect(o.due('hook', 5000, 10).map((r) => r.id)).toEqual([a3, b1]);
  });

  it('discarded, a dead row releases the rows it held, keeps its history and is pruned like a delivered one', () => {
    const { store, ids } = storeWithTickets(1);
    const o = store.deskOutbox;
    const a1 = o.enqueue('hook', event(ids[0]!, 'opened'));
    const a2 = o.enqueue('hook', event(ids[0]!, 'note'));
    o.dead(a1, 2000, 'HTTP 422: unknown company');
    expect(o.due('hook', 5000, 10)).toEqual([]);
    expect(o.discard(a2, 3000, 'discarded by Jane')).toBe(false); // only a dead row
    expect(o.discard(a1, 3000, 'discarded by Jane')).toBe(true);
    expect(o.get(a1)).toMatchObject({ state: 'discarded', finishedAt: 3000, lastError: 'discarded by Jane (was: HTTP 422: unknown company)' });
    expect(o.discard(a1, 3000, 'again')).toBe(false);
    expect(o.revive(a1, 3000)).toBe(false); // a discarded row stays discarded
    expect(o.due('hook', 5000, 10).map((r) => r.id)).toEqual([a2]);
    expect(o.waiting('hook', ids[0]!)).toBe(true); // a2 still waits
    o.delivered(a2, 5000);
    expect(o.waiting('hook', ids[0]!)).toBe(false);
    expect(o.prune(6000)).toBe(2);
    expect(o.get(a1)).toBeNull();
  });

  it('the migration that admits discarded rows keeps every row, its id and the id sequence', () => {
    const { store, ids, file } = storeWithTickets(1);
    const a1 = store.deskOutbox.enqueue('hook', event(ids[0]!, 'opened'));
    store.deskOutbox.dead(a1, 2000, 'refused');
    store.close();
    const db = openDatabase(file); // already migrated: the table as the migration left it
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'desk_outbox' ORDER BY name").pluck().all();
    db.close();
    expect(indexes).toEqual(['desk_outbox_dead', 'desk_outbox_pending', 'desk_outbox_state']);
    const again = openStore(file);
    cleanups.push(() => again.close());
    expect(again.deskOutbox.get(a1)).toMatchObject({ state: 'dead', lastError: 'refused' });
    expect(again.deskOutbox.enqueue('hook', event(ids[0]!, 'note'))).toBe(a1 + 1);
  });

  it('a row behind two dead rows waits for both, and names the oldest (the one delivered first)', () => {
    const { store, ids } = storeWithTickets(1);
    const o = store.deskOutbox;
    const first = o.enqueue('hook', event(ids[0]!, 'opened'));
    const second = o.enqueue('hook', event(ids[0]!, 'note'));
    const third = o.enqueue('hook', event(ids[0]!, 'resolved'));
    // Two dead rows of one ticket: a database from before later rows were held can have them.
    o.dead(first, 2000, 'HTTP 400');
    o.dead(second, 2000, 'HTTP 400');
    expect(o.get(third)).toMatchObject({ state: 'pending', heldBehind: first });
    o.revive(second, 3000);
    expect(o.due('hook', 5000, 10)).toEqual([]); // the revived second still waits for the first
    expect(o.get(second)).toMatchObject({ state: 'pending', heldBehind: first });
    o.revive(first, 3000);
    expect(o.due('hook', 5000, 10).map((r) => r.id)).toEqual([first]);
  });

  it('the due read finds older dead rows through the dead rows’ own index, not by scanning the history', () => {
    const { store, file } = storeWithTickets(1);
    store.close();
    const db = openDatabase(file);
    cleanups.push(() => void db.close());
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN SELECT 1 FROM desk_outbox d WHERE d.desk = 'hook' AND d.ticket_id = 1 AND d.state = 'dead' AND d.id < 10`)
      .all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING COVERING INDEX desk_outbox_dead/);
  });
});
