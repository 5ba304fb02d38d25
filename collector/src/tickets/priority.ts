// Priority = matrix[impact][urgency], the contracts' urgency x impact rule (DESIGN.md "Alerts and tickets").
// Urgency is who is affected (from the endpoint's role), impact what the condition does to the business (from the
// rule level). Pure functions; the matrix itself is configuration (per tenant), DEFAULT_MATRIX when none is given.
import type { Impact, Priority, Role, Urgency } from '../alerting/contract.js';
import { IMPACTS, PRIORITIES } from '../alerting/contract.js';
import type { PriorityMatrix } from './service-schema.js';

/** DESIGN.md: impact high -> P1/P2/P3 for urgency high/medium/low; medium -> P2/P3/P4; low -> P3/P4/P4. */
export const DEFAULT_MATRIX: PriorityMatrix = {
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P4' },
};

export function priorityOf(matrix: PriorityMatrix, impact: Impact, urgency: Urgency): Priority {
  return matrix[impact][urgency];
}

/**
 * Who is affected if this endpoint has a problem. An explicit per-host `urgency` wins; else a critical host (the
 * flag, or the tag `critical` when tags are passed) affects the whole company (high), a server a department
 * (medium), a workstation one user (low). `critical` applies to any role: an MSP that marks a workstation critical
 * (the CEO's laptop, the reception PC) means it.
 */
export function urgencyOf(host: { role: Role; critical: boolean; urgency?: Urgency; tags?: readonly string[] }): Urgency {
  if (host.urgency !== undefined) return host.urgency;
  if (host.critical || host.tags?.includes('critical')) return 'high';
  return host.role === 'server' ? 'medium' : 'low';
}

/**
 * Orders priorities like their names: negative when `a` is the more urgent (P1 before P2), so
 * `tickets.sort((x, y) => comparePriority(x.priority, y.priority))` puts P1 first.
 */
export function comparePriority(a: Priority, b: Priority): number {
  return PRIORITIES.indexOf(a) - PRIORITIES.indexOf(b);
}

/** The more urgent of two priorities (P1 over P4): an escalation never lowers a ticket. */
export function higherPriority(a: Priority, b: Priority): Priority {
  return comparePriority(a, b) <= 0 ? a : b;
}

/** Positive when `a` is the greater impact (high over low), negative when `b` is, 0 when equal. */
export function compareImpact(a: Impact, b: Impact): number {
  return IMPACTS.indexOf(b) - IMPACTS.indexOf(a);
}

/** The greater of two impacts (high over low), e.g. the highest level a rule breaches among its instances. */
export function maxImpact(a: Impact, b: Impact): Impact {
  return compareImpact(a, b) >= 0 ? a : b;
}
