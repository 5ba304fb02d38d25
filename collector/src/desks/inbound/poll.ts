// Polling, the fallback for a desk whose push is not set up (`inbound: { poll: 5m }`): every interval, one pass per
// desk reads the desk's own state of Watchpost's tickets there, one harmless GET per ticket through the connector's
// own auth and base URL (each vendor's readTicket), reads it as the snapshot a push would be (snapshot.ts and the
// vendor's poll.changes) and applies it through apply.ts: the same idempotence (a pass that finds nothing new
// changes nothing) and the same origin (the change is not sent back to the desk it came from).
//
// Rules an MSP would ask about:
// 1. What is read: the tickets the desk has an id for that are unresolved, or were resolved in the last
//    RECENTLY_RESOLVED_MS (so a reopen in the desk is seen); at most the block's poll_max per pass (default 50),
//    those read longest ago first, so every ticket is read in turn however many there are.
// 2. One request at a time per desk, whatever the desk's concurrency: the outbox keeps its share of the API.
// 3. A read that fails is logged (the desk's secrets redacted) and counted (watchpost_desk_polls_total{result=
//    "failed"}), never applied. A 429, a 5xx or a network error ends the pass and pauses the desk's polling for
//    the desk's Retry-After, else an exponential backoff (POLL_BACKOFF), so a desk in trouble gets one probe per
//    step; any other failure (a ticket deleted in the desk: 404) moves on to the next ticket.
// 4. A priority is recorded only when it differs from the one a previous pass read (apply.ts also drops a value
//    already recorded): the first read of a ticket is its baseline, not a change. After a restart the first pass
//    takes the baseline again, so a priority changed while the collector was down is not recorded.
// 5. The reopen a snapshot implies is applied only as apply.ts rule 5 says (the desk heard of the resolution, and
//    its ticket changed after it): a desk still showing the ticket open because the resolution has not reached it
//    yet reopens nothing.
import type { DeskRoute, DeskSet } from '../desks-file.js';
import type { Store } from '../../store/index.js';
import { backoffMs, type BackoffShape } from '../../backoff.js';
import { excerpt } from '../http.js';
import { applyDeskChanges, type AppliedChange, type ApplyDeps } from './apply.js';
import { InboundPayloadError, type DeskTicketChange, type ReadTicket } from './contract.js';

/** How long after its resolution a ticket is still read (a reopen in the desk comes back). */
export const RECENTLY_RESOLVED_MS = 24 * 3_600_000;
/** How often the poller looks for a desk whose interval has run out. */
export const POLL_TICK_MS = 5_000;
/** The pause after a pass ended by a retryable failure, by failed passes in a row. */
export const POLL_BACKOFF: BackoffShape = { baseMs: 60_000, maxMs: 30 * 60_000, jitter: 'equal' };

export interface PollMetrics {
  polled(desk: string, result: 'read' | 'failed'): void;
}

export interface InboundPollerDeps {
  store: Store;
  desks: () => DeskSet;
  act: ApplyDeps['act'];
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  metrics?: PollMetrics;
  now?: () => number;
  fetch?: typeof fetch;
  random?: () => number;
  /** How often to look for due desks; 0: never by itself (tests call pass()). Default POLL_TICK_MS. */
  tickMs?: number;
  /** Whether this collector polls now (with several collectors, the leader alone); default always. */
  active?: () => boolean;
}

export interface PassResult {
  desk: string;
  /** Tickets read (successfully). */
  read: number;
  /** Reads that failed (not applied). */
  failed: number;
  /** What became of each change the reads showed. */
  applied: AppliedChange[];
  /** Why nothing was read: the desk is not polled, or its polling is paused after a retryable failure. */
  skipped?: 'not_polled' | 'paused';
}

export interface InboundPoller {
  /** One pass of the desk now, whatever its interval (a pass already running is waited for instead). */
  pass(desk: string): Promise<PassResult>;
  /** Reads of the desk that failed since the poller started. */
  failures(desk: string): number;
  stop(): Promise<void>;
}

interface DeskState {
  /** Per ticket, the pass sequence number of its last read: the lowest is read first. */
  lastRead: Map<number, number>;
  /** Per ticket, the desk priority the last read showed (the baseline a change is told from). */
  priority: Map<number, string>;
  seq: number;
  nextAt: number;
  pausedUntil: number;
  failedPasses: number;
  failed: number;
  running?: Promise<PassResult>;
}

