// SLA attainment for one month, from the tickets' own clocks. Pure: the tickets, the tenant's hours and the time of
// the report in, the figures out.
//
// Which clocks count (the report states this rule on its first page):
// 1. A clock counts in the month its cycle started: the ticket's opening, or its latest reopening (a reopen starts
//    every clock again, tickets/lifecycle.ts decision 4). The store keeps the latest cycle of a ticket, so a ticket
//    reopened in a later month counts there and no longer in the month it was first opened.
// 2. Met: stopped (acknowledged, planned, resolved) at or before its due time. Breached: stopped after it, or still
//    running at the time of the report past its due time. Running: not stopped and not yet due; counted apart, never
//    as met. The percentage is met / (met + breached); with neither it is absent, not 100 %.
//    Resolving a ticket stops every clock still running; a ticket resolved by an earlier version kept its respond
//    and plan clocks running when nobody had acknowledged or planned, so here too such a clock stops at the
//    resolution: the work ended then, and the clock would otherwise count against the tenant for ever.
// 3. Times are in the clock's own hours (the tenant's calendar for a business-hours profile, real time for 24x7),
//    from the cycle's start to the stop, or to the report's time for a breached clock that still runs.
import type { Priority } from '../alerting/contract.js';
import { PRIORITIES } from '../alerting/contract.js';
import { businessTimeBetween, type Hours } from '../tickets/calendar.js';
import { SLA_TARGETS, type SlaClockRow, type SlaTarget, type Ticket } from '../tickets/model.js';
import type { SlaProfile } from '../tickets/service-schema.js';

export type ClockOutcome = 'met' | 'breached' | 'running';

export interface ClockResult {
  ticket: Ticket;
  clock: SlaClockRow;
  outcome: ClockOutcome;
  /** Time used in the clock's hours: to the stop, or to the report's time when it still runs. */
  usedMs: number;
  stillRunning: boolean;
}

export interface TargetAttainment {
  priority: Priority;
  target: SlaTarget;
  /** The profile's target as written ("12m", "173h"); undefined when the profile sets none for this priority. */
  goal: string | undefined;
  met: number;
  breached: number;
  running: number;
  /** met / (met + breached) x 100; null when no clock was decided. */
  metPercent: number | null;
  /** Over the decided clocks (met and breached), in the clock's hours; null with none. */
  medianMs: number | null;
  worstMs: number | null;
}

/** Whether a clock counts in [from, to): its cycle started then (rule 1). */
export const inMonth = (clock: SlaClockRow, from: number, to: number): boolean => clock.startedAt >= from && clock.startedAt < to;

/** When a clock stopped: its own stop, else the ticket's resolution (rule 2); null while it runs. */
export const stopOf = (ticket: Ticket, clock: SlaClockRow): number | null => clock.metAt ?? (ticket.status === 'resolved' ? ticket.resolvedAt : null);

/** One clock's outcome at `now` (rule 2) and the time it used (rule 3). */
export function judgeClock(ticket: Ticket, clock: SlaClockRow, hours: Hours, now: number): ClockResult {
  const stop = stopOf(ticket, clock);
  const outcome: ClockOutcome = stop !== null ? (stop <= clock.dueAt ? 'met' : 'breached') : now >= clock.dueAt ? 'breached' : 'running';
  return { ticket, clock, outcome, usedMs: businessTimeBetween(hours, clock.startedAt, stop ?? now), stillRunning: stop === null };
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Every clock of the tenant's tickets that counts in [from, to), judged at `now`. */
export function monthClocks(tickets: readonly Ticket[], hours: Hours, from: number, to: number, now: number): ClockResult[] {
  return tickets.flatMap((t) => t.sla.filter((c) => inMonth(c, from, to)).map((c) => judgeClock(t, c, hours, now)));
}

/** One row per priority and target, in PRIORITIES and SLA_TARGETS order; rows with neither a goal nor a clock are left out. */
export function attainment(clocks: readonly ClockResult[], profile: SlaProfile): TargetAttainment[] {
  return PRIORITIES.flatMap((priority) =>
    SLA_TARGETS.flatMap((target): TargetAttainment[] => {
      const mine = clocks.filter((c) => c.ticket.priority === priority && c.clock.target === target);
      const goal = profile[target]?.[priority];
      if (mine.length === 0 && goal === undefined) return [];
      const count = (o: ClockOutcome) => mine.filter((c) => c.outcome === o).length;
      const [met, breached, running] = [count('met'), count('breached'), count('running')];
      const decided = mine.filter((c) => c.outcome !== 'running').map((c) => c.usedMs);
      return [
        {
          priority,
          target,
          goal,
          met,
          breached,
          running,
          metPercent: met + breached === 0 ? null : (met / (met + breached)) * 100,
          medianMs: median(decided),
          worstMs: decided.length === 0 ? null : Math.max(...decided),
        },
      ];
    }),
  );
}
