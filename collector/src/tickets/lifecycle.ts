// From alerts to the one ticket per (tenant, agent, rule). The engine calls `sync` whenever the set of ticketed
// firing instances of a key changes (an instance fired, escalated, de-escalated or cleared) and when a ticket a
// person resolved is still firing after the reopen window, `renameTickets` when it sees an agent under a new
// hostname, and people's actions (the API, the CLI, a service desk) call ack/plan/resolve/reopen/priority.
// Priority = matrix(highest impact among the firing instances, the host's urgency); the SLA clocks come from the
// tenant's profile and hours.
//
// Decisions an MSP would ask about:
// 1. A priority only rises automatically; a de-escalation is noted but keeps the priority (a technician lowers it,
//    with a reason). A priority a technician set stands until the alerts compute one more urgent than the one they
//    gave the ticket when the technician set it.
// 2. A priority change (escalation, or a technician's) recomputes the due times of the targets not yet met from
//    the start of the ticket's current cycle (its opening, or its last reopening); a target already met stays as
//    it was met.
// 3. A key that fires again within `reopen_window` of its ticket being resolved reopens that ticket (counted in
//    reopenCount) instead of opening another: a flapping condition makes one ticket with a history, not a storm.
// 4. A reopen (the alert firing again, still firing a reopen window after a person resolved it, or a person) is a
//    new response obligation: the acknowledgement and plan are cleared and every SLA clock starts again from the
//    reopen time (time spent resolved counts against nothing). The priority is recomputed (from the firing
//    instances, or for a person's reopen from the impact and urgency the ticket records), unless a technician set
//    it and it stands (decision 1) or is the more urgent: then it is kept and the reopen event says so. The events
//    of the earlier cycles stay in the history.
// 5. When the last instance clears: on_clear 'resolve' resolves the ticket (by 'auto'); 'note' adds a note and
//    leaves it for a person.
// 6. A renamed agent's unresolved tickets carry on under the new name (one 'updated' event says so); resolved
//    ones keep the name they were resolved under, and one that reopens takes the current name.
import type { SlaClockInput, Ticket, TicketEventKind, TicketPatch } from './model.js';
import type { TicketStore } from '../store/index.js';
import type { HostFacts, Impact, Priority, Urgency } from '../alerting/contract.js';
import { comparePriority, maxImpact, priorityOf, urgencyOf } from './priority.js';
import { slaClocks } from './sla.js';
import type { TenantTerms } from '../alerting/rules/rules-file.js';

/** One firing, ticketed instance of the key. */
export interface FiringInstance {
  instance: string;
  impact: Impact;
  summary: string;
}

/**
 * What changed, for the ticket's history. `still_firing`: the tick found the key firing a reopen window after a
 * person resolved its ticket (the condition never cleared), which reopens that ticket whatever the window says.
 */
export type SyncCause = 'fired' | 'escalated' | 'deescalated' | 'cleared' | 'released' | 'still_firing';

export interface SyncInput {
  facts: HostFacts & { urgency?: Urgency };
  ruleId: string;
  title: string;
  onClear: 'resolve' | 'note';
  terms: TenantTerms;
  /** Every instance of the key that is firing and ticketed now (empty: the condition cleared everywhere). */
  firing: readonly FiringInstance[];
  cause: { kind: SyncCause; instance: string; summary: string; at: number };
}

/** A ticket transition, for the InfluxDB `tickets` measurement and the logs. */
export interface TicketChange {
  ticket: Ticket;
  kind: TicketEventKind;
  /** The event's one line (as in the ticket's history): what service desks are told. */
  detail: string;
  /** The service desk whose push caused the change: that desk is not told of it again (it already knows). */
  origin?: string;
}

/**
 * A priority a technician set, as its event records it (`data.manualPriority`): who, why, and `auto`, the priority
 * the alerts had given the ticket then (what a later computed priority is compared with).
 */
export interface ManualPriority {
  priority: Priority;
  by: string;
  reason: string;
  auto: Priority;
}

function highestImpact(firing: readonly FiringInstance[]): Impact {
  return firing.reduce<Impact>((best, f) => maxImpact(best, f.impact), 'low');
}

function describe(firing: readonly FiringInstance[]): string {
  const shown = firing.slice(0, 5).map((f) => f.summary);
  return firing.length > 5 ? `${shown.join('; ')}; and ${firing.length - 5} more` : shown.join('; ');
}

function isManualPriority(value: unknown): value is ManualPriority {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m.priority === 'string' && typeof m.by === 'string' && typeof m.reason === 'string' && typeof m.auto === 'string';
}

