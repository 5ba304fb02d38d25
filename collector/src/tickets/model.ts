// tickets/ owns what alerts become: this model, the ticket lifecycle and people's actions, priority (urgency x
// impact), SLA clocks in business calendars, the service terms' schema and the open-tickets gauge.
//
// The ticket model: what a ticket is (its fields, status, event kinds and SLA clocks), as the alert engine makes
// it, the store records it, the API shows it and the service desks receive it. Types and pure functions only.
// Times are unix ms.
import type { Impact, Priority, Urgency } from '../alerting/contract.js';

/** The SLA targets a ticket has: respond (stopped by ack), resolution plan (stopped by a plan), resolve. */
export type SlaTarget = 'respond' | 'plan' | 'resolve';
export const SLA_TARGETS: readonly SlaTarget[] = ['respond', 'plan', 'resolve'];

export type TicketStatus = 'open' | 'acknowledged' | 'resolved';
export type TicketEventKind =
  | 'opened'
  | 'updated'
  | 'escalated'
  | 'deescalated'
  | 'reopened'
  | 'acknowledged'
  | 'plan'
  | 'resolved'
  | 'note'
  | 'sla_approaching'
  | 'sla_breached'
  | 'held'
  | 'released';

export const TICKET_STATUSES: readonly TicketStatus[] = ['open', 'acknowledged', 'resolved'];

/** What a ticket list filters on (the CLI's --status, the API's ?status=): a status, `unresolved` (open or acknowledged), or `all`. */
export type TicketStatusFilter = TicketStatus | 'unresolved' | 'all';
export const TICKET_STATUS_FILTERS: readonly TicketStatusFilter[] = [...TICKET_STATUSES, 'unresolved', 'all'];

/** The store's list filter for a status filter: `all` filters nothing. */
export const byStatus = (filter: TicketStatusFilter): { status?: TicketStatus | 'unresolved' } => (filter === 'all' ? {} : { status: filter });
export const TICKET_EVENT_KINDS: readonly TicketEventKind[] = [
  'opened',
  'updated',
  'escalated',
  'deescalated',
  'reopened',
  'acknowledged',
  'plan',
  'resolved',
  'note',
  'sla_approaching',
  'sla_breached',
  'held',
  'released',
];

export interface SlaClockRow {
  target: SlaTarget;
  startedAt: number;
  dueAt: number;
  warnAt: number;
  metAt: number | null;
  approachedAt: number | null;
  breachedAt: number | null;
}

/** A clock as written: marks default to null (unset), so an escalation that recomputes due times starts fresh. */
export type SlaClockInput = Pick<SlaClockRow, 'target' | 'startedAt' | 'dueAt' | 'warnAt'> &
  Partial<Pick<SlaClockRow, 'metAt' | 'approachedAt' | 'breachedAt'>>;

export interface Ticket {
  id: number;
  tenant: string;
  host: string;
  agentId: string;
  ruleId: string;
  title: string;
  summary: string;
  status: TicketStatus;
  priority: Priority;
  urgency: Urgency;
  impact: Impact;
  slaProfile: string;
  openedAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  planAt: number | null;
  planBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  reopenCount: number;
  /** In SLA_TARGETS order. */
  sla: SlaClockRow[];
}

export interface TicketEvent {
  id: number;
  ticketId: number;
  at: number;
  kind: TicketEventKind;
  detail: string;
  data: Record<string, unknown> | null;
}

/** A ticket as it is opened: what the rule and the terms decide, and its clocks as written. */
export type NewTicket = Pick<Ticket, 'tenant' | 'host' | 'agentId' | 'ruleId' | 'title' | 'summary' | 'priority' | 'urgency' | 'impact' | 'slaProfile'> & {
  sla: SlaClockInput[];
};

export type TicketPatch = Partial<
  Pick<
    Ticket,
    | 'host'
    | 'title'
    | 'summary'
    | 'status'
    | 'priority'
    | 'urgency'
    | 'impact'
    | 'acknowledgedAt'
    | 'acknowledgedBy'
    | 'planAt'
    | 'planBy'
    | 'resolvedAt'
    | 'resolvedBy'
    | 'reopenCount'
  > & { sla: SlaClockInput[] }
>;

export interface NewTicketEvent {
  kind: TicketEventKind;
  at: number;
  detail: string;
  data?: Record<string, unknown>;
}

/** Where a clock stands at `now`: met (stopped), breached (past due), approaching (past warn) or ok. */
export type SlaStanding = 'met' | 'ok' | 'approaching' | 'breached';

export function slaStanding(clock: Pick<SlaClockRow, 'metAt' | 'dueAt' | 'warnAt'>, now: number): SlaStanding {
  if (clock.metAt !== null) return 'met';
  if (now >= clock.dueAt) return 'breached';
  return now >= clock.warnAt ? 'approaching' : 'ok';
}

/**
 * When a ticket's event (a desk event, a `tickets` point) happened. Every kind but the SLA marks is made by a ticket update (opened, a person's action, a
 * desk's push with the desk's time, a clear ...), which sets updatedAt to the event's time. An SLA mark changes only
 * its clock: its time is the mark, the moment the SLA check found the clock past its warning point (approaching)
 * or its due time (breached); the ticket's history records that same time, and the due time is in the detail.
 * Without a target, the clock whose mark of that kind is newest is the one just marked.
 */
export function eventAt(ticket: Pick<Ticket, 'updatedAt' | 'sla'>, kind: string, target?: SlaTarget): number {
  if (kind !== 'sla_approaching' && kind !== 'sla_breached') return ticket.updatedAt;
  const mark = (c: Ticket['sla'][number]) => (kind === 'sla_breached' ? c.breachedAt : c.approachedAt);
  const marks = ticket.sla.filter((c) => target === undefined || c.target === target).map(mark);
  const at = Math.max(...marks.filter((m): m is number => m !== null));
  return Number.isFinite(at) ? at : ticket.updatedAt;
}
