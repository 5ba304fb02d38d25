// Ticket events waiting for (or done with) each service desk, and each ticket's id in each desk. Rows are queued
// inside the transaction that changed the ticket; the dispatcher (desks/desk-outbox-drain.ts) takes the oldest
// undelivered row of each (desk, ticket), when it is pending, so a desk sees a ticket's events in order, and marks
// each row delivered, retried or dead. A dead row stays the head of its ticket's queue: the ticket's later rows for
// that desk are held (pending, shown as held behind it) until it is revived and delivered, so a retried dead letter
// never reaches the desk after events that happened after it; one the desk will never take can be discarded, which
// releases the rows behind it. Rows are never deleted by delivery: delivered and discarded ones are pruned after a
// while, dead ones stay until retried or discarded.
//
// Several collectors may dispatch from one store. A dispatcher takes rows by claiming them: claim() marks the heads
// it takes with a claim token and a lease in one statement (on PostgreSQL its SELECT ... FOR UPDATE SKIP LOCKED,
// so two collectors claiming at once take different rows and neither waits for the other). A claimed row stays
// pending, and as the head of its ticket's queue it keeps the ticket's later rows back: one event of a ticket is in
// flight per desk, whichever collector sends it. The outcome (delivered, retry, dead, release) is recorded only
// under the claim's token: once a lease lapsed and another claim took the row, the first holder's word is ignored.
// A lapsed lease (its collector died, or hung) makes the row claimable again, so it may reach the desk a second
// time when the first delivery's outcome was never recorded.
import type { DeskEventKind, DeskTicket } from '../desks/contract.js';
import type { Db } from './db.js';
import { releaseDeadClaims } from './influx-outbox.js';
import { dialectOf } from './sql.js';

export type DeliveryState = 'pending' | 'delivered' | 'dead' | 'discarded';

export interface DeskDelivery {
  id: number;
  desk: string;
  ticketId: number;
  kind: DeskEventKind;
  at: number;
  detail: string;
  ticket: DeskTicket;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number;
  /** The row's own last error; for a held row, which dead row it waits behind. */
  lastError: string | null;
  finishedAt: number | null;
  /** A pending row of a ticket with an older dead row for the same desk: the oldest such dead row (revived, it is
   *  delivered first, then this one). Null otherwise. */
  heldBehind: number | null;
  /** The claim of the delivery in flight (its token names the collector first), and until when it holds; a lapsed
   *  claim may still be shown until the row is claimed again or settled. */
  claimedBy: string | null;
  leaseUntil: number | null;
}