/**
 * The priority a technician set, while it stands: the newest event that set the priority decides. Events that set
 * it are 'opened', 'escalated' and 'reopened' (automatic unless they carry `manualPriority`) and a technician's
 * 'deescalated' (an automatic 'deescalated' is only a note and is passed over).
 */
export function manualPriority(tickets: TicketStore, ticketId: number): ManualPriority | null {
  const events = tickets.events(ticketId);
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    const manual = e.data?.manualPriority;
    if (isManualPriority(manual) && ['escalated', 'deescalated', 'reopened'].includes(e.kind)) return manual;
    if (e.kind === 'opened' || e.kind === 'escalated' || e.kind === 'reopened') return null;
  }
  return null;
}

/**
 * Whether a technician's priority stands against `computed`, the priority the alerts give the ticket now: it does
 * unless `computed` is more urgent than what the alerts had given it when the technician set it.
 */
function stands(manual: ManualPriority | null, computed: Priority): manual is ManualPriority {
  return manual !== null && comparePriority(computed, manual.auto) >= 0;
}

/**
 * Whether a reopen keeps the technician's priority rather than `computed`: when it stands, or when it is the more
 * urgent of the two (a technician's raise is not undone by a reopen).
 */
function keptOnReopen(manual: ManualPriority | null, computed: Priority): manual is ManualPriority {
  if (manual === null) return false;
  return comparePriority(computed, manual.auto) >= 0 || comparePriority(manual.priority, computed) < 0; // stands, or the more urgent
}

/** When the ticket's current cycle started: its last reopening, or its opening. */
function cycleStart(ticket: Ticket): number {
  return ticket.sla.reduce((start, c) => Math.max(start, c.startedAt), ticket.openedAt);
}

/**
 * The clocks for `priority` from the start of the ticket's current cycle. A target already met keeps its clock as
 * it was (judged under the priority of its time); one whose due and warning times do not move keeps its marks, so
 * the desks are not told of the same approach or breach twice; any other starts unmarked.
 */
export function reclock(ticket: Ticket, terms: Pick<TenantTerms, 'slaProfile' | 'hours'>, priority: Priority): SlaClockInput[] {
  const was = new Map(ticket.sla.map((c) => [c.target, c]));
  return slaClocks(terms.slaProfile, terms.hours, priority, cycleStart(ticket)).map((c) => {
    const old = was.get(c.target);
    if (old && (old.metAt !== null || (old.dueAt === c.dueAt && old.warnAt === c.warnAt))) return old;
    return c;
  });
}

export function syncTicket(tickets: TicketStore, input: SyncInput): TicketChange | null {
  const { facts, ruleId, cause } = input;
  const open = tickets.findOpen(facts.tenant, facts.agentId, ruleId);
  if (input.firing.length === 0) return open ? clear(tickets, open, input) : null;

  const urgency = urgencyOf(facts);
  const impact = highestImpact(input.firing);
  const computed = priorityOf(input.terms.matrix, impact, urgency);
  const summary = describe(input.firing);
  if (open) {
    if (comparePriority(computed, open.priority) < 0) {
      const manual = manualPriority(tickets, open.id);
      if (!stands(manual, computed)) {
        const detail = `priority ${open.priority} -> ${computed}: ${cause.summary}`;
        const sla = reclock(open, input.terms, computed);
        const ticket = tickets.update(open.id, { priority: computed, impact, summary, sla }, { kind: 'escalated', at: cause.at, detail });
        return { ticket, kind: 'escalated', detail };
      }
    }
    const kind: TicketEventKind = cause.kind === 'deescalated' ? 'deescalated' : 'updated';
    return { ticket: tickets.update(open.id, { summary }, { kind, at: cause.at, detail: cause.summary }), kind, detail: cause.summary };
  }

  const last = tickets.lastResolved(facts.tenant, facts.agentId, ruleId);
  const inWindow = last?.resolvedAt != null && cause.at - last.resolvedAt <= input.terms.reopenWindowMs;
  if (last && (inWindow || cause.kind === 'still_firing')) {
    const manual = manualPriority(tickets, last.id);
    const kept = keptOnReopen(manual, computed);
    const detail = cause.kind === 'still_firing' ? `still firing ${sinceResolved(last, cause.at)}: ${cause.summary}` : cause.summary;
    const reopened = reopenCycle(tickets, last, input.terms, {
      at: cause.at,
      priority: kept ? manual.priority : computed,
      manual: kept ? manual : null,
      patch: { ...hostPatch(last, facts.host), impact, urgency, summary },
      detail,
      data: { by: 'auto', cause: cause.kind },
    });
    return { ...reopened, kind: 'reopened' };
  }

  const ticket = tickets.open(
    {
      tenant: facts.tenant,
      host: facts.host,
      agentId: facts.agentId,
      ruleId,
      title: `${input.title} on ${facts.host}`,
      summary,
      priority: computed,
      urgency,
      impact,
      slaProfile: input.terms.slaProfileName,
      sla: slaClocks(input.terms.slaProfile, input.terms.hours, computed, cause.at),
    },
    cause.at,
    cause.summary,
  );
  return { ticket, kind: 'opened', detail: cause.summary };
}

