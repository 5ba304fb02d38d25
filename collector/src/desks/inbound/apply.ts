// Applies what a desk's push reported (DeskTicketChange) to Watchpost's tickets, through the same ticket actions a
// person's API call takes (tickets/actions.ts), with the desk as the change's origin: the desk outbox does not send
// the change back to that desk, and the tenant's other desks hear of it as of any other change.
//
// Rules an MSP would ask about:
// 1. The ticket is the one the desk knows by that id (recorded when the outbox created it there); a push about a
//    ticket Watchpost did not make is ignored, and so is one about a tenant the desk no longer serves.
// 2. Who acted is recorded as desk:<desk>:<user>. The time is the desk's, kept between the ticket's opening and now
//    (a desk clock ahead of ours cannot stop a clock in the future).
// 3. Every change is applied only when it changes something (a second ack, a plan after a plan, a resolve of a
//    resolved ticket are no-ops), so a repeated or retried push changes nothing the second time.
// 4. A desk's priority is recorded as a note, never applied: Watchpost's priority is its urgency x impact matrix
//    (tickets/priority.ts), which also drives its SLA clocks. The same value again records nothing.
// 5. A reopen the push only implies (a snapshot showing the ticket open) is applied only when the desk has been
//    told everything of the ticket, the resolution included, and it happened after the resolution: otherwise it is
//    the desk not yet having heard of Watchpost's resolution, not a person reopening.
// 6. A reopen while another unresolved ticket of the same agent and rule exists (the alert fired again after the
//    reopen window) is recorded as a note on this ticket: that other ticket carries on.
import type { Store } from '../../store/index.js';
import type { ActionSource, TicketAction } from '../../tickets/actions.js';
import type { Ticket } from '../../tickets/model.js';
import type { DeskRoute } from '../desks-file.js';
import type { DeskTicketChange } from './contract.js';

export type ApplyOutcome = 'applied' | 'unchanged' | 'unknown_ticket' | 'not_routed' | 'noted';

export interface AppliedChange {
  remoteId: string;
  change: DeskTicketChange['change'];
  ticketId: number | null;
  outcome: ApplyOutcome;
}

export interface ApplyDeps {
  store: Store;
  now: () => number;
  /** The alert engine's act (the ticket lifecycle, the transition sinks, the gauge). */
  act(ticketId: number, action: TicketAction, by: string, source: ActionSource): Ticket | null;
  /** The tenant's route to the desk, if the desk serves the tenant. */
  route(desk: string, tenant: string): DeskRoute | undefined;
}

/** A desk user's name as recorded: printable, at most 100 characters. */
const userOf = (by: string | undefined): string => (by ?? '').replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, 100) || 'unknown';

function lastDeskPriority(store: Store, ticketId: number, desk: string): string | undefined {
  const events = store.tickets.events(ticketId);
  for (let i = events.length - 1; i >= 0; i--) {
    const data = events[i]!.data;
    if (data && data.origin === desk && typeof data.deskPriority === 'string') return data.deskPriority;
  }
  return undefined;
}

export function applyDeskChanges(deps: ApplyDeps, desk: string, changes: readonly DeskTicketChange[]): AppliedChange[] {
  return changes.map((c) => {
    const result = (ticketId: number | null, outcome: ApplyOutcome): AppliedChange => ({ remoteId: c.remoteId, change: c.change, ticketId, outcome });
    const ticketId = deps.store.deskOutbox.ticketOf(desk, c.remoteId);
    const ticket = ticketId === null ? null : deps.store.tickets.get(ticketId);
    if (!ticket) return result(null, 'unknown_ticket');
    const route = deps.route(desk, ticket.tenant);
    if (!route) return result(ticket.id, 'not_routed');
    const user = userOf(c.by);
    const by = `desk:${desk}:${user}`;
    const at = Math.min(deps.now(), Math.max(ticket.openedAt, c.at));
    const status = c.status ? ` (status ${c.status})` : '';
    const act = (action: TicketAction, data?: Record<string, unknown>): AppliedChange => {
      const next = deps.act(ticket.id, action, by, { origin: desk, at, ...(data ? { data } : {}) });
      return result(ticket.id, next && next !== ticket ? 'applied' : 'unchanged');
    };
    switch (c.change) {
      case 'acknowledged':
        return ticket.status !== 'open' || ticket.acknowledgedAt !== null ? result(ticket.id, 'unchanged') : act({ kind: 'ack' });
      case 'planned':
        return ticket.status === 'resolved' || ticket.planAt !== null
          ? result(ticket.id, 'unchanged')
          : act({ kind: 'plan', text: `resolution plan in ${desk} by ${user}${status}` });
      case 'resolved':
        return ticket.status === 'resolved' ? result(ticket.id, 'unchanged') : act({ kind: 'resolve', note: `resolved in ${desk} by ${user}${status}` });
      case 'reopened': {
        if (ticket.status !== 'resolved') return result(ticket.id, 'unchanged');
        if (c.inferred && !deskHeardResolution(deps.store, route, ticket, desk, at)) return result(ticket.id, 'unchanged');
        const other = deps.store.tickets.findOpen(ticket.tenant, ticket.agentId, ticket.ruleId);
        if (other) {
          act({ kind: 'note', text: `reopened in ${desk} by ${user}${status}; ticket ${other.id} carries on for this agent and rule` });
          return result(ticket.id, 'noted');
        }
        return act({ kind: 'reopen', note: `reopened in ${desk} by ${user}${status}` });
      }
      case 'priority': {
        const p = c.deskPriority ?? '';
        if (!p || lastDeskPriority(deps.store, ticket.id, desk) === p) return result(ticket.id, 'unchanged');
        const text = `priority in ${desk} set to ${p} by ${user}; Watchpost's priority stays ${ticket.priority} (its urgency x impact matrix)`;
        act({ kind: 'note', text }, { deskPriority: p });
        return result(ticket.id, 'noted');
      }
    }
  });
}

/**
 * Whether the desk knows the ticket was resolved before `at`: it resolved it itself, or it takes resolved events
 * and nothing of the ticket still waits for it (pending or dead).
 */
function deskHeardResolution(store: Store, route: DeskRoute, ticket: Ticket, desk: string, at: number): boolean {
  if (ticket.resolvedAt === null || at <= ticket.resolvedAt) return false;
  if (ticket.resolvedBy?.startsWith(`desk:${desk}:`)) return true;
  return route.events.has('resolved') && !store.deskOutbox.waiting(desk, ticket.id);
}