export interface DeskOutbox {
  enqueue(desk: string, event: { kind: DeskEventKind; at: number; detail: string; ticket: DeskTicket }): number;
  /** The oldest pending row of each (desk, ticket) that is due at `now`, not under a claim whose lease runs past
   *  `now`, and has no older dead row (those are held until it is revived), oldest first: what claim() would take. */
  due(desk: string, now: number, limit: number): DeskDelivery[];
  /** Takes up to `limit` of due()'s rows for delivery, oldest first: each is marked with `claim` (a token unique to
   *  this claim) until `leaseUntil`, and no other claim takes it, or its ticket's later rows, before that. */
  claim(desk: string, now: number, limit: number, claim: string, leaseUntil: number): DeskDelivery[];
  /** Rows of the desk under a claim whose lease runs past `now`, whoever holds them: the desk's requests in flight. */
  inFlight(desk: string, now: number): number;
  /** The outcomes: with `claim`, recorded only while the row is still held under that claim (false otherwise: the
   *  lease lapsed and another claim took the row, or it was settled already); without, whatever holds it. Each
   *  ends the claim. retry() keeps the row pending; delivered() and dead() only move a pending row. */
  delivered(id: number, at: number, claim?: string): boolean;
  retry(id: number, nextAttemptAt: number, error: string, claim?: string): boolean;
  dead(id: number, at: number, error: string, claim?: string): boolean;
  /** Gives a claimed row back untried (the collector stops before its delivery ended): pending, due as it was, with
   *  no attempt counted. False when the row is no longer held under `claim`. */
  release(id: number, claim: string): boolean;
  /** Gives back, at once, the pending rows claimed by owners not in `live` (InfluxOutbox.releaseOwnersOtherThan). */
  releaseOwnersOtherThan(live: readonly string[]): number;
  /** Puts a dead row back in the queue (the API's retry); false when it is not dead. */
  revive(id: number, at: number): boolean;
  /** Gives up on a dead row for good (the API's discard), releasing the ticket's later rows it held; `note` says who
   *  and why, kept with the desk's last error. False when it is not dead. */
  discard(id: number, at: number, note: string): boolean;
  get(id: number): DeskDelivery | null;
  list(filter?: { state?: DeliveryState; desk?: string; ticketId?: number; limit?: number }): DeskDelivery[];
  counts(): Array<{ desk: string; state: DeliveryState; n: number }>;
  /** Desks with pending rows (served by the partial index: cheap whatever the history). */
  pendingDesks(): string[];
  remoteId(desk: string, ticketId: number): string | null;
  /** The ticket's id (and link) in every desk that has it. */
  remotes(ticketId: number): Array<{ desk: string; remoteId: string; remoteUrl: string | null }>;
  setRemote(desk: string, ticketId: number, remoteId: string, remoteUrl: string | null, at: number): void;
  /** The Watchpost ticket the desk knows as `remoteId` (the newest, should a desk ever have given one id twice). */
  ticketOf(desk: string, remoteId: string): number | null;
  /** Whether events of the ticket still wait for the desk (pending, or dead until retried). */
  waiting(desk: string, ticketId: number): boolean;
  /** The tickets the desk has an id for that are unresolved, or were resolved at or after `resolvedSince` (a reopen
   *  in the desk is still seen): what an inbound poll reads (desks/inbound/poll.ts). In ticket id order. */
  polled(desk: string, resolvedSince: number): Array<{ ticketId: number; remoteId: string }>;
  /** Deletes delivered and discarded rows finished before `before`. */
  prune(before: number): number;
}

interface Row {
  id: number;
  desk: string;
  ticket_id: number;
  kind: string;
  at: number;
  detail: string;
  ticket: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  finished_at: number | null;
  claimed_by: string | null;
  lease_until: number | null;
  held_behind?: number | null;
}

/** What the API shows as a held row's last error. */
const heldText = (deadId: number): string => `held behind delivery ${deadId} (dead: retry it to send this ticket's events in order)`;

const fromRow = (r: Row): DeskDelivery => ({
  id: r.id,
  desk: r.desk,
  ticketId: r.ticket_id,
  kind: r.kind as DeskEventKind,
  at: r.at,
  detail: r.detail,
  ticket: JSON.parse(r.ticket) as DeskTicket,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.held_behind ? heldText(r.held_behind) : r.last_error,
  finishedAt: r.finished_at,
  heldBehind: r.held_behind ?? null,
  claimedBy: r.claimed_by,
  leaseUntil: r.lease_until,
});

export const MAX_LIST = 1000;

/** A row as the API reads it: with the oldest dead row of its (desk, ticket) it waits behind, when it is pending. */
const WITH_HELD = `o.*, CASE WHEN o.state = 'pending' THEN (SELECT min(d.id) FROM desk_outbox d
    WHERE d.desk = o.desk AND d.ticket_id = o.ticket_id AND d.state = 'dead' AND d.id < o.id) END AS held_behind
  FROM desk_outbox o`;

