// An update attempt before a ticket: when a host's Defender definitions are older than what opens a ticket, the
// collector first asks the agent for a signature update, and the ticket opens only if the definitions stay old.
//
// Decisions:
// 1. What opens the ticket today is the alert rule kind antivirus/definitions_old (the shipped av_definitions_old,
//    3 days); the compliance ticket (terms.compliance.tickets) is off by default and waits `after` (24 h) anyway. So
//    an attempt starts when Defender's age passes the smallest max_age_days of the host's definitions_old rules, or
//    the tenant's compliance max_signature_age when its compliance tickets are on; and the hold is on those rules.
// 2. The hold is the alert engine's own (alerting/holds.ts HoldSource): the alert fires and is recorded as held,
//    like one in a maintenance window, and the engine's tick tickets it once the hold is gone, with the line
//    releaseNote gives (what was tried and how it went) in the ticket's opening event. No second mechanism.
// 3. The hold lasts while the request is queued (until it must be delivered) or sent (until the agent's bound plus
//    slack); after a success whose signatures are fresh, until the next antivirus run (the one that resolves the
//    alert, or still shows them old), at most CONFIRM_MS. A failure, no answer, or a success that left them old ends
//    it at once. The manager sees a batch before the engine does (app.ts), so the request made from a batch already
//    holds the alert that batch fires.
// 4. One attempt per host per ATTEMPT_EVERY_MS: a host whose updates keep failing is ticketed, not retried forever.
// 5. The hold covers the (host, rule) pair, as windows and silences do: a third-party product's old definitions on
//    the same host wait for Defender's attempt too (minutes), then are ticketed with it.
import type { HoldSource, HoldTarget } from '../alerting/holds.js';
import type { AntivirusRule } from '../alerting/rules/kinds/antivirus.js';
import type { CompiledRule, RuleSet } from '../alerting/rules/rules-file.js';
import { DEFAULT_THRESHOLDS } from '../compliance/thresholds.js';
import type { AvActionRequest, Store } from '../store/index.js';

export const ATTEMPT_EVERY_MS = 24 * 3_600_000;
/** The antivirus probe runs hourly: two runs' time for the one after a successful update to arrive. */
export const CONFIRM_MS = 2 * 3_600_000;
const DAY_MS = 86_400_000;

const isAgeRule = (rule: CompiledRule | undefined): rule is AntivirusRule => rule?.kind === 'antivirus' && rule.check === 'definitions_old';

/** The signature age (ms) past which a ticket may open for the host (decision 1), or null when nothing would ticket it. */
export function ticketAgeMs(rules: RuleSet, tenant: string, host: string): number | null {
  const ages = rules
    .rulesFor(tenant, host)
    .filter(isAgeRule)
    .map((r) => r.maxAgeDays * DAY_MS);
  const compliance = rules.terms(tenant).compliance ?? DEFAULT_THRESHOLDS;
  if (compliance.tickets.enabled && !compliance.disabled.includes('antivirus')) ages.push(compliance.avMaxSignatureAgeMs);
  return ages.length > 0 ? Math.min(...ages) : null;
}

/** Whether a new attempt may be made now (decision 4). */
export const mayAttempt = (last: AvActionRequest | null, now: number): boolean => last === null || now - last.askedAt >= ATTEMPT_EVERY_MS;

const fresh = (r: AvActionRequest, maxAgeMs: number): boolean =>
  r.signatureUpdated !== null && r.answeredAt !== null && r.answeredAt - r.signatureUpdated <= maxAgeMs;

/** Until when the attempt holds the ticket (decision 3), or null. `runSince`: the newest antivirus run's time. */
export function holdUntil(r: AvActionRequest, maxAgeMs: number, runSince: number | null, now: number): number | null {
  const until =
    r.status === 'queued'
      ? r.deliverBy
      : r.status === 'sent'
        ? r.answerBy
        : r.status === 'succeeded' && fresh(r, maxAgeMs) && (runSince === null || runSince <= r.answeredAt!)
          ? r.answeredAt! + CONFIRM_MS
          : null;
  return until !== null && now < until ? until : null;
}

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const minutes = (ms: number) => `${Math.round(ms / 60_000)}m`;
const hex = (code: number) => `0x${(code >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

/** What was tried, for the ticket's opening event. */
export function attemptNote(r: AvActionRequest, maxAgeMs: number, now: number): string {
  const what = `an automatic Defender signature update (${r.id}) asked at ${when(r.askedAt)}`;
  switch (r.status) {
    case 'queued':
    case 'expired':
      return `${what} could not be delivered: the host was not connected`;
    case 'sent':
    case 'unanswered':
      return `${what} got no answer within ${minutes((r.answerBy ?? now) - (r.sentAt ?? r.askedAt))}`;
    case 'failed':
      return `${what} failed${r.code !== null ? ` (${hex(r.code)})` : ''}${r.detail ? `: ${r.detail}` : ''}`;
    case 'succeeded': {
      const sigs =
        r.signatureUpdated !== null
          ? `signatures of ${when(r.signatureUpdated)}${r.signatureVersion ? `, ${r.signatureVersion}` : ''}`
          : 'signature time unknown';
      return fresh(r, maxAgeMs)
        ? `${what} succeeded (${sigs}), but the antivirus run after it did not show them current`
        : `${what} succeeded, but the definitions are still old (${sigs})`;
    }
  }
}

/** The alert engine's hold source for the definitions_old rules (decisions 2, 3). */
export function beforeTicketHolds(store: Store, rules: () => RuleSet): HoldSource {
  /** The attempt that bears on this target, with the rule's limit; null when the rule is not a definitions_old one. */
  const attempt = (target: HoldTarget, at: number): { r: AvActionRequest; maxAgeMs: number } | null => {
    if (target.agentId === undefined) return null;
    const rule = rules().rule(target.tenant, target.host, target.ruleId);
    if (!isAgeRule(rule)) return null;
    const r = store.avActions.latest(target.agentId, 'definitions_age');
    if (!r || at - r.askedAt >= ATTEMPT_EVERY_MS) return null;
    return { r, maxAgeMs: rule.maxAgeDays * DAY_MS };
  };
  return {
    at(target, at) {
      const found = attempt(target, at);
      if (!found) return null;
      const run = store.avActions.defender(target.agentId!);
      const until = holdUntil(found.r, found.maxAgeMs, run?.seenAt ?? null, at);
      return until === null
        ? null
        : { kind: 'antivirus_update', id: found.r.id, until, reason: 'Defender signature update asked before ticketing old definitions' };
    },
    releaseNote(target, at) {
      const found = attempt(target, at);
      return found ? attemptNote(found.r, found.maxAgeMs, at) : null;
    },
  };
}
