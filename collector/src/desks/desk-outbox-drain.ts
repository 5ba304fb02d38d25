// The drain of the service-desk outbox (its feed: desk-outbox-feed.ts), the dispatcher: per desk, the oldest
// undelivered event of each ticket (so a desk sees a ticket's events in order), a few tickets at a time (the desk's
// concurrency: its setting, else its vendor's documented limit), with retries and dead letters.
//
// Contract:
// 1. ok: the row is delivered, and a desk ticket id it returned is stored for the ticket's later events. A
//    retryable or failed result's desk ticket id (a create that worked before a later step did not) is stored
//    too, so neither the retry nor a later event depends on the desk's search finding that ticket.
// 2. retryable: the row stays pending and is tried again after an exponential backoff with jitter (at least the
//    desk's Retry-After); the whole desk pauses meanwhile (for Retry-After, else at most DESK_PAUSE_MAX_MS), so a
//    desk that is down gets one probe per step instead of one request per queued ticket. An outage of any length
//    loses nothing: retryable rows never expire.
// 3. failed (or a row of a tenant that no longer routes to the desk after DEAD_AFTER_UNROUTED_MS): dead, with the
//    reason; shown by the API and /metrics, put back by POST /api/v1/desk-deliveries/:id/retry. The ticket's later
//    events for that desk are held behind it (pending; the API says which row they wait for), however long it stays
//    dead: put back, it is delivered first and they follow in order. Skipping it would let the desk apply a stale
//    change later (a retried 'resolved' arriving after 'reopened' would close the desk's ticket again). Other
//    tickets, and the same ticket's events for other desks, are not held.
// 4. A collector restart resumes from the store. stop() lets deliveries in flight finish (each is bounded by the
//    HTTP timeout), so a clean restart repeats nothing; one still running after STOP_GRACE_MS is cut off and its
//    row given back untried. After a crash, rows in flight are still pending, claimed until their lease lapses
//    (LEASE_MS), and are sent again then (connectors search by the correlation key before creating, so a repeat
//    opens no second ticket; the webhook's Idempotency-Key and the email's Message-ID let a receiver drop it).
// 5. Several collectors on one store each run a dispatcher. A row is sent by the one whose claim took it
//    (store/desk-outbox.ts): a claim takes only a ticket's oldest pending row, and only while no claim holds it,
//    so one event of a ticket is in flight per desk across collectors and they arrive in order. An outcome is
//    recorded under the claim's token only. Every attempt is cut off at ATTEMPT_TIMEOUT_MS, half the lease, so a
//    live dispatcher never sends past its lease (with the collectors' clocks within the other half of each other)
//    and a row is sent twice only when its first outcome was never recorded (the collector died between the desk's
//    answer and the store's write, or lost the store meanwhile). The desk's concurrency counts every collector's
//    claims, a dead collector's until their lease lapses; the pause after a retryable answer is each one's own.
import { randomUUID } from 'node:crypto';
import type { DeskDelivery, Store } from '../store/index.js';
import type { ConnectorDeps, Connector, DeliveryResult, DeskLog } from './contract.js';
import type { DeskRoute, DeskSet } from './desks-file.js';
import { excerpt } from './http.js';
import { backoffMs, type BackoffShape } from '../backoff.js';

export const POLL_MS = 1_000;
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 10 * 60_000;
/** The wait after n failed attempts: base * 2^(n-1), capped, times a jitter in [0.5, 1). */
const RETRY_BACKOFF: BackoffShape = { baseMs: BACKOFF_BASE_MS, maxMs: BACKOFF_MAX_MS, jitter: 'equal' };
export const DESK_PAUSE_MAX_MS = 10_000;
/** How long a row waits for its tenant to be routed to its desk again before it is dead-lettered. */
export const DEAD_AFTER_UNROUTED_MS = 24 * 3_600_000;
/** How long stop() lets deliveries in flight finish before cutting them off. */
export const STOP_GRACE_MS = 20_000;
/** Delivered rows are kept this long (the ticket's delivery history), then pruned. */
export const KEEP_DELIVERED_MS = 7 * 24 * 3_600_000;
/** How long a claimed row is this dispatcher's alone: the wait, after a collector died mid-delivery, before another
 *  sends the row. A delivery is a few requests of at most REQUEST_TIMEOUT_MS (15 s) each. */
