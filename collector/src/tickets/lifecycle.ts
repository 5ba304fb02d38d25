// From alerts to the one ticket per (tenant, agent, rule). The engine calls `sync` whenever the set of ticketed
// firing instances of a key changes (an instance fired, escalated, de-escalated or cleared), `renameTickets` when
// it sees an agent under a new hostname, and the REST API calls ack/plan/resolve. Priority = matrix(highest impact
// among the firing instances, the host's urgency); the SLA clocks come from the tenant's profile and hours.
//
// Decisions an MSP would ask about:
// 1. A priority only rises automatically; a de-escalation is noted but keeps the priority (a technician lowers it).
// 2. Escalation recomputes the due times from when the ticket was opened, keeping targets already met.
// 3. A key that fires again within `reopen_window` of its ticket being resolved reopens that ticket (counted in
//    reopenCount) instead of opening another: a flapping condition makes one ticket with a history, not a storm.
// 4. When the last instance clears: on_clear 'resolve' resolves the ticket (by 'auto'); 'note' adds a note and
//    leaves it for a person.
// 5. A renamed agent's unresolved tickets carry on under the new name (one 'updated' event says so); resolved
//    ones keep the name they were resolved under, and one that reopens takes the current name.
import type { SlaClockRow, SlaTarget, Ticket, TicketEventKind, TicketPatch } from './model.js';
import type { TicketStore } from '../store/index.js';
import type { HostFacts, Impact, Priority } from '../alerting/contract.js';
import { comparePriority, maxImpact, priorityOf, urgencyOf } from './priority.js';
import { slaClocks } from './sla.js';
import type { TenantTerms } from '../alerting/rules/rules-file.js';

/** One firing, ticketed instance of the key. */
export interface FiringInstance {
  instance: string;
  impact: Impact;
  summary: string;
}