/** "1h 5m after it was resolved by NAME": how long a still-firing ticket stayed resolved, and who resolved it. */
function sinceResolved(ticket: Ticket, at: number): string {
  const minutes = Math.round((at - (ticket.resolvedAt ?? at)) / 60_000);
  const span = minutes >= 60 ? `${Math.floor(minutes / 60)}h${minutes % 60 ? ` ${minutes % 60}m` : ''}` : `${minutes}m`;
  return `${span} after it was resolved by ${ticket.resolvedBy ?? 'unknown'}`;
}

interface Reopen {
  at: number;
  priority: Priority;
  /** The technician's priority that was kept, if it was: the event records it (and it keeps standing). */
  manual: ManualPriority | null;
  patch: TicketPatch;
  detail: string;
  data: Record<string, unknown>;
}

/**
 * Reopens a resolved ticket as a new cycle (decision 4): open, acknowledgement and plan cleared, reopenCount + 1,
 * the clocks of `priority` started at `at`. The event's detail says how the priority went.
 */
function reopenCycle(tickets: TicketStore, ticket: Ticket, terms: Pick<TenantTerms, 'slaProfile' | 'hours'>, r: Reopen): { ticket: Ticket; detail: string } {
  const note = r.manual
    ? `priority ${r.priority} kept (set by ${r.manual.by}: ${r.manual.reason})`
    : r.priority === ticket.priority
      ? ''
      : `priority ${ticket.priority} -> ${r.priority}`;
  const detail = note ? `${r.detail}; ${note}` : r.detail;
  const patch: TicketPatch = {
    ...r.patch,
    status: 'open',
    priority: r.priority,
    acknowledgedAt: null,
    acknowledgedBy: null,
    planAt: null,
    planBy: null,
    resolvedAt: null,
    resolvedBy: null,
    reopenCount: ticket.reopenCount + 1,
    sla: slaClocks(terms.slaProfile, terms.hours, r.priority, r.at),
  };
  const data = { ...r.data, ...(r.manual ? { manualPriority: r.manual } : {}) };
  return { ticket: tickets.update(ticket.id, patch, { kind: 'reopened', at: r.at, detail, data }), detail };
}

/**
 * The patch that shows the ticket under `host`; empty when it already does. A title is made as "<rule title> on
 * <host>": only that ending is replaced, so a title worded otherwise is left as it is.
 */
function hostPatch(ticket: Ticket, host: string): Pick<TicketPatch, 'host' | 'title'> {
  if (ticket.host === host) return {};
  const suffix = ` on ${ticket.host}`;
  return ticket.title.endsWith(suffix) ? { host, title: `${ticket.title.slice(0, -suffix.length)} on ${host}` } : { host };
}

/** Moves the agent's unresolved tickets to its current hostname, one 'updated' event each. */
export function renameTickets(tickets: TicketStore, agent: { tenant: string; agentId: string; host: string }, at: number): TicketChange[] {
  return tickets.findRenamed(agent.tenant, agent.agentId, agent.host).map((ticket) => {
    const detail = `host renamed: ${ticket.host} -> ${agent.host}`;
    return { ticket: tickets.update(ticket.id, hostPatch(ticket, agent.host), { kind: 'updated', at, detail }), kind: 'updated', detail };
  });
}

function clear(tickets: TicketStore, open: Ticket, input: SyncInput): TicketChange {
  const { cause } = input;
  if (input.onClear === 'note') {
    const detail = `condition cleared (left open: on_clear is note): ${cause.summary}`;
    return { ticket: tickets.update(open.id, {}, { kind: 'note', at: cause.at, detail }), kind: 'note', detail };
  }
  const detail = `condition cleared: ${cause.summary}`;
  return { ticket: resolveTicket(tickets, open, 'auto', cause.at, detail), kind: 'resolved', detail };
}

/**
 * Resolves the ticket and stops every clock still running: the resolve clock, and the respond and plan clocks of a
 * ticket resolved (or whose alert cleared) before anyone acknowledged or planned; the work ended then, and a clock
 * left running on a resolved ticket would read as overdue for ever. `data` goes with the event (who, a still-firing alert).
 */
