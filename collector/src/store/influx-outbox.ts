// Points waiting for InfluxDB that must survive a collector restart and an InfluxDB outage (alert and ticket
// transitions; agent batches do not need this: the agents keep theirs until acked). Bounded: past MAX_ROWS the
// oldest rows are dropped and counted, so a week-long InfluxDB outage cannot fill the disk.
//
// Several collectors may ship from one store: a shipper claims a batch of the oldest unclaimed rows with a token and
// a lease in one statement (on PostgreSQL its SELECT ... FOR UPDATE SKIP LOCKED, so two claiming at once take
// different rows without waiting), and deletes or releases them under that token only. Rows whose lease lapsed (the
// collector died mid-write) are claimed again; the points may then reach InfluxDB twice, which rewrites the same
// points. Batches are written in parallel, so InfluxDB may get a later batch first: points carry their own times.
import type { Db } from './db.js';
import { dialectOf } from './sql.js';

export const MAX_OUTBOX_ROWS = 1_000_000;

export interface OutboxRow {
  id: number;
  line: string;
}

export interface InfluxOutbox {
  append(lines: readonly string[]): void;
  /** The oldest `limit` rows, in order, claimed or not (tests, inspection). */
  peek(limit: number): OutboxRow[];
  /** Takes the oldest `limit` rows that no lease past `now` holds, in order: each is marked with `claim` (a token
   *  unique to this claim) until `leaseUntil`, and no other claim takes it before then. */
  claim(limit: number, claim: string, now: number, leaseUntil: number): OutboxRow[];
  /** Deletes the rows of a batch still held under `claim` (InfluxDB stored them, or refused them for good);
   *  answers how many. A row whose lease lapsed and was claimed again is left to its new holder. */
  removeClaimed(rows: readonly OutboxRow[], claim: string): number;
  /** Gives the rows of a batch still held under `claim` back, to be claimed again at once (InfluxDB is down). */
  release(rows: readonly OutboxRow[], claim: string): void;
  /**
   * Gives back, at once, the rows claimed by owners not in `live` (claims are `<owner>/<token>`: a collector that
   * died leaves them until their lease ends otherwise); answers how many.
   */
  releaseOwnersOtherThan(live: readonly string[]): number;
  /** Removes every row up to and including `id`, claimed or not: for a lone reader of peek() (tests, tools). */
  remove(throughId: number): void;
  size(): number;
  /** Rows dropped because the outbox was full, since this process opened the store. */
  dropped(): number;
}

export function createInfluxOutbox(db: Db, maxRows = MAX_OUTBOX_ROWS): InfluxOutbox {
  const insert = db.prepare('INSERT INTO influx_outbox (line) VALUES (?)');
  const select = db.prepare('SELECT id, line FROM influx_outbox ORDER BY id LIMIT ?');
  // One statement outside any transaction (no store-wide lock); the primary key serves the oldest-first scan, which
  // passes over the few batches in flight at the head of the queue.
  const lock = dialectOf(db) === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
  const claim = db.prepare(`UPDATE influx_outbox SET claimed_by = @claim, lease_until = @leaseUntil WHERE id IN
    (SELECT id FROM influx_outbox WHERE lease_until IS NULL OR lease_until <= @now ORDER BY id LIMIT @limit ${lock}) RETURNING id, line`);
  // A batch's rows by its id range (the primary key) and token: no index on the token needed.
  const held = 'id >= @first AND id <= @last AND claimed_by = @claim';
  const del = db.prepare(`DELETE FROM influx_outbox WHERE ${held}`);
  const delThrough = db.prepare('DELETE FROM influx_outbox WHERE id <= ?');
  const release = db.prepare(`UPDATE influx_outbox SET claimed_by = NULL, lease_until = NULL WHERE ${held}`);
  const count = db.prepare('SELECT count(*) AS n FROM influx_outbox');
  const claims = db.prepare('SELECT DISTINCT claimed_by FROM influx_outbox WHERE claimed_by IS NOT NULL').pluck();
  const releaseClaim = db.prepare('UPDATE influx_outbox SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = ?');
  const trim = db.prepare('DELETE FROM influx_outbox WHERE id IN (SELECT id FROM influx_outbox ORDER BY id LIMIT ?)');
  let dropped = 0;
  let rows = (count.get() as { n: number }).n;
  const batch = (of: readonly OutboxRow[], token: string) => ({
    first: of.reduce((min, r) => Math.min(min, r.id), Infinity),
    last: of.reduce((max, r) => Math.max(max, r.id), -Infinity),
    claim: token,
  });
  return {
    releaseOwnersOtherThan: (live) => releaseDeadClaims(claims.all() as string[], live, (claim) => releaseClaim.run(claim).changes),
    append(lines) {
      for (const line of lines) insert.run(line);
      rows += lines.length;
      // The running count can be high after a rolled-back transition: recount before dropping anything.
      if (rows > maxRows) rows = (count.get() as { n: number }).n;
      if (rows > maxRows) {
        // Claimed rows are dropped too: their holder's removeClaimed() then finds fewer.
        const excess = rows - maxRows;
        dropped += trim.run(excess).changes;
        rows = maxRows;
      }
    },
    peek: (limit) => select.all(limit) as OutboxRow[],
    claim(limit, token, now, leaseUntil) {
      const claimed = claim.all({ claim: token, leaseUntil: Math.trunc(leaseUntil), now: Math.trunc(now), limit }) as OutboxRow[];
      return claimed.sort((a, b) => a.id - b.id); // RETURNING promises no order
    },
    removeClaimed(of, token) {
      if (of.length === 0) return 0;
      const removed = del.run(batch(of, token)).changes;
      rows = (count.get() as { n: number }).n;
      return removed;
    },
    release(of, token) {
      if (of.length > 0) release.run(batch(of, token));
    },
    remove(throughId) {
      delThrough.run(throughId);
      rows = (count.get() as { n: number }).n;
    },
    size: () => (count.get() as { n: number }).n,
    dropped: () => dropped,
  };
}

/** Releases each claim whose owner (the part before '/') is not among `live`, through `release`; the rows released. */
export function releaseDeadClaims(claims: readonly string[], live: readonly string[], release: (claim: string) => number): number {
  const alive = new Set(live);
  let released = 0;
  for (const claim of claims) if (!alive.has(claim.slice(0, claim.indexOf('/')))) released += release(claim);
  return released;
}