export interface SyncInput {
  facts: HostFacts & { urgency?: import('../alerting/contract.js').Urgency };
  ruleId: string;
  title: string;
  onClear: 'resolve' | 'note';
  terms: TenantTerms;
  /** Every instance of the key that is firing and ticketed now (empty: the condition cleared everywhere). */
  firing: readonly FiringInstance[];
  /** What changed, for the ticket's history. */
  cause: { kind: 'fired' | 'escalated' | 'deescalated' | 'cleared' | 'released'; instance: string; summary: string; at: number };
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

function highestImpact(firing: readonly FiringInstance[]): Impact {
  return firing.reduce<Impact>((best, f) => maxImpact(best, f.impact), 'low');
}

function describe(firing: readonly FiringInstance[]): string {
  const shown = firing.slice(0, 5).map((f) => f.summary);
  return firing.length > 5 ? `${shown.join('; ')}; and ${firing.length - 5} more` : shown.join('; ');
}

/** New clocks for `priority`, started when the ticket opened; a target already met stays met. */
function reclock(ticket: Ticket, input: SyncInput, priority: Priority): SlaClockRow[] {
  const met = new Map<SlaTarget, number | null>(ticket.sla.map((c) => [c.target, c.metAt]));
  return slaClocks(input.terms.slaProfile, input.terms.hours, priority, ticket.openedAt).map((c) => ({
    ...c,
    metAt: met.get(c.target) ?? null,
    approachedAt: null,
    breachedAt: null,
  }));
}

export function syncTicket(tickets: TicketStore, input: SyncInput): TicketChange | null {
  const { facts, ruleId, cause } = input;
  const open = tickets.findOpen(facts.tenant, facts.agentId, ruleId);
  if (input.firing.length === 0) return open ? clear(tickets, open, input) : null;

  const urgency = urgencyOf(facts);
  const impact = highestImpact(input.firing);
  const priority = priorityOf(input.terms.matrix, impact, urgency);
  const summary = describe(input.firing);
  if (open) {
    if (comparePriority(priority, open.priority) < 0) {
      const detail = `priority ${open.priority} -> ${priority}: ${cause.summary}`;
      const ticket = tickets.update(open.id, { priority, impact, summary, sla: reclock(open, input, priority) }, { kind: 'escalated', at: cause.at, detail });
      return { ticket, kind: 'escalated', detail };
    }
    const kind: TicketEventKind = cause.kind === 'deescalated' ? 'deescalated' : 'updated';
    return { ticket: tickets.update(open.id, { summary }, { kind, at: cause.at, detail: cause.summary }), kind, detail: cause.summary };
  }

  const last = tickets.lastResolved(facts.tenant, facts.agentId, ruleId);
  if (last && last.resolvedAt !== null && cause.at - last.resolvedAt <= input.terms.reopenWindowMs) {
    const higher = comparePriority(priority, last.priority) < 0 ? priority : last.priority;
    const sla = reclock({ ...last, sla: last.sla.map((c) => (c.target === 'resolve' ? { ...c, metAt: null } : c)) }, input, higher);
    const patch = {
      ...hostPatch(last, facts.host),
      status: 'open' as const,
      priority: higher,
      impact,
      summary,
      resolvedAt: null,
      resolvedBy: null,
      reopenCount: last.reopenCount + 1,
      sla,
    };
    return { ticket: tickets.update(last.id, patch, { kind: 'reopened', at: cause.at, detail: cause.summary }), kind: 'reopened', detail: cause.summary };
  }

  const ticket = tickets.open(
    {
      tenant: facts.tenant,
      host: facts.host,
      agentId: facts.agentId,
      ruleId,
      title: `${input.title} on ${facts.host}`,
      summary,
      priority,
      urgency,
      impact,
      slaProfile: input.terms.slaProfileName,
      sla: slaClocks(input.terms.slaProfile, input.terms.hours, priority, cause.at),
    },
    cause.at,
    cause.summary,
  );
  return { ticket, kind: 'opened', detail: cause.summary };
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

/** Resolves the ticket and stops its resolve clock. */
export function resolveTicket(tickets: TicketStore, ticket: Ticket, by: string, at: number, detail: string): Ticket {
  const sla = ticket.sla.map((c) => (c.target === 'resolve' && c.metAt === null ? { ...c, metAt: at } : c));
  return tickets.update(ticket.id, { status: 'resolved', resolvedAt: at, resolvedBy: by, sla }, { kind: 'resolved', at, detail });
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
 * The ticket was reopened by a person (in a service desk): open again, reopenCount + 1, and the resolve target runs
 * again, as when its alert fires again within the reopen window. The due times stay as they are (they count from
 * when the ticket was opened, which is what a re-firing alert computes for an unchanged priority); the marks of
 * clocks already approached or breached are kept, so the desks are not told of the same breach twice. Null when
 * the ticket is not resolved (nothing to reopen). Its status is open, as after a re-firing alert. Throws
 * StoreError `conflict` when another unresolved ticket of the same agent and rule exists (the alert fired again
 * after the window and opened a new one).
 */
export function reopenTicket(tickets: TicketStore, ticket: Ticket, by: string, at: number, detail: string, data?: Record<string, unknown>): Ticket | null {
  if (ticket.status !== 'resolved') return null;
  const sla = ticket.sla.map((c) => (c.target === 'resolve' ? { ...c, metAt: null } : c));
  return tickets.update(
    ticket.id,
    { status: 'open', resolvedAt: null, resolvedBy: null, reopenCount: ticket.reopenCount + 1, sla },
    { kind: 'reopened', at, detail, data: { by, ...data } },
  );
}

/** A resolution plan was given: the plan clock stops (and respond, if nobody acknowledged first). */
export function planTicket(tickets: TicketStore, ticket: Ticket, by: string, at: number, plan: string): Ticket {
  const sla = ticket.sla.map((c) => ((c.target === 'plan' || c.target === 'respond') && c.metAt === null ? { ...c, metAt: at } : c));
  const acked = ticket.acknowledgedAt === null ? { status: 'acknowledged' as const, acknowledgedAt: at, acknowledgedBy: by } : {};
  return tickets.update(ticket.id, { ...acked, planAt: at, planBy: by, sla }, { kind: 'plan', at, detail: plan });
}
