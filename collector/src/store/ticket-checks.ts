// Input checks of the ticket store: every write is checked before SQL sees it. Each throws StoreError
// `invalid_argument` naming the field (checks.ts).
import {
  SLA_TARGETS,
  TICKET_EVENT_KINDS,
  TICKET_STATUSES,
  type NewTicket,
  type NewTicketEvent,
  type SlaClockInput,
  type SlaTarget,
  type TicketPatch,
} from '../tickets/model.js';
import { StoreError } from './errors.js';
import { checkKey, checkTime, LEVEL_VALUES, oneOf, PRIORITY_VALUES } from './checks.js';

export function checkClocks(clocks: readonly SlaClockInput[]): void {
  const seen = new Set<SlaTarget>();
  for (const [i, c] of clocks.entries()) {
    oneOf(`sla[${i}].target`, c.target, SLA_TARGETS);
    if (seen.has(c.target)) throw new StoreError('invalid_argument', `sla[${i}].target: ${c.target} given twice`);
    seen.add(c.target);
    for (const f of ['startedAt', 'dueAt', 'warnAt'] as const) checkTime(`sla[${i}].${f}`, c[f]);
    for (const f of ['metAt', 'approachedAt', 'breachedAt'] as const) checkTime(`sla[${i}].${f}`, c[f] ?? null, true);
  }
}

export function checkEvent(event: NewTicketEvent): void {
  oneOf('event.kind', event.kind, TICKET_EVENT_KINDS);
  checkTime('event.at', event.at);
}

export function checkNew(input: NewTicket, at: number): void {
  for (const f of ['tenant', 'host', 'agentId', 'ruleId', 'slaProfile'] as const) checkKey(f, input[f]);
  oneOf('priority', input.priority, PRIORITY_VALUES);
  oneOf('urgency', input.urgency, LEVEL_VALUES);
  oneOf('impact', input.impact, LEVEL_VALUES);
  checkTime('at', at);
  checkClocks(input.sla);
}

export function checkPatch(patch: TicketPatch): void {
  if (patch.host !== undefined) checkKey('host', patch.host);
  if (patch.status !== undefined) oneOf('status', patch.status, TICKET_STATUSES);
  if (patch.priority !== undefined) oneOf('priority', patch.priority, PRIORITY_VALUES);
  if (patch.urgency !== undefined) oneOf('urgency', patch.urgency, LEVEL_VALUES);
  if (patch.impact !== undefined) oneOf('impact', patch.impact, LEVEL_VALUES);
  for (const f of ['acknowledgedAt', 'planAt', 'resolvedAt'] as const) if (patch[f] !== undefined) checkTime(f, patch[f], true);
  const n = patch.reopenCount;
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 0)) throw new StoreError('invalid_argument', 'reopenCount: expected a whole number >= 0');
  if (patch.sla) checkClocks(patch.sla);
}
