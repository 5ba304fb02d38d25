// The service-desk contract: what a connector is given (one ticket event, in order per ticket) and what it
// answers (a value, never an exception). The dispatcher owns ordering, retries, backoff, dead letters and the
// record of each ticket's id in the desk; a connector only speaks its desk's API.
import type { TObject } from '@sinclair/typebox';

/** ok: done (with the desk's id of the ticket when it created or found one). retryable: try again later
 *  (network, 408, 429, 5xx; retryAfterMs when the desk said). failed: will never work as sent (4xx, garbage).
 *  A retryable or failed result may still carry remoteId (and remoteUrl) when this delivery created or found the
 *  desk's ticket before a later step of it did not work: the dispatcher stores it, so the retry and the ticket's
 *  later events go straight to that ticket instead of depending on a search finding it (Jira's is eventually
 *  consistent: a search seconds after the create may miss it, and a second ticket would be opened). */
export type DeliveryResult =
  | { kind: 'ok'; remoteId?: string; remoteUrl?: string }
  | { kind: 'retryable'; reason: string; retryAfterMs?: number; remoteId?: string; remoteUrl?: string }
  | { kind: 'failed'; reason: string; remoteId?: string; remoteUrl?: string };

export type DeskEventKind =
  'opened' | 'updated' | 'escalated' | 'deescalated' | 'reopened' | 'note' | 'acknowledged' | 'plan' | 'resolved' | 'sla_approaching' | 'sla_breached';

/** The ticket as it was when the event happened. Times are unix ms. */
export interface DeskTicket {
  id: number;
  /** Stable for the life of the ticket, reopenings included (`watchpost-<tenant>-<id>`): stored in the desk's
   *  ticket (reference, tag, custom field: whatever the API allows) and searched before creating. */
  correlationKey: string;
  tenant: string;
  host: string;
  ruleId: string;
  title: string;
  summary: string;
  status: 'open' | 'acknowledged' | 'resolved';
  priority: 'P1' | 'P2' | 'P3' | 'P4';
  urgency: 'high' | 'medium' | 'low';
  impact: 'high' | 'medium' | 'low';
  openedAt: number;
  resolvedAt: number | null;
  reopenCount: number;
  sla: ReadonlyArray<{ target: 'respond' | 'plan' | 'resolve'; dueAt: number; metAt: number | null }>;
}

export interface DeskEvent {
  /** The outbox row's id: unique and increasing; a connector may use it as an idempotency key. */
  id: number;
  kind: DeskEventKind;
  at: number;
  /** One line on what happened (a note's text, "priority P3 -> P2: ...", "respond target breached ..."). */
  detail: string;
  ticket: DeskTicket;
}

export interface DeskLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DeliveryContext {
  /** The desk's id for this ticket from an earlier delivery; null until one succeeded (search, then create). */
  remoteId: string | null;
  /** Aborted when the collector shuts down or the attempt times out. */
  signal: AbortSignal;
  log: DeskLog;
}

/**
 * One desk (a configured instance of a connector type). deliver() is called for one event at a time per ticket,
 * in the order the events happened, and again with the same event after a retryable answer; it must be safe to
 * repeat (search by the correlation key before creating; notes may repeat on a retry after a lost answer).
 */
export interface Connector {
  deliver(event: DeskEvent, ctx: DeliveryContext): Promise<DeliveryResult>;
  /** `watchpost-collector desks test`: harmless authenticated calls that show the setup works before the first real
   *  alert (auth, the board/queue/request type, the correlation field). Creates and changes nothing in the desk. */
  test?(signal: AbortSignal): Promise<DeskCheck[]>;
  close?(): Promise<void>;
}

/** One finding of a desk test: what was checked, whether it holds, and what the desk answered (secret-free). */
export interface DeskCheck {
  check: string;
  ok: boolean;
  detail: string;
}

export interface ConnectorDeps {
  /** fetch, injectable for tests of odd network failures; default globalThis.fetch. */
  fetch: typeof fetch;
  now: () => number;
}

/** A connector type: the schema of its settings (connection, mapping) and how to make one desk from them. */
export interface ConnectorType<S = Record<string, unknown>> {
  schema: TObject;
  /** Requests one desk may have in flight at once unless its settings say otherwise: the vendor's documented limit
   *  (Autotask: 3 per endpoint and integration), else the dispatcher's default. */
  defaultConcurrency?: number;
  /** Event kinds this type always sends, whatever a route's event filter says (the webhook: resolved). */
  alwaysSend?: readonly DeskEventKind[];
  /** Checks settings beyond the schema (e.g. a priority map naming every priority); throw ConfigError(path...). */
  check?(settings: S, path: string): void;
  create(settings: S, deps: ConnectorDeps): Connector;
}
