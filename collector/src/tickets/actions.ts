// What a person does to a ticket through the API (ack, plan, note, resolve) or in a service desk (those, reopen):
// applied through the ticket lifecycle (lifecycle.ts) in one transaction, and told like every other ticket change
// (the transition sinks, the gauge). A change pushed by a desk carries that desk as its origin, so the desk outbox
// does not send it back to the desk it came from.
import type { Store } from '../store/index.js';
import { acknowledgeTicket, planTicket, reopenTicket, resolveTicket, type TicketChange } from './lifecycle.js';
import type { Ticket } from './model.js';

export type TicketAction =
  { kind: 'ack' } | { kind: 'plan'; text: string } | { kind: 'note'; text: string } | { kind: 'resolve'; note?: string } | { kind: 'reopen'; note?: string };

const ACTION_EVENT = { ack: 'acknowledged', plan: 'plan', note: 'note', resolve: 'resolved', reopen: 'reopened' } as const;

export interface ActionDeps {
  store: Store;
  now: () => number;
  /** Hears of every change an action made (the engine's transition sinks and gauge). */
  changed(change: TicketChange): void;
}

/** Where an action came from, when not a person at the API now. */
export interface ActionSource {
  /** The service desk that pushed it (recorded in the event's data; the change is not sent back to that desk). */
  origin?: string;
  /** When it happened (the desk's time), if earlier than now; default now. */
  at?: number;
  /** Recorded in the event's data with `by` and `origin`. */
  data?: Record<string, unknown>;
}

/** Applies `by`'s action to the ticket; null when the ticket does not exist. */
export function actOnTicket(deps: ActionDeps, ticketId: number, action: TicketAction, by: string, source: ActionSource = {}): Ticket | null {
  const { store } = deps;
  const ticket = store.tickets.get(ticketId);
  if (!ticket) return null;
  const t = source.at ?? deps.now();
  const detail =
    action.kind === 'ack'
      ? `acknowledged by ${by}`
      : action.kind === 'resolve'
        ? (action.note ?? `resolved by ${by}`)
        : action.kind === 'reopen'
          ? (action.note ?? `reopened by ${by}`)
          : action.text;
  const data = source.origin === undefined ? source.data : { ...source.data, origin: source.origin };
  const next = store.transaction(() => {
    const updated =
      action.kind === 'ack'
        ? acknowledgeTicket(store.tickets, ticket, by, t)
        : action.kind === 'plan'
          ? planTicket(store.tickets, ticket, by, t, action.text)
          : action.kind === 'note'
            ? store.tickets.update(ticket.id, {}, { kind: 'note', at: t, detail, data: { by, ...data } })
            : action.kind === 'reopen'
              ? (reopenTicket(store.tickets, ticket, by, t, detail, data) ?? ticket)
              : resolveTicket(store.tickets, ticket, by, t, detail);
    if (updated !== ticket) {
      const change: TicketChange = { ticket: updated, kind: ACTION_EVENT[action.kind], detail };
      deps.changed(source.origin === undefined ? change : { ...change, origin: source.origin });
    }
    return updated;
  });
  return next;
}
