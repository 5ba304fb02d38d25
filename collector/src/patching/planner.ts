// The planner: which approved updates an agent installs in which window. Reads the tenant's policy (rules file), the
// host's entry (ring, window, reboot), the updates the agent lists pending, people's decisions and the results the
// agent reported, all at call time: an approval, a reload of the rules file or a new patches run changes the next
// answer with no cache to invalidate.
//
// planFor(agent, now):
//  1. the window: the one open now, else the next if it starts within LEAD_MS (the agent holds the plan and waits);
//     else, with catch_up, a window of the policy's duration from the agent's reconnection when it was offline for the
//     whole of its last window (never connected during it); else none;
//  2. the items: the agent's pending updates approved for its ring (approval.ts; automatic approvals judged at the
//     window's start, so a plan does not grow while its window is open), minus those installed since last listed and
//     those the agent already reported on in this window (a failure is retried in the next window, not in a loop);
//  3. security and critical updates first, then the oldest in the tenant, at most max_items;
//  4. the plan id is a hash of (agent, window, items): the same plan re-sent after a reconnect keeps its id.
import { createHash } from 'node:crypto';
import { roleOf } from '../alerting/host-facts.js';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import type { Store } from '../store/index.js';
import { approvalOf, decisionFor, doneSinceListed, isApproved, itemKey, latestResults } from './approval.js';
import type { PatchPlanner, PlanAgent, PlanItem, PlanOffer } from './contract.js';
import { hostPatchSettings, type HostPatchSettings, type PatchPolicy } from './policy.js';
import { lastEndedWindow, nextWindow, openWindow, type Window } from './window.js';

/** A plan reaches the agent this long before its window opens (the agent waits for the start). */
export const LEAD_MS = 15 * 60_000;

export interface PlannerDeps {
  store: Store;
  rules: () => RuleSet;
}

export interface HostPlanContext {
  policy: PatchPolicy;
  settings: HostPatchSettings;
}

/** The agent's policy and host settings, or null when its tenant has no patch policy. */
export function hostContext(store: Store, rules: RuleSet, agent: PlanAgent): HostPlanContext | null {
  const policy = rules.terms(agent.tenant).patches;
  if (!policy) return null;
  const entry = rules.hostSettings(agent.tenant, agent.hostname);
  const role = roleOf(entry, store.osIdentities.get(agent.id)?.identity ?? null, store.agents.get(agent.id)?.os ?? '');
  return { policy, settings: hostPatchSettings(policy, entry, role) };
}

/** The window a plan is for at `now` (rule 1), or null. */
export function planWindow(store: Store, agentId: string, ctx: HostPlanContext, now: number): Window | null {
  const spec = ctx.settings.window;
  const open = openWindow(spec, now);
  if (open) return open;
  const next = nextWindow(spec, now);
  if (next && next.start - now <= LEAD_MS) return next;
  return ctx.policy.catchUp ? catchUpWindow(store, agentId, spec.durationMs, lastEndedWindow(spec, now), now) : null;
}

/** From the first reconnection after a window the agent missed whole, for `durationMs`; null when it is over or nothing was missed. */
function catchUpWindow(store: Store, agentId: string, durationMs: number, missed: Window | null, now: number): Window | null {
  if (!missed) return null;
  // Connections recorded only since historyStart: before it, "never connected" cannot be told from "not recorded".
  const since = store.sessions.historyStart();
  if (since === null || since > missed.start) return null;
  if (store.sessions.overlapping(agentId, missed.start, missed.end).length > 0) return null;
  const back = store.sessions.overlapping(agentId, missed.end, now + 1)[0];
  if (!back) return null;
  const w = { start: back.connectedAt, end: back.connectedAt + durationMs };
  return now < w.end ? w : null;
}

/** The plan's items for `window` (rules 2 and 3). */
export function planItems(store: Store, agent: PlanAgent, ctx: HostPlanContext, window: Window): PlanItem[] {
  const { policy, settings } = ctx;
  const decisions = store.patches.decisions(agent.tenant);
  const results = store.patches.resultsOf(agent.id);
  const latest = latestResults(results);
  const planIds = new Set(store.patches.plansOf(agent.id, window.start).flatMap((p) => (p.windowStart === window.start ? [p.planId] : [])));
  const reportedNow = new Set(results.filter((r) => planIds.has(r.planId)).map((r) => itemKey(r.manager, r.installId)));
  return store.patches
    .pending({ tenant: agent.tenant, agentId: agent.id })
    .filter((u) => {
      const k = itemKey(u.manager, u.installId);
      if (reportedNow.has(k) || doneSinceListed(u, latest.get(k))) return false;
      return isApproved(approvalOf(policy, settings.ring, u, decisionFor(decisions, u.key, settings.ring.name), window.start));
    })
    .sort((a, b) => Number(b.security || b.critical) - Number(a.security || a.critical) || a.tenantFirstSeen - b.tenantFirstSeen || a.key.localeCompare(b.key))
    .slice(0, policy.maxItems)
    .map((u) => ({ id: u.installId, manager: u.manager, title: u.title.slice(0, 300) }));
}

/** Stable for (agent, window, items): the order of the items does not matter. */
export function planIdOf(agentId: string, window: Window, items: readonly PlanItem[]): string {
  const h = createHash('sha256').update(`${agentId}\u0000${window.start}\u0000${window.end}`);
  for (const i of [...items].map((i) => itemKey(i.manager, i.id)).sort()) h.update(`\u0000${i}`);
  return `pl_${h.digest('hex').slice(0, 32)}`;
}

export function createPatchPlanner(deps: PlannerDeps): PatchPlanner {
  const { store } = deps;
  return {
    planFor(agent, now) {
      const ctx = hostContext(store, deps.rules(), agent);
      if (!ctx) return null;
      const window = planWindow(store, agent.id, ctx, now);
      if (!window) return null;
      const items = planItems(store, agent, ctx, window);
      if (items.length === 0) return null;
      return { planId: planIdOf(agent.id, window, items), windowStart: window.start, windowEnd: window.end, reboot: ctx.settings.reboot, items };
    },
    offered(agentId, plan: PlanOffer, at) {
      const agent = store.agents.get(agentId);
      if (!agent) return;
      const ctx = hostContext(store, deps.rules(), agent);
      const { windowStart, windowEnd, items, planId } = plan;
      store.patches.putPlan(
        { planId, agentId, tenant: agent.tenant, host: agent.hostname, ring: ctx?.settings.ring.name ?? '', windowStart, windowEnd, items },
        at,
      );
    },
    nextChange(now) {
      const rules = deps.rules();
      let next = Infinity;
      const seen = new Set<string>();
      const tenants = new Set<string>();
      for (const agent of store.agents.list()) {
        if (agent.revokedAt !== null || !rules.terms(agent.tenant).patches) continue;
        tenants.add(agent.tenant);
        const ctx = hostContext(store, rules, agent);
        const spec = ctx!.settings.window;
        const key = `${spec.timezone}\u0000${spec.cron}\u0000${spec.durationMs}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const open = openWindow(spec, now);
        if (open) next = Math.min(next, open.end);
        const upcoming = nextWindow(spec, now);
        if (upcoming) next = Math.min(next, upcoming.start - LEAD_MS > now ? upcoming.start - LEAD_MS : upcoming.end);
      }
      // Catch-up windows exist only as the plans offered for them: they change when they end.
      for (const tenant of tenants)
        for (const p of store.patches.plansIn(tenant, now, Number.MAX_SAFE_INTEGER)) if (p.windowEnd > now) next = Math.min(next, p.windowEnd);
      return Number.isFinite(next) ? next : null;
    },
  };
}