export function resolveTicket(tickets: TicketStore, ticket: Ticket, by: string, at: number, detail: string, data?: Record<string, unknown>): Ticket {
  const sla = ticket.sla.map((c) => (c.metAt === null ? { ...c, metAt: at } : c));
  return tickets.update(ticket.id, { status: 'resolved', resolvedAt: at, resolvedBy: by, sla }, { kind: 'resolved', at, detail, ...(data ? { data } : {}) });
}

/** A person took the ticket: the respond clock stops. Idempotent (a second ack only adds nothing). */
export function acknowledgeTicket(tickets: TicketStore, ticket: Ticket, by: string, at: number): Ticket {
  if (ticket.acknowledgedAt !== null || ticket.status === 'resolved') return ticket;
  const sla = ticket.sla.map((c) => (c.target === 'respond' && c.metAt === null ? { ...c, metAt: at } : c));
  return tickets.update(
    ticket.id,
    { status: 'acknowledged', acknowledgedAt: at, acknowledgedBy: by, sla },
    { kind: 'acknowledged', at, detail: `acknowledged by ${by}` },
  );
}

/**
 * The ticket was reopened by a person (at the API, the CLI or in a service desk): a new cycle as decision 4 says,
 * like a re-firing alert's reopen. Its priority is recomputed from the impact and urgency the ticket records,
 * unless a technician's priority stands. Null when the ticket is not resolved (nothing to reopen). Throws
 * StoreError `conflict` when another unresolved ticket of the same agent and rule exists (the alert fired again
 * after the window and opened a new one).
 */
export function reopenTicket(
  tickets: TicketStore,
  terms: Pick<TenantTerms, 'matrix' | 'slaProfile' | 'hours'>,
  ticket: Ticket,
  by: string,
  at: number,
  detail: string,
  data?: Record<string, unknown>,
): { ticket: Ticket; detail: string } | null {
  if (ticket.status !== 'resolved') return null;
  const manual = manualPriority(tickets, ticket.id);
  const computed = priorityOf(terms.matrix, ticket.impact, ticket.urgency);
  const kept = keptOnReopen(manual, computed);
  return reopenCycle(tickets, ticket, terms, {
    at,
    priority: kept ? manual.priority : computed,
    manual: kept ? manual : null,
    patch: {},
    detail,
    data: { by, ...data },
  });
}

/** A resolution plan was given: the plan clock stops (and respond, if nobody acknowledged first). */
export function planTicket(tickets: TicketStore, ticket: Ticket, by: string, at: number, plan: string): Ticket {
  const sla = ticket.sla.map((c) => ((c.target === 'plan' || c.target === 'respond') && c.metAt === null ? { ...c, metAt: at } : c));
  const acked = ticket.acknowledgedAt === null ? { status: 'acknowledged' as const, acknowledgedAt: at, acknowledgedBy: by } : {};
  return tickets.update(ticket.id, { ...acked, planAt: at, planBy: by, sla }, { kind: 'plan', at, detail: plan });
}

/**
 * A technician set the ticket's priority, saying why: 'escalated' (more urgent) or 'deescalated', whose detail
 * carries the reason (the service desks are told it), the due times recomputed (decision 2). The event records
 * the technician's priority (`data.manualPriority`), which stands as decision 1 says. Unchanged (the same ticket)
 * when the priority is already that one or the ticket is resolved.
 */
export function setTicketPriority(
  tickets: TicketStore,
  terms: Pick<TenantTerms, 'slaProfile' | 'hours'>,
  ticket: Ticket,
  change: { priority: Priority; reason: string; by: string; at: number; data?: Record<string, unknown> },
): { ticket: Ticket; kind: 'escalated' | 'deescalated'; detail: string } | null {
  if (ticket.status === 'resolved' || change.priority === ticket.priority) return null;
  const kind = comparePriority(change.priority, ticket.priority) < 0 ? 'escalated' : 'deescalated';
  const auto = manualPriority(tickets, ticket.id)?.auto ?? ticket.priority;
  const manual: ManualPriority = { priority: change.priority, by: change.by, reason: change.reason, auto };
  const detail = `priority ${ticket.priority} -> ${change.priority} by ${change.by}: ${change.reason}`;
  const sla = reclock(ticket, terms, change.priority);
  const data = { by: change.by, ...change.data, manualPriority: manual };
  return { ticket: tickets.update(ticket.id, { priority: change.priority, sla }, { kind, at: change.at, detail, data }), kind, detail };
}
