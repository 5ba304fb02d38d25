// The feed of the service-desk outbox (its drain: desk-outbox-drain.ts): ticket transitions into the outbox, called
// by the alert engine inside the transaction that changed the ticket, so an event is queued for every desk of the
// tenant exactly when the change commits (and not at all when it rolls back). Only events a route takes are queued;
// events desks do not know (held, released) never are. A change a desk pushed (desks/inbound) is queued for the
// tenant's other desks but not for that desk: it made the change, and telling it would echo its own change back
// as a note (or, with a desk that answers a note with another push, loop). Each event carries the time it happened
// (eventAt), not the time the ticket last changed.
import type { Transitions } from '../alerting/transitions.js';
import type { SlaTarget, Ticket } from '../tickets/model.js';
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

/**
 * When the event happened. Every kind but the SLA marks is made by a ticket update (opened, a person's action, a
 * desk's push with the desk's time, a clear ...), which sets updatedAt to the event's time. An SLA mark changes only
 * its clock: its time is the mark, the moment the SLA check found the clock past its warning point (approaching)
 * or its due time (breached); the ticket's history records that same time, and the due time is in the detail.
 * Without a target, the clock whose mark of that kind is newest is the one just marked.
 */
export function eventAt(ticket: Pick<Ticket, 'updatedAt' | 'sla'>, kind: DeskEventKind, target?: SlaTarget): number {
  if (kind !== 'sla_approaching' && kind !== 'sla_breached') return ticket.updatedAt;
  const mark = (c: Ticket['sla'][number]) => (kind === 'sla_breached' ? c.breachedAt : c.approachedAt);
  const marks = ticket.sla.filter((c) => target === undefined || c.target === target).map(mark);
  const at = Math.max(...marks.filter((m): m is number => m !== null));
  return Number.isFinite(at) ? at : ticket.updatedAt;
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
