// The sinks of alert and ticket transitions: the engine tells each transition, inside the transaction that made it,
// to the feeds of the two outboxes (influx-outbox-feed.ts: points for InfluxDB; desks/desk-outbox-feed.ts: events
// for the service desks), which queue their work in that same transaction.
import type { SlaTarget, Ticket, TicketEventKind } from '../tickets/model.js';
import type { AlertRecord } from './alert-book.js';
import type { AlertKey } from './contract.js';
import type { Hold } from './holds.js';
import type { AlertEvent } from './state-machine.js';

export interface Transitions {
  alert(key: AlertKey, event: AlertEvent, record: AlertRecord, hold: Hold | null): void;
  /** `origin`: the service desk whose push made the change (desks/inbound), not told of it again. */
  ticket(change: { ticket: Ticket; kind: TicketEventKind; detail: string; origin?: string }, target?: SlaTarget): void;
}

/** Several sinks of transitions as one (InfluxDB points, service-desk outbox), called in order. */
export function allTransitions(...sinks: Transitions[]): Transitions {
  return {
    alert: (...args) => sinks.forEach((s) => s.alert(...args)),
    ticket: (...args) => sinks.forEach((s) => s.ticket(...args)),
  };
}
