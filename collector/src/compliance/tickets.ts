// The optional compliance ticket (terms.compliance.tickets, off by default): a host with at least one standard
// failing, not waived, for longer than `after` gets ONE ticket naming those standards and why; a change of that set
// is an 'updated' event on it, and it is resolved when none is left (they pass, are waived, stop applying, or the
// tenant turns the tickets off). It goes through the ticket lifecycle like a rule's ticket (tickets/lifecycle.ts):
// priority from the tenant's matrix (impact x urgency as configured, low x low by default), the SLA clocks of its
// profile, the reopen window, and the transition sinks (InfluxDB `tickets` points, the service desks).
//
// Decisions:
// 1. The ticket key is (tenant, agent, COMPLIANCE_TICKET_RULE). That id is not a rule-id slug (it has a hyphen), so
//    no rule of a rules file can share the key, and the alert engine, which only syncs keys of its firing alerts,
//    never touches it; people's actions (ack, plan, note, resolve, reopen, priority) work on it as on any ticket.
// 2. Only `fail` is ticketed: `unknown` is missing data, which the absence rules already ticket.
// 3. The set of standards the ticket was last told of is stored (store/compliance.ts putTicketed), so a restart
//    notes no change that did not happen. The ticket is synced only when that set changes: a ticket a person
//    resolved while standards still fail stays resolved until the set changes (then it reopens within the reopen
//    window, or a new one opens), as a person's judgement should stand against an unchanged condition.
import type { HostFacts, Urgency } from '../alerting/contract.js';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import type { Transitions } from '../alerting/transitions.js';
import type { ComplianceState, Store } from '../store/index.js';
import { syncTicket } from '../tickets/lifecycle.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

/** The rule id of compliance tickets (decision 1). */
export const COMPLIANCE_TICKET_RULE = 'minimum-standards';
const TITLE = 'Minimum standards not met';

export interface ComplianceTicketDeps {
  store: Store;
  rules: () => RuleSet;
  transitions: Transitions;
}

export interface ComplianceTickets {
  /** After an evaluation of the host, inside its transaction: opens, updates or resolves its ticket when the set to ticket changed. */
  sync(host: Pick<HostFacts, 'tenant' | 'host' | 'agentId' | 'role' | 'critical'>, states: readonly ComplianceState[], at: number): void;
}

/** The states the ticket names: failing, not waived, for at least `afterMs` (in the order given). */
export function ticketable(states: readonly ComplianceState[], afterMs: number, at: number): ComplianceState[] {
  return states.filter((s) => s.verdict === 'fail' && s.waiver === null && at - s.since >= afterMs);
}

export function createComplianceTickets(deps: ComplianceTicketDeps): ComplianceTickets {
  const { store } = deps;
  const told = new Map(store.compliance.allTicketed().map((r) => [r.agentId, r.standards]));
  return {
    sync(host, states, at) {
      const terms = deps.rules().terms(host.tenant);
      const settings = (terms.compliance ?? DEFAULT_THRESHOLDS).tickets;
      const due = settings.enabled ? ticketable(states, settings.afterMs, at) : [];
      const before = told.get(host.agentId) ?? [];
      const ids = due.map((s) => s.standard);
      if (ids.join(',') === before.join(',')) return;
      const hostSettings = deps.rules().hostSettings(host.tenant, host.host);
      const facts: HostFacts & { urgency: Urgency } = {
        ...host,
        tags: hostSettings.tags,
        ...(hostSettings.site ? { site: hostSettings.site } : {}),
        urgency: settings.urgency,
      };
      const change = syncTicket(store.tickets, {
        facts,
        ruleId: COMPLIANCE_TICKET_RULE,
        title: TITLE,
        onClear: 'resolve',
        terms,
        firing: due.map((s) => ({ instance: s.standard, impact: settings.impact, summary: `${s.standard}: ${s.reason}` })),
        cause: { kind: ids.length > 0 ? 'fired' : 'cleared', instance: '', summary: causeText(due, before, settings), at },
      });
      store.compliance.putTicketed(host.agentId, host.tenant, ids);
      told.set(host.agentId, ids);
      if (change) deps.transitions.ticket(change);
    },
  };
}

/** The event's line: what fails now and why, with what changed since the ticket was last told. */
function causeText(due: readonly ComplianceState[], before: readonly string[], settings: { enabled: boolean; afterMs: number }): string {
  if (!settings.enabled) return 'compliance tickets are turned off for this tenant (terms.compliance.tickets.enabled)';
  if (due.length === 0) return `no minimum standard fails any longer without a waiver (was: ${before.join(', ')})`;
  const ids = due.map((s) => s.standard);
  const added = ids.filter((id) => !before.includes(id));
  const gone = before.filter((id) => !ids.includes(id));
  const change =
    before.length === 0
      ? ''
      : ` (${[added.length ? `newly: ${added.join(', ')}` : '', gone.length ? `no longer: ${gone.join(', ')}` : ''].filter(Boolean).join('; ')})`;
  return `failing for longer than ${span(settings.afterMs)}${change}: ${due.map((s) => `${s.standard}: ${s.reason}`).join('; ')}`;
}

/** 86400000 -> "1d", 5400000 -> "90m": the largest unit that divides evenly. */
function span(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    if (ms % size === 0 && ms > 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}
