// What a person does to a ticket through the API (ack, plan, note, resolve): applied through the ticket lifecycle
// (lifecycle.ts) in one transaction, and told like every other ticket change (the transition sinks, the gauge).
import type { Store } from '../store/index.js';
import { acknowledgeTicket, planTicket, resolveTicket, type TicketChange } from './lifecycle.js';
import type { Ticket } from './model.js';

export type TicketAction = { kind: 'ack' } | { kind: 'plan'; text: string } | { kind: 'note'; text: string } | { kind: 'resolve'; note?: string };

const ACTION_EVENT = { ack: 'acknowledged', plan: 'plan', note: 'note', resolve: 'resolved' } as const;

export interface ActionDeps {
  store: Store;
  now: () => number;
  /** Hears of every change an action made (the engine's transition sinks and gauge). */
  changed(change: TicketChange): void;
}

/** Applies `by`'s action to the ticket; null when the ticket does not exist. */
export function actOnTicket(deps: ActionDeps, ticketId: number, action: TicketAction, by: string): Ticket | null {
  const { store } = deps;
  const ticket = store.tickets.get(ticketId);
  if (!ticket) return null;
  const t = deps.now();
  const detail = action.kind === 'ack' ? `acknowledged by ${by}` : action.kind === 'resolve' ? (action.note ?? `resolved by ${by}`) : action.text;
  const next = store.transaction(() => {
    const updated =
      action.kind === 'ack'
        ? acknowledgeTicket(store.tickets, ticket, by, t)
        : action.kind === 'plan'
          ? planTicket(store.tickets, ticket, by, t, action.text)
          : action.kind === 'note'
            ? store.tickets.update(ticket.id, {}, { kind: 'note', at: t, detail, data: { by } })
            : resolveTicket(store.tickets, ticket, by, t, detail);
    if (updated !== ticket) deps.changed({ ticket: updated, kind: ACTION_EVENT[action.kind], detail } satisfies TicketChange);
    return updated;
  });
  return next;
}
