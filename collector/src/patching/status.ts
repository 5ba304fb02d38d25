// Where each update stands on each host of a tenant, as the API, the CLI, the patch_status gauge and the monthly
// report show it. One row per (update, host):
//   pending    waiting: for a person (not in an auto-approved class) or for its ring's deferral (auto_after)
//   approved   by a person or automatically; installed in the host's next window
//   declined   by a person, or excluded by the policy (excluded_by names the glob)
//   installed  the agent installed it (or found nothing to install) and has not listed it since; shown for
//              INSTALLED_SHOWN_MS after the install
//   failed     the agent's latest attempt failed or could not start; retried in the next window while approved
import type { RuleSet } from '../alerting/rules/rules-file.js';
import type { PatchDecision, PatchResult, PendingPatch, Store } from '../store/index.js';
import { approvalOf, decisionFor, doneSinceListed, itemKey, latestResults, type Approval } from './approval.js';
import { hostContext } from './planner.js';

export const PATCH_STATES = ['pending', 'approved', 'declined', 'installed', 'failed'] as const;
export type PatchState = (typeof PATCH_STATES)[number];
/** Installed updates stay in the list (and the gauge's installed count) this long. */
export const INSTALLED_SHOWN_MS = 30 * 24 * 3_600_000;

export interface PatchStatusRow {
  update: PendingPatch;
  ring: string;
  state: PatchState;
  approval: Approval;
  lastResult: PatchResult | null;
}

export interface PatchDecisionView {
  decision: PatchDecision['decision'];
  by: string;
  at: number;
  reason: string;
  ring: string | null;
}

const stateOf = (a: Approval, update: PendingPatch, result: PatchResult | undefined, now: number): PatchState | null => {
  if (doneSinceListed(update, result) && result!.outcome === 'installed') return now - result!.at <= INSTALLED_SHOWN_MS ? 'installed' : null;
  // Gone without an install of ours: installed by someone else or superseded; nothing to show.
  if (update.goneAt !== null) return null;
  if (a.state === 'excluded' || a.state === 'declined') return 'declined';
  if (result && (result.outcome === 'failed' || result.outcome === 'not_started') && result.at >= update.firstSeen) return 'failed';
  return a.state === 'approved' ? 'approved' : 'pending';
};

/**
 * The tenant's rows (one host with agentId), judged at `now`; empty when the tenant has no patch policy. Hosts
 * ordered by name, their updates as the planner would take them (oldest first).
 */
export function patchStatus(store: Store, rules: RuleSet, tenant: string, now: number, agentId?: string): PatchStatusRow[] {
  if (!rules.terms(tenant).patches) return [];
  const decisions = store.patches.decisions(tenant);
  const byAgent = new Map<string, PendingPatch[]>();
  for (const u of store.patches.pending({ tenant, ...(agentId ? { agentId } : {}), includeGone: true }))
    byAgent.set(u.agentId, [...(byAgent.get(u.agentId) ?? []), u]);
  const rows: PatchStatusRow[] = [];
  for (const [id, updates] of byAgent) {
    const agent = store.agents.get(id);
    if (!agent || agent.revokedAt !== null) continue;
    const ctx = hostContext(store, rules, agent)!;
    const latest = latestResults(store.patches.resultsOf(id));
    for (const update of updates) {
      const ring = ctx.settings.ring;
      const approval = approvalOf(ctx.policy, ring, update, decisionFor(decisions, update.key, ring.name), now);
      const result = latest.get(itemKey(update.manager, update.installId));
      const state = stateOf(approval, update, result, now);
      if (state) rows.push({ update: { ...update, host: agent.hostname }, ring: ring.name, state, approval, lastResult: result ?? null });
    }
  }
  return rows.sort(
    (a, b) => a.update.host.localeCompare(b.update.host) || a.update.tenantFirstSeen - b.update.tenantFirstSeen || a.update.key.localeCompare(b.update.key),
  );
}

export interface RingCounts {
  ring: string;
  approved: number;
  installed: number;
  failed: number;
  pending: number;
  declined: number;
}

/** Counts per ring, in the policy's ring order (rings without hosts count zero). */
export function ringSummary(rules: RuleSet, tenant: string, rows: readonly PatchStatusRow[]): RingCounts[] {
  const rings = rules.terms(tenant).patches?.rings.map((r) => r.name) ?? [];
  const out = new Map<string, RingCounts>(rings.map((ring) => [ring, { ring, approved: 0, installed: 0, failed: 0, pending: 0, declined: 0 }]));
  for (const r of rows) {
    const c = out.get(r.ring) ?? { ring: r.ring, approved: 0, installed: 0, failed: 0, pending: 0, declined: 0 };
    c[r.state]++;
    out.set(r.ring, c);
  }
  return [...out.values()];
}

/** The person's decision behind a row, or null for automatic approvals, exclusions and updates waiting. */
export function decisionView(a: Approval): PatchDecisionView | null {
  if (a.state !== 'approved' && a.state !== 'declined') return null;
  if (!('decision' in a)) return null;
  const d = a.decision;
  return { decision: d.decision, by: d.createdBy, at: d.createdAt, reason: d.reason, ring: d.ring };
}