export const LEASE_MS = 3 * 60_000;
/** The longest one attempt may run before it is cut off (and retried): half the lease, so it ends inside it. */
export const ATTEMPT_TIMEOUT_MS = LEASE_MS / 2;

export interface DispatcherMetrics {
  delivered(desk: string, result: DeliveryResult['kind'] | 'dead'): void;
}

export interface DispatcherDeps {
  store: Store;
  desks: () => DeskSet;
  log: DeskLog & { error(obj: object, msg: string): void };
  metrics?: DispatcherMetrics;
  now?: () => number;
  fetch?: typeof fetch;
  random?: () => number;
  pollMs?: number;
  /** Names this collector in the claims it makes (its collector id); default a random id per dispatcher. */
  owner?: string;
}

export interface Dispatcher {
  /** Wakes the dispatcher now (after an enqueue) instead of at the next poll. */
  kick(): void;
  /** Runs one pass over every desk and waits for the deliveries it started (tests, shutdown). */
  pass(): Promise<void>;
  stop(): Promise<void>;
}

export function startDispatcher(deps: DispatcherDeps): Dispatcher {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const owner = deps.owner ?? randomUUID();
  const { store } = deps;
  let stopping = false;
  const aborting = new AbortController();
  const inFlight = new Map<string, Map<number, Promise<void>>>();
  const pausedUntil = new Map<string, number>();
  const connectors = new Map<DeskRoute, Connector>();
  const connectorDeps: ConnectorDeps = { fetch: deps.fetch ?? globalThis.fetch, now };

  // One connector per route (desk x tenant mapping); a reloaded desks file makes new routes, and the old
  // connectors are closed once the set changes.
  let connectorsOf: DeskSet | undefined;
  const connectorFor = (route: DeskRoute): Connector => {
    const set = deps.desks();
    if (set !== connectorsOf) {
      if (connectorsOf) for (const c of connectors.values()) void c.close?.().catch(() => {});
      connectors.clear();
      connectorsOf = set;
    }
    let c = connectors.get(route);
    if (!c) connectors.set(route, (c = route.connector.create(route.settings, connectorDeps)));
    return c;
  };

  const rememberRemote = (row: DeskDelivery, result: DeliveryResult, t: number): void => {
    if (result.remoteId) store.deskOutbox.setRemote(row.desk, row.ticketId, result.remoteId, result.remoteUrl ?? null, t);
  };

  // The desk's ticket id is stored whatever became of the claim: it is the desk's answer, and spares the row's next
  // sender (this collector or another) a search.
  const settle = (row: DeskDelivery, claim: string, result: DeliveryResult, route: DeskRoute | undefined): void => {
    const t = now();
    const log = { desk: row.desk, ticket: row.ticketId, event: row.kind, delivery: row.id };
    const lost = () => deps.log.warn({ ...log, result: result.kind }, 'desk delivery outcome not recorded: its claim lapsed and another claim took the row');
    if (result.kind === 'ok') {
      const recorded = store.transaction(() => {
        rememberRemote(row, result, t);
        return store.deskOutbox.delivered(row.id, t, claim);
      });
      if (!recorded) lost();
      deps.metrics?.delivered(row.desk, 'ok');
      return;
    }
    rememberRemote(row, result, t);
    const reason = excerpt(result.reason, route?.secrets ?? []);
    if (result.kind === 'failed') {
      if (!store.deskOutbox.dead(row.id, t, reason, claim)) return lost();
      deps.metrics?.delivered(row.desk, 'dead');
      deps.log.warn({ ...log, reason }, "service desk refused the event for good; dead-lettered (the ticket's later events for this desk wait for its retry)");
      return;
    }
    const wait = Math.max(backoffMs(row.attempts, RETRY_BACKOFF, random), result.retryAfterMs ?? 0);
    pausedUntil.set(row.desk, Math.max(pausedUntil.get(row.desk) ?? 0, t + (result.retryAfterMs ?? Math.min(wait, DESK_PAUSE_MAX_MS))));
    if (!store.deskOutbox.retry(row.id, t + wait, reason, claim)) return lost();
    deps.metrics?.delivered(row.desk, 'retryable');
    deps.log.warn({ ...log, attempt: row.attempts + 1, retryInMs: wait, reason }, 'service desk delivery failed; will retry');
  };

  const deliver = async (row: DeskDelivery, claim: string): Promise<void> => {
    const route = deps.desks().route(row.desk, row.ticket.tenant);
    if (!route) {
      const unrouted = {
        kind: now() - row.at >= DEAD_AFTER_UNROUTED_MS ? 'failed' : 'retryable',
        reason: `tenant ${row.ticket.tenant} is not routed to desk ${row.desk} (desks file)`,
      } as DeliveryResult;
      return settle(row, claim, unrouted, undefined);
    }
    let result: DeliveryResult;
    try {
      const remoteId = store.deskOutbox.remoteId(row.desk, row.ticketId);
      const event = { id: row.id, kind: row.kind, at: row.at, detail: row.detail, ticket: row.ticket };
      const signal = AbortSignal.any([aborting.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]);
      result = await connectorFor(route).deliver(event, { remoteId, signal, log: deps.log });
    } catch (error) {
      result = { kind: 'retryable', reason: `connector error: ${(error as Error).message}` };
    }
    if (aborting.signal.aborted && result.kind !== 'ok') {
      // Cut off at shutdown: given back untried, for the next dispatcher to send at once, to the ticket made.
      rememberRemote(row, result, now());
      store.deskOutbox.release(row.id, claim);
      return;
    }
    settle(row, claim, result, route);
  };

  const passDesk = (desk: string): Promise<void>[] => {
    const t = now();
    if ((pausedUntil.get(desk) ?? 0) > t) return [];
    let flights = inFlight.get(desk);
    if (!flights) inFlight.set(desk, (flights = new Map()));
    const started: Promise<void>[] = [];
    // A ticket's deliveries are sequential, so tickets in flight bound the desk's concurrent requests: this
    // dispatcher's, and every collector's claims on the desk.
    const limit = deps.desks().concurrency(desk);
    const free = Math.min(limit - flights.size, limit - store.deskOutbox.inFlight(desk, t));
    if (free <= 0) return [];
    const claim = `${owner}/${randomUUID()}`;
    for (const row of store.deskOutbox.claim(desk, t, free, claim, t + LEASE_MS)) {
      if (flights.has(row.ticketId)) {
        // Its claim here lapsed while the delivery still runs (an attempt is cut off well inside the lease): let
        // that one end first, and the row go to the next claim.
        store.deskOutbox.release(row.id, claim);
        continue;
      }
      const p = deliver(row, claim)
        .catch((error: Error) => deps.log.error({ desk, err: error.message }, 'desk delivery crashed'))
        .finally(() => {
          flights.delete(row.ticketId);
          if (!stopping) kick();
        });
      flights.set(row.ticketId, p);
      started.push(p);
    }
    return started;
  };

  const desksWithWork = (): string[] => {
    const names = new Set(deps.desks().names());
    for (const desk of store.deskOutbox.pendingDesks()) names.add(desk);
    return [...names];
  };

  const pass = async (): Promise<void> => {
    if (stopping) return;
    const started = desksWithWork().flatMap(passDesk);
    await Promise.all(started);
  };

  let kicked = false;
  const kick = (): void => {
    if (kicked || stopping) return;
    kicked = true;
    setImmediate(() => {
      kicked = false;
      pass().catch((error: Error) => deps.log.error({ err: error.message }, 'desk dispatch pass failed'));
    });
  };

  const timer = setInterval(() => {
    kick();
    try {
      store.deskOutbox.prune(now() - KEEP_DELIVERED_MS);
    } catch (error) {
      deps.log.warn({ err: (error as Error).message }, 'pruning the desk outbox failed; trying again at the next poll');
    }
  }, deps.pollMs ?? POLL_MS);
  timer.unref();

  return {
    kick,
    pass,
    async stop() {
      clearInterval(timer);
      stopping = true;
      const flights = Promise.all([...inFlight.values()].flatMap((m) => [...m.values()]));
      const cut = setTimeout(() => aborting.abort(), STOP_GRACE_MS);
      await flights;
      clearTimeout(cut);
      await Promise.all([...connectors.values()].map((c) => c.close?.()));
    },
  };
}
