// Whether one pending update may be installed on hosts of one ring, and why: the one rule the planner, the API, the
// CLI, the dashboard gauge and the report share. Pure.
//
// In this order, the first that applies decides:
//  1. an exclusion glob of the policy matches a name of the update: never installed;
//  2. the latest decision of a person that applies to the ring (one for the ring, or one for every ring) declines it;
//  3. ... approves it: installed in the next window, whatever its deferral;
//  4. it falls in an auto-approved class: approved once its ring's deferral has passed since the tenant first saw it;
//  5. otherwise it waits for a person.
// A later decision replaces an earlier one (approving a declined update lifts the decline), so the history is kept
// but only the latest counts.
import type { PatchDecision, PatchResult, PendingPatch } from '../store/index.js';
import { autoClass, excludedBy, type PatchPolicy, type Ring } from './policy.js';

export type Approval =
  | { state: 'excluded'; glob: string }
  | { state: 'declined'; decision: PatchDecision }
  | { state: 'approved'; decision: PatchDecision }
  | { state: 'approved'; auto: true; since: number }
  | { state: 'deferred'; until: number }
  | { state: 'needs_approval' };

/** The latest of the tenant's decisions on `key` that applies to `ring` (decisions oldest first). */
export function decisionFor(decisions: readonly PatchDecision[], key: string, ring: string): PatchDecision | null {
  let found: PatchDecision | null = null;
  for (const d of decisions) if (d.updateKey === key && (d.ring === null || d.ring === ring)) found = d;
  return found;
}

/** The approval of `update` for hosts of `ring`, with automatic approvals judged at `at`. */
export function approvalOf(policy: PatchPolicy, ring: Ring, update: PendingPatch, decision: PatchDecision | null, at: number): Approval {
  const glob = excludedBy(policy, update);
  if (glob !== null) return { state: 'excluded', glob };
  if (decision?.decision === 'decline') return { state: 'declined', decision };
  if (decision?.decision === 'approve') return { state: 'approved', decision };
  if (!autoClass(policy, update)) return { state: 'needs_approval' };
  const since = update.tenantFirstSeen + ring.deferralMs;
  return at >= since ? { state: 'approved', auto: true, since } : { state: 'deferred', until: since };
}

export const isApproved = (a: Approval): boolean => a.state === 'approved';

/** The agent's latest result per item (manager + install id), from its results newest first. */
export function latestResults(results: readonly PatchResult[]): Map<string, PatchResult> {
  const out = new Map<string, PatchResult>();
  for (const r of results) {
    const k = itemKey(r.manager, r.installId);
    if (!out.has(k)) out.set(k, r);
  }
  return out;
}

export const itemKey = (manager: string, installId: string): string => `${manager}\u0000${installId}`;

/**
 * Installed (or found to be nothing to install) since the agent last listed it: not offered again until a later
 * patches run lists it again (a new version of the package, an install that did not hold).
 */
export const doneSinceListed = (update: PendingPatch, result: PatchResult | undefined): boolean =>
  result !== undefined && (result.outcome === 'installed' || result.outcome === 'not_applicable') && result.at >= update.lastSeen;
