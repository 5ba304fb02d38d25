// The feed of the service-desk outbox (its drain: desk-outbox-drain.ts): ticket transitions into the outbox, called
// by the alert engine inside the transaction that changed the ticket, so an event is queued for every desk of the
// tenant exactly when the change commits (and not at all when it rolls back). Only events a route takes are queued;
// events desks do not know (held, released) never are. A change a desk pushed (desks/inbound) is queued for the
// tenant's other desks but not for that desk: it made the change, and telling it would echo its own change back
// as a note (or, with a desk that answers a note with another push, loop). Each event carries the time it happened
// (eventAt), not the time the ticket last changed.
import type { Transitions } from '../alerting/transitions.js';
import { eventAt, type Ticket } from '../tickets/model.js';
import type { DeskOutbox } from '../store/index.js';
import type { DeskEventKind, DeskTicket } from './contract.js';
import { DESK_EVENT_KINDS, type DeskSet } from './desks-file.js';

const KINDS = new Set<string>(DESK_EVENT_KINDS);

export function correlationKey(ticket: Pick<Ticket, 'tenant' | 'id'>): string {
  return `watchpost-${ticket.tenant}-${ticket.id}`;
}

export function deskTicket(t: Ticket): DeskTicket {
  return {
    id: t.id,
    correlationKey: correlationKey(t),
    tenant: t.tenant,
    host: t.host,
    ruleId: t.ruleId,
    title: t.title,
    summary: t.summary,
    status: t.status,
    priority: t.priority,
    urgency: t.urgency,
    impact: t.impact,
    openedAt: t.openedAt,
    resolvedAt: t.resolvedAt,
    reopenCount: t.reopenCount,
    sla: t.sla.map((c) => ({ target: c.target, dueAt: c.dueAt, metAt: c.metAt })),
  };
}

/** `queued` is told after each enqueue (the dispatcher wakes up); it runs after the transaction commits. */
export function deskTransitions(outbox: DeskOutbox, desks: () => DeskSet, queued: () => void): Transitions {
  return {
    alert() {},
    ticket({ ticket, kind, detail, origin }, target) {
      if (!KINDS.has(kind)) return;
      const routes = desks()
        .routes(ticket.tenant)
        .filter((r) => r.events.has(kind as DeskEventKind) && r.desk !== origin);
      if (routes.length === 0) return;
      const snapshot = deskTicket(ticket);
      const at = eventAt(ticket, kind as DeskEventKind, target);
      for (const route of routes) outbox.enqueue(route.desk, { kind: kind as DeskEventKind, at, detail, ticket: snapshot });
      setImmediate(queued);
    },
  };
}