export function startInboundPoller(deps: InboundPollerDeps): InboundPoller {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const connectorDeps = { fetch: deps.fetch ?? globalThis.fetch, now };
  const aborting = new AbortController();
  const states = new Map<string, DeskState>();
  let stopping = false;

  // One reader per route (desk x tenant settings), made again when the desks file is reloaded.
  const readers = new Map<DeskRoute, ReadTicket>();
  let readersOf: DeskSet | undefined;
  const readerFor = (set: DeskSet, route: DeskRoute, make: (settings: Record<string, unknown>) => ReadTicket): ReadTicket => {
    if (set !== readersOf) {
      readers.clear();
      readersOf = set;
    }
    let r = readers.get(route);
    if (!r) readers.set(route, (r = make(route.settings)));
    return r;
  };

  const state = (desk: string): DeskState => {
    let s = states.get(desk);
    if (!s) states.set(desk, (s = { lastRead: new Map(), priority: new Map(), seq: 0, nextAt: 0, pausedUntil: 0, failedPasses: 0, failed: 0 }));
    return s;
  };

  /** Drops a priority change that is the ticket's first read (its baseline) or the value the last read showed. */
  const newPriority = (s: DeskState, ticketId: number, changes: DeskTicketChange[]): DeskTicketChange[] =>
    changes.filter((c) => {
      if (c.change !== 'priority' || !c.deskPriority) return true;
      const before = s.priority.get(ticketId);
      s.priority.set(ticketId, c.deskPriority);
      return before !== undefined && before !== c.deskPriority;
    });

  async function run(desk: string): Promise<PassResult> {
    const result: PassResult = { desk, read: 0, failed: 0, applied: [] };
    const set = deps.desks();
    const inbound = set.inbound?.(desk);
    const poll = inbound?.poll && inbound.vendor.poll;
    if (!inbound?.poll || !poll) return { ...result, skipped: 'not_polled' };
    const s = state(desk);
    if (s.pausedUntil > now()) return { ...result, skipped: 'paused' };
    const candidates = deps.store.deskOutbox.polled(desk, now() - RECENTLY_RESOLVED_MS);
    const current = new Set(candidates.map((c) => c.ticketId));
    for (const id of s.lastRead.keys()) if (!current.has(id)) s.lastRead.delete(id);
    for (const id of s.priority.keys()) if (!current.has(id)) s.priority.delete(id);
    const order = (id: number) => s.lastRead.get(id) ?? -1;
    const batch = candidates.sort((a, b) => order(a.ticketId) - order(b.ticketId) || a.ticketId - b.ticketId).slice(0, inbound.poll.max);
    const applyDeps: ApplyDeps = { store: deps.store, now, act: deps.act, route: (d, tenant) => set.route(d, tenant) };
    for (const { ticketId, remoteId } of batch) {
      if (stopping) break;
      s.lastRead.set(ticketId, ++s.seq);
      const ticket = deps.store.tickets.get(ticketId);
      const route = ticket ? set.route(desk, ticket.tenant) : undefined;
      if (!route) continue;
      const log = { desk, ticket: ticketId, remoteId };
      const fail = (reason: string) => {
        result.failed++;
        s.failed++;
        deps.metrics?.polled(desk, 'failed');
        deps.log.warn({ ...log, reason: excerpt(reason, route.secrets) }, 'desk poll: reading the ticket failed; nothing applied');
      };
      let read;
      try {
        read = await readerFor(set, route, (settings) => poll.reader(settings, connectorDeps))(remoteId, aborting.signal);
      } catch (error) {
        read = { ok: false as const, result: { kind: 'retryable' as const, reason: `reader error: ${(error as Error).message}` } };
      }
      if (stopping) break;
      if (!read.ok) {
        fail(read.result.reason);
        if (read.result.kind !== 'retryable') continue;
        const retryAfter = read.result.retryAfterMs ?? 0;
        const wait = Math.max(retryAfter, backoffMs(s.failedPasses++, POLL_BACKOFF, random));
        s.pausedUntil = now() + wait;
        deps.log.warn({ desk, pauseMs: wait }, 'desk poll paused: the desk answered a retryable failure');
        break;
      }
      s.failedPasses = 0;
      let changes: DeskTicketChange[];
      try {
        changes = poll.changes(read.value, remoteId, inbound.settings, now());
      } catch (error) {
        if (!(error instanceof InboundPayloadError)) throw error;
        fail(`the answer is not the vendor's ticket: ${error.message}`);
        continue;
      }
      result.read++;
      deps.metrics?.polled(desk, 'read');
      result.applied.push(...applyDeskChanges(applyDeps, desk, newPriority(s, ticketId, changes)));
    }
    const counts: Record<string, number> = {};
    for (const r of result.applied) if (r.outcome !== 'unchanged') counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    if (Object.keys(counts).length) deps.log.info({ desk, read: result.read, failed: result.failed, ...counts }, 'desk poll applied changes');
    return result;
  }

  function pass(desk: string): Promise<PassResult> {
    const s = state(desk);
    if (s.running) return s.running;
    const p = run(desk).finally(() => (s.running = undefined));
    s.running = p;
    return p;
  }

  const tick = (): void => {
    if (stopping) return;
    if (deps.active?.() === false) return;
    const set = deps.desks();
    for (const desk of set.names()) {
      const poll = set.inbound?.(desk)?.poll;
      if (!poll) continue;
      const s = state(desk);
      const t = now();
      if (s.running || s.nextAt > t) continue;
      s.nextAt = t + poll.everyMs;
      pass(desk).catch((error: Error) => deps.log.warn({ desk, err: error.message }, 'desk poll pass failed'));
    }
  };
  const tickMs = deps.tickMs ?? POLL_TICK_MS;
  const timer = tickMs > 0 ? setInterval(tick, tickMs).unref() : undefined;

  return {
    pass,
    failures: (desk) => states.get(desk)?.failed ?? 0,
    async stop() {
      stopping = true;
      clearInterval(timer);
      aborting.abort();
      await Promise.all([...states.values()].map((s) => s.running?.catch(() => undefined)));
    },
  };
}