export function createDeskOutbox(db: Db): DeskOutbox {
  const insert = db
    .prepare(
      `INSERT INTO desk_outbox (desk, ticket_id, kind, at, detail, ticket, state, next_attempt_at)
    VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) RETURNING id`,
    )
    .pluck();
  // The head of each ticket's queue, if it is pending, due and not claimed by a live lease: the oldest pending row
  // with no older dead row (the partial indexes serve both inner reads, so the cost follows the queue and the dead
  // list, not the history). A claimed head is still the oldest pending row, so the ticket's later rows wait behind
  // it: that is what keeps one event of a ticket in flight per desk across collectors.
  const dueRows = (columns: string, lock: string) => `SELECT ${columns} FROM desk_outbox o
    WHERE o.desk = @desk AND o.state = 'pending' AND o.next_attempt_at <= @now AND (o.lease_until IS NULL OR o.lease_until <= @now)
      AND o.id = (SELECT min(p.id) FROM desk_outbox p WHERE p.desk = o.desk AND p.ticket_id = o.ticket_id AND p.state = 'pending')
      AND NOT EXISTS (SELECT 1 FROM desk_outbox d WHERE d.desk = o.desk AND d.ticket_id = o.ticket_id AND d.state = 'dead' AND d.id < o.id)
    ORDER BY o.id LIMIT @limit ${lock}`;
  const due = db.prepare(dueRows('o.*', ''));
  // One statement, outside any transaction, so it takes no store-wide lock. On PostgreSQL the rows it picks are
  // locked as it picks them and rows another claim has locked are skipped: two collectors claiming at once take
  // different rows and neither waits. A row whose claim committed after this statement's snapshot is re-read when
  // locked and dropped for its new lease; the heads are taken from the snapshot, so a head settled meanwhile leaves
  // its ticket for the next claim instead of handing out the row behind it. SQLite runs one writer at a time.
  const claim = db.prepare(`UPDATE desk_outbox SET claimed_by = @claim, lease_until = @leaseUntil
    WHERE id IN (${dueRows('o.id', dialectOf(db) === 'postgres' ? 'FOR UPDATE OF o SKIP LOCKED' : '')}) RETURNING *`);
  const inFlight = db.prepare(`SELECT count(*) FROM desk_outbox WHERE desk = ? AND state = 'pending' AND lease_until > ?`).pluck();
  // The outcomes. `@claim` NULL: whatever holds the row (the API, tests); else only the holder of that claim.
  const held = `id = @id AND state = 'pending' AND (CAST(@claim AS TEXT) IS NULL OR claimed_by = @claim)`;
  const unclaim = 'claimed_by = NULL, lease_until = NULL';
  const claims = db.prepare("SELECT DISTINCT claimed_by FROM desk_outbox WHERE state = 'pending' AND claimed_by IS NOT NULL").pluck();
  const releaseClaim = db.prepare(`UPDATE desk_outbox SET ${unclaim} WHERE state = 'pending' AND claimed_by = ?`);
  const markDelivered = db.prepare(
    `UPDATE desk_outbox SET state = 'delivered', attempts = attempts + 1, finished_at = @at, last_error = NULL, ${unclaim} WHERE ${held}`,
  );
  const markRetry = db.prepare(`UPDATE desk_outbox SET attempts = attempts + 1, next_attempt_at = @at, last_error = @error, ${unclaim} WHERE ${held}`);
  const markDead = db.prepare(
    `UPDATE desk_outbox SET state = 'dead', attempts = attempts + 1, finished_at = @at, last_error = @error, ${unclaim} WHERE ${held}`,
  );
  const markReleased = db.prepare(`UPDATE desk_outbox SET ${unclaim} WHERE ${held}`);
  const markDiscarded = db.prepare(
    `UPDATE desk_outbox SET state = 'discarded', finished_at = ?, last_error = ? || coalesce(' (was: ' || last_error || ')', '') WHERE id = ? AND state = 'dead'`,
  );
  const markRevived = db.prepare(`UPDATE desk_outbox SET state = 'pending', next_attempt_at = ?, finished_at = NULL WHERE id = ? AND state = 'dead'`);
  const get = db.prepare(`SELECT ${WITH_HELD} WHERE o.id = ?`);
  const counts = db.prepare('SELECT desk, state, count(*) AS n FROM desk_outbox GROUP BY desk, state ORDER BY desk, state');
  const pendingDesks = db.prepare(`SELECT DISTINCT desk FROM desk_outbox WHERE state = 'pending'`);
  const remote = db.prepare('SELECT remote_id FROM desk_tickets WHERE desk = ? AND ticket_id = ?');
  const remotes = db.prepare('SELECT desk, remote_id AS "remoteId", remote_url AS "remoteUrl" FROM desk_tickets WHERE ticket_id = ? ORDER BY desk');
  const setRemote = db.prepare(`INSERT INTO desk_tickets (desk, ticket_id, remote_id, remote_url, created_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(desk, ticket_id) DO UPDATE SET remote_id = excluded.remote_id, remote_url = excluded.remote_url`);
  const ticketOf = db.prepare('SELECT max(ticket_id) FROM desk_tickets WHERE desk = ? AND remote_id = ?').pluck();
  const waiting = db.prepare(`SELECT 1 FROM desk_outbox WHERE desk = ? AND ticket_id = ? AND state IN ('pending', 'dead') LIMIT 1`).pluck();
  const prune = db.prepare(`DELETE FROM desk_outbox WHERE state IN ('delivered', 'discarded') AND finished_at < ?`);
  const polled = db.prepare(`SELECT d.ticket_id AS "ticketId", d.remote_id AS "remoteId" FROM desk_tickets d JOIN tickets t ON t.id = d.ticket_id
    WHERE d.desk = ? AND (t.status != 'resolved' OR t.resolved_at >= ?) ORDER BY d.ticket_id`);
  return {
    releaseOwnersOtherThan: (live) => releaseDeadClaims(claims.all() as string[], live, (claim) => releaseClaim.run(claim).changes),
    enqueue(desk, e) {
      return Number(insert.get(desk, e.ticket.id, e.kind, Math.trunc(e.at), e.detail, JSON.stringify(e.ticket), Math.trunc(e.at)));
    },
    due: (desk, now, limit) => (due.all({ desk, now: Math.trunc(now), limit }) as Row[]).map(fromRow),
    claim(desk, now, limit, token, leaseUntil) {
      const rows = claim.all({ desk, now: Math.trunc(now), limit, claim: token, leaseUntil: Math.trunc(leaseUntil) }) as Row[];
      return rows.sort((a, b) => a.id - b.id).map(fromRow); // RETURNING promises no order
    },
    inFlight: (desk, now) => inFlight.get(desk, Math.trunc(now)) as number,
    delivered: (id, at, token) => markDelivered.run({ id, at: Math.trunc(at), claim: token ?? null }).changes > 0,
    retry: (id, next, error, token) => markRetry.run({ id, at: Math.trunc(next), error: error.slice(0, 2000), claim: token ?? null }).changes > 0,
    dead: (id, at, error, token) => markDead.run({ id, at: Math.trunc(at), error: error.slice(0, 2000), claim: token ?? null }).changes > 0,
    release: (id, token) => markReleased.run({ id, claim: token }).changes > 0,
    revive: (id, at) => markRevived.run(at, id).changes > 0,
    discard: (id, at, note) => markDiscarded.run(at, note.slice(0, 1000), id).changes > 0,
    get(id) {
      const row = get.get(id) as Row | undefined;
      return row ? fromRow(row) : null;
    },
    list(filter = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      const add = (clause: string, value: unknown) => {
        where.push(clause);
        args.push(value);
      };
      if (filter.state) add('o.state = ?', filter.state);
      if (filter.desk) add('o.desk = ?', filter.desk);
      if (filter.ticketId !== undefined) add('o.ticket_id = ?', filter.ticketId);
      const limit = Math.min(Math.max(1, filter.limit ?? 100), MAX_LIST);
      const sql = `SELECT ${WITH_HELD} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY o.id DESC LIMIT ${limit}`;
      return (db.prepare(sql).all(...args) as Row[]).map(fromRow);
    },
    counts: () => counts.all() as Array<{ desk: string; state: DeliveryState; n: number }>,
    pendingDesks: () => (pendingDesks.all() as Array<{ desk: string }>).map((r) => r.desk),
    remoteId: (desk, ticketId) => (remote.get(desk, ticketId) as { remote_id: string } | undefined)?.remote_id ?? null,
    remotes: (ticketId) => remotes.all(ticketId) as Array<{ desk: string; remoteId: string; remoteUrl: string | null }>,
    setRemote: (desk, ticketId, remoteId, remoteUrl, at) => void setRemote.run(desk, ticketId, remoteId, remoteUrl, at),
    ticketOf: (desk, remoteId) => (ticketOf.get(desk, remoteId) as number | null | undefined) ?? null,
    waiting: (desk, ticketId) => waiting.get(desk, ticketId) !== undefined,
    prune: (before) => prune.run(before).changes,
    polled: (desk, resolvedSince) => polled.all(desk, resolvedSince) as Array<{ ticketId: number; remoteId: string }>,
  };
}
