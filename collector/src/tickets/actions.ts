// What a person does to a ticket through the API or the CLI (ack, plan, note, resolve, reopen, priority) or in a
// service desk (ack, plan, note, resolve, reopen): applied through the ticket lifecycle (lifecycle.ts) in one
// transaction, and told like every other ticket change (the transition sinks, the gauge). A change pushed by a desk
// carries that desk as its origin, so the desk outbox does not send it back to the desk it came from.
import type { Priority } from '../alerting/contract.js';
import type { TenantTerms } from '../alerting/rules/rules-file.js';
import type { Store } from '../store/index.js';
import { acknowledgeTicket, planTicket, reopenTicket, resolveTicket, setTicketPriority, type FiringInstance, type TicketChange } from './lifecycle.js';
import type { Ticket } from './model.js';

export type TicketAction =
  | { kind: 'ack' }
  | { kind: 'plan'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'resolve'; note?: string }
  | { kind: 'reopen'; note?: string }
  | { kind: 'priority'; priority: Priority; reason: string };

export interface ActionDeps {
  store: Store;
  now: () => number;
  /** Hears of every change an action made (the engine's transition sinks and gauge). */
  changed(change: TicketChange): void;
  /** The tenant's service terms: the priority matrix and SLA profile a reopen or a priority change counts with. */
  terms(tenant: string): TenantTerms;
  /** The instances of the ticket's key that are firing and ticketed now (the alert book). */
  firing(ticket: Ticket): FiringInstance[];
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

/** A resolved ticket whose alert is still firing: what fires, and when the ticket reopens if it still does then. */
export interface StillFiring {
  instances: FiringInstance[];
  reopensAt: number;
}

/**
 * Whether the resolved `ticket`'s condition still holds: its key's firing instances and the end of its reopen
 * window (the tick reopens the ticket then if they still fire). Null when the ticket is not resolved or nothing fires.
 */
export function stillFiring(deps: Pick<ActionDeps, 'terms' | 'firing'>, ticket: Ticket): StillFiring | null {
  if (ticket.status !== 'resolved' || ticket.resolvedAt === null) return null;
  const instances = deps.firing(ticket);
  return instances.length === 0 ? null : { instances, reopensAt: ticket.resolvedAt + deps.terms(ticket.tenant).reopenWindowMs };
}

/** The warning a person gets on resolving a ticket whose alert still fires (the API's `warning`, the CLI's line). */
export function stillFiringWarning(firing: StillFiring): string {
  const what = firing.instances.map((f) => f.summary).join('; ');
  return `the alert is still firing (${what}); the ticket reopens at ${new Date(firing.reopensAt).toISOString()} if it still fires then`;
}

/** Applies `by`'s action to the ticket; null when the ticket does not exist. */
export function actOnTicket(deps: ActionDeps, ticketId: number, action: TicketAction, by: string, source: ActionSource = {}): Ticket | null {
  const { store } = deps;
  const ticket = store.tickets.get(ticketId);
  if (!ticket) return null;
  const t = source.at ?? deps.now();
  const data = source.origin === undefined ? source.data : { ...source.data, origin: source.origin };
  const apply = (): Omit<TicketChange, 'origin'> | null => {
    switch (action.kind) {
      case 'ack':
        return { ticket: acknowledgeTicket(store.tickets, ticket, by, t), kind: 'acknowledged', detail: `acknowledged by ${by}` };
      case 'plan':
        return { ticket: planTicket(store.tickets, ticket, by, t, action.text), kind: 'plan', detail: action.text };
      case 'note':
        return {
          ticket: store.tickets.update(ticket.id, {}, { kind: 'note', at: t, detail: action.text, data: { by, ...data } }),
          kind: 'note',
          detail: action.text,
        };
      case 'resolve': {
        const detail = action.note ?? `resolved by ${by}`;
        // A condition that still holds is recorded with the resolution: the history says the person knew.
        const firing = deps.firing(ticket);
        const reopensAt = t + deps.terms(ticket.tenant).reopenWindowMs;
        const withFiring = firing.length > 0 ? { by, ...data, stillFiring: firing.map((f) => f.instance), reopensAt } : undefined;
        return { ticket: resolveTicket(store.tickets, ticket, by, t, detail, withFiring), kind: 'resolved', detail };
      }
      case 'reopen': {
        const reopened = reopenTicket(store.tickets, deps.terms(ticket.tenant), ticket, by, t, action.note ?? `reopened by ${by}`, data);
        return reopened && { ...reopened, kind: 'reopened' };
      }
      case 'priority':
        return setTicketPriority(store.tickets, deps.terms(ticket.tenant), ticket, { priority: action.priority, reason: action.reason, by, at: t, data });
    }
  };
  return store.transaction(() => {
    const change = apply();
    if (!change || change.ticket === ticket) return ticket;
    deps.changed(source.origin === undefined ? change : { ...change, origin: source.origin });
    return change.ticket;
  });
}
