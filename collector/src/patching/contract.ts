// patching/: patch management on the collector's side. The tenant's patch policy (terms.patches in the rules file)
// and people's approvals and declines decide which of the updates an agent reported pending it may install, for which
// ring and in which window; the link delivers that as a plan (data only) to the authenticated agent, which installs
// exactly it inside the window (agent/src/patching/) and reports patch_run and patch_result points.
//
// The contract between the parts: the planner (policy, approvals, windows), the link that delivers plans and
// antivirus actions, and the antivirus policy that asks for actions. Types only.

/** The package tool an item belongs to (the agent refuses an item of a tool its machine does not use). */
export type PatchManager = 'apt' | 'dnf' | 'yum' | 'zypper' | 'wua' | 'softwareupdate';

/** What the agent may do after the installs (as the agent's own plan type, agent/src/patching/plan.ts, on the wire). */
export type RebootPolicy = { mode: 'never' } | { mode: 'if_required' } | { mode: 'warn'; warnMinutes: number; message: string };

/** One approved update as the agent receives it (agent/src/patching/plan.ts PatchItem). */
export interface PlanItem {
  /** What the tool installs by: package, advisory or patch name, WUA UpdateID or KB, softwareupdate label. */
  id: string;
  manager: PatchManager;
  title: string;
}

/** A plan as sent to one agent for one window (the agent validates it again: agent/src/patching/plan.ts). */
export interface PlanOffer {
  /** Stable for (agent, window): the same plan re-sent after a reconnect has the same id; a changed item list gets a new one. */
  planId: string;
  windowStart: number;
  windowEnd: number;
  reboot: RebootPolicy;
  items: PlanItem[];
}

export interface PlanAgent {
  id: string;
  tenant: string;
  hostname: string;
}

export interface PatchPlanner {
  /**
   * The plan this agent should hold now: for the window open now, or the next one that starts within the lead time,
   * with what is approved for its ring at that window's start. Null when the tenant has no patch policy, nothing is
   * approved for it, or its window passed while it was away and the policy does not catch up.
   */
  planFor(agent: PlanAgent, now: number): PlanOffer | null;
  /** The link sent `plan` to the agent (recorded, so the API can show it offered). */
  offered(agentId: string, plan: PlanOffer, at: number): void;
  /** The earliest moment after `now` at which some agent's plan may change by time alone (a window's start or lead time). */
  nextChange(now: number): number | null;
}

/** The two antivirus actions the agent can run (agent/src/patching/windows/defender.ts): Defender only. */
export type AvActionKind = 'signature_update' | 'quick_scan';

export interface AgentActions {
  /** Sends the action to the agent's live link; false when it is not connected (the caller retries later). */
  sendAvAction(agentId: string, action: AvActionKind, requestId: string): boolean;
  /** Pushes the agent's current plan again now (approvals changed, a window opened). */
  refreshPlan(agentId: string): void;
}
