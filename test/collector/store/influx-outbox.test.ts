// The outbox of alert/ticket points on the backend under test: order kept, rows removed only through an id or a
// claim, bounded with drops counted, it survives reopening the store (a collector restart); batches are claimed so
// several collectors ship from one store without sending a row twice, unless its lease lapsed.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../collector/src/store/db.js';
import { createInfluxOutbox } from '../../../collector/src/store/influx-outbox.js';
import { open, tempDbPath } from './helpers.js';

const T = 10_000;
const LEASE = 60_000;

/** An outbox with a small bound, on its own connection (closed after fn). */
function bounded(maxRows: number, fn: (outbox: ReturnType<typeof createInfluxOutbox>) => void): void {
  const db = openDatabase(tempDbPath());
  try {
    fn(createInfluxOutbox(db, maxRows));
  } finally {
    db.close();
  }
}

describe('influx outbox', () => {
  it('gives rows back oldest first and removes only through the id it is told', () => {
    const outbox = open(':memory:').influxOutbox;
    outbox.append(['a v=1 1', 'b v=2 2', 'c v=3 3']);
    const first = outbox.peek(2);
    expect(first.map((r) => r.line)).toEqual(['a v=1 1', 'b v=2 2']);
    outbox.remove(first[1]!.id);
    expect(outbox.peek(10).map((r) => r.line)).toEqual(['c v=3 3']);
    expect(outbox.size()).toBe(1);
  });

  it('drops the oldest rows past its bound and counts them', () => {
    bounded(3, (outbox) => {
      outbox.append(['1', '2']);
      outbox.append(['3', '4', '5']);
      expect(outbox.peek(10).map((r) => r.line)).toEqual(['3', '4', '5']);
      expect(outbox.dropped()).toBe(2);
      expect(outbox.size()).toBe(3);
    });
  });

  it('keeps its rows across a restart of the store', () => {
    const file = tempDbPath();
    const store = open(file);
    store.transaction(() => store.influxOutbox.append(['alerts,host=a state="firing" 1']));
    store.close();
    const reopened = open(file);
    expect(reopened.influxOutbox.size()).toBe(1);
    expect(reopened.influxOutbox.peek(1)[0]!.line).toBe('alerts,host=a state="firing" 1');
  });

  it('rolls back with the transition it belongs to', () => {
    const store = open(':memory:');
    expect(() =>
      store.transaction(() => {
        store.influxOutbox.append(['x v=1 1']);
        throw new Error('the transition failed');
      }),
    ).toThrow('the transition failed');
    expect(store.influxOutbox.peek(10)).toEqual([]);
  });
});

describe('influx outbox claims', () => {
  it('hands each batch to one claim, oldest first, and removes a batch only under its claim', () => {
    const file = tempDbPath();
    const store = open(file);
    const other = open(file);
    store.influxOutbox.append(['a 1', 'b 2', 'c 3', 'd 4', 'e 5']);
    const one = store.influxOutbox.claim(2, 'c1', T, T + LEASE);
    const two = other.influxOutbox.claim(2, 'c2', T, T + LEASE);
    expect(one.map((r) => r.line)).toEqual(['a 1', 'b 2']);
    expect(two.map((r) => r.line)).toEqual(['c 3', 'd 4']);
    expect(store.influxOutbox.claim(5, 'c3', T, T + LEASE).map((r) => r.line)).toEqual(['e 5']);
    expect(other.influxOutbox.claim(5, 'c4', T, T + LEASE)).toEqual([]);

    expect(store.influxOutbox.removeClaimed(two, 'c1')).toBe(0); // not c1's
    expect(other.influxOutbox.removeClaimed(two, 'c2')).toBe(2);
    expect(store.influxOutbox.peek(10).map((r) => r.line)).toEqual(['a 1', 'b 2', 'e 5']);
    expect(store.influxOutbox.size()).toBe(3);
  });

  it('gives back at once the batches claimed by collectors no longer alive, and only those', () => {
    const store = open(':memory:');
    const o = store.influxOutbox;
    o.append(['a 1', 'b 2', 'c 3']);
    const dead = o.claim(2, 'c_dead/1', T, T + LEASE);
    const live = o.claim(2, 'c_live/2', T, T + LEASE);
    expect(live.map((r) => r.line)).toEqual(['c 3']);
    expect(o.releaseOwnersOtherThan(['c_live'])).toBe(2);
    expect(o.claim(10, 'c_live/3', T + 1, T + LEASE).map((r) => r.line)).toEqual(['a 1', 'b 2']);
    expect(o.removeClaimed(dead, 'c_dead/1')).toBe(0);
    expect(o.removeClaimed(live, 'c_live/2')).toBe(1);
  });

  it('a batch given back is claimed again at once; one whose lease lapsed goes to the next claim, not to its old holder', () => {
    const store = open(':memory:');
    const o = store.influxOutbox;
    o.append(['a 1', 'b 2']);
    const held = o.claim(10, 'c1', T, T + LEASE);
    o.release(held, 'c1');
    expect(o.claim(10, 'c2', T + 1, T + LEASE).map((r) => r.line)).toEqual(['a 1', 'b 2']);
    expect(o.claim(10, 'c3', T + LEASE - 1, T + 2 * LEASE)).toEqual([]);
    // c2's collector died mid-write: at the end of the lease the batch is claimed again.
    const again = o.claim(10, 'c3', T + LEASE, T + 2 * LEASE);
    expect(again.map((r) => r.line)).toEqual(['a 1', 'b 2']);
    o.release(held, 'c2'); // the old holder's word changes nothing
    expect(o.removeClaimed(held, 'c2')).toBe(0);
    expect(o.claim(10, 'c4', T + LEASE, T + 2 * LEASE)).toEqual([]);
    expect(o.removeClaimed(again, 'c3')).toBe(2);
    expect(o.size()).toBe(0);
  });

  it('keeps its bound while batches are claimed: claimed rows are dropped too, and their holder removes fewer', () => {
    bounded(3, (outbox) => {
      outbox.append(['1', '2', '3']);
      const held = outbox.claim(2, 'c1', T, T + LEASE);
      outbox.append(['4', '5']);
      expect(outbox.dropped()).toBe(2);
      expect(outbox.peek(10).map((r) => r.line)).toEqual(['3', '4', '5']);
      expect(outbox.removeClaimed(held, 'c1')).toBe(0);
      expect(outbox.claim(10, 'c2', T, T + LEASE).map((r) => r.line)).toEqual(['3', '4', '5']);
    });
  });
});
