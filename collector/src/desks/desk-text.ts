// The text a Watchpost ticket carries into every ticketing desk, the same whichever desk it is: a one-line title
// cut to the desk's limit, a description (what a technician needs first, and the key that ties the desk's ticket
// to Watchpost's), and for each event a note saying what happened.
import type { DeskEvent, DeskEventKind, DeskTicket } from './contract.js';

const LABELS: Record<DeskEventKind, string> = {
  opened: 'Opened',
  updated: 'Updated',
  escalated: 'Escalated',
  deescalated: 'De-escalated',
  reopened: 'Reopened',
  note: 'Note',
  acknowledged: 'Acknowledged',
  plan: 'Plan',
  resolved: 'Resolved',
  sla_approaching: 'SLA approaching',
  sla_breached: 'SLA breached',
};

/** Cuts text to at most `max` characters, ending in "…" when cut, with `suffix` kept whole at the end. */
export function clip(text: string, max: number, suffix = ''): string {
  const room = max - suffix.length;
  return (text.length > room ? `${text.slice(0, Math.max(0, room - 1))}…` : text) + suffix;
}

/** A title: one line (every desk shows it as one; runs of whitespace collapse, ends trimmed), clipped. */
export const titleLine = (text: string, max: number, suffix = ''): string => clip(text.replace(/\s+/g, ' ').trim(), max, suffix);

/** A note's text: what happened and the event's detail ("Escalated: priority P2 -> P1"); the label alone when the
 *  detail is empty, since desks refuse empty notes. */
export function noteText(event: DeskEvent): string {
  const detail = event.detail.trim();
  return detail ? `${LABELS[event.kind]}: ${detail}` : LABELS[event.kind];
}

/** A note's title, for desks that have (or require) one. */
export const noteTitle = (event: DeskEvent): string => `Watchpost: ${LABELS[event.kind]}`;

/** The text of a resolution field (the field says it is one): the event's detail, or "Resolved" when empty. */
export const resolutionText = (event: DeskEvent): string => event.detail.trim() || LABELS.resolved;

/** The ticket's body: what a technician needs first, and the key that ties the desk's ticket to Watchpost's. */
export function ticketDescription(t: DeskTicket): string {
  return [
    t.summary,
    '',
    `Host: ${t.host}`,
    `Rule: ${t.ruleId}`,
    `Tenant: ${t.tenant}`,
    `Priority: ${t.priority} (urgency ${t.urgency}, impact ${t.impact})`,
    `Opened: ${new Date(t.openedAt).toISOString()}`,
    `Watchpost ticket: ${t.id} (key ${t.correlationKey})`,
  ].join('\n');
}
