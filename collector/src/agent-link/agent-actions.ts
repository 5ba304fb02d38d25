// What the collector asks of a connected agent beyond its probes: the plan of approved updates it should hold (from
// the patch planner, patching/contract.ts) and Defender's two actions. Implements AgentActions over the live sessions.
//
// Only an authenticated agent ever gets a plan: a session exists only after the upgrade's credential was checked and
// the agent's Hello accepted (agent-socket.ts), and plans go to sessions alone, never to a request or an address.
//
// When a plan is sent:
//  1. right after Welcome (welcomed()), so a reconnecting or restarted agent learns its plan at once;
//  2. when refreshPlan(agentId) is called (approvals or the policy changed);
//  3. at the planner's nextChange() (a window's start or lead time): ONE timer for all connected agents, re-armed after
//     each round and at most MAX_WAIT_MS ahead, so a policy reloaded meanwhile is seen within that long.
// Each time, the plan is sent only when it differs from the last one sent on that session (a new session starts with
// none), and offered() is recorded. No plan for an agent that held one is sent as the empty plan (plan_id ''): the
// agent drops a plan it has not started. Agents whose Hello does not list the feature are never sent either message
// (an older agent would ignore them, and the API would show a plan offered that no one can run).
import type { FastifyBaseLogger } from 'fastify';
import type { AgentActions, AvActionKind, PatchPlanner, PlanOffer } from '../patching/contract.js';
import { AV_ACTION_FEATURE, avActionToWire, MAX_WIRE_PLAN_BYTES, NO_PLAN, PLAN_FEATURE, planToWire } from '../patching/link.js';
import { wire } from '../../../proto/index.js';
import type { AgentSession } from './agent-session.js';

/** The longest the plan timer waits, whatever nextChange() says (it may change when the policy is reloaded). */
export const MAX_WAIT_MS = 15 * 60_000;
const NONE = 'none';

export interface AgentActionsDeps {
  /** The live sessions by agent id (AgentHub.sessions). */
  sessions(): ReadonlyMap<string, AgentSession>;
  /** The planner in force; null: no patch management here (nothing is sent). */
  planner(): PatchPlanner | null;
  log: FastifyBaseLogger;
  now?: () => number;
}

export interface AgentActionsLink extends AgentActions {
  /** A session's Welcome went out: send it its current plan. */
  welcomed(session: AgentSession): void;
  /** Arms the plan timer (after the server is ready). */
  start(): void;
  stop(): void;
}

export function createAgentActions(deps: AgentActionsDeps): AgentActionsLink {
  const now = deps.now ?? Date.now;
  /** What was last sent on each session: the plan's JSON, NONE for the empty plan; absent: nothing yet. */
  const lastSent = new WeakMap<AgentSession, string>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  const sendPlan = (session: AgentSession): void => {
    const planner = deps.planner();
    if (!planner || !session.features.has(PLAN_FEATURE)) return;
    const { id, tenant, hostname } = session.agent;
    const at = now();
    const plan = planner.planFor({ id, tenant, hostname }, at);
    const key = plan ? JSON.stringify(plan) : NONE;
    if (lastSent.get(session) === key) return;
    if (!plan) {
      session.send({ patchPlan: NO_PLAN });
      lastSent.set(session, key);
      return;
    }
    if (!sendOne(session, plan)) return;
    lastSent.set(session, key);
    planner.offered(id, plan, at);
  };

  const sendOne = (session: AgentSession, plan: PlanOffer): boolean => {
    const mapped = planToWire(plan);
    const log = deps.log.child({ agentId: session.agent.id, planId: plan.planId });
    if ('refused' in mapped) {
      log.error(`patch plan not sent: ${mapped.refused}`);
      return false;
    }
    const bytes = wire.Envelope.encode({ patchPlan: mapped.plan }).finish();
    if (bytes.byteLength > MAX_WIRE_PLAN_BYTES) {
      log.error(`patch plan not sent: ${bytes.byteLength} bytes, above ${MAX_WIRE_PLAN_BYTES}`);
      return false;
    }
    session.send({ patchPlan: mapped.plan });
    log.info({ items: plan.items.length, windowStart: new Date(plan.windowStart).toISOString() }, 'patch plan sent');
    return true;
  };

  const guarded = (session: AgentSession): void => {
    try {
      sendPlan(session);
    } catch (error) {
      deps.log.error({ agentId: session.agent.id, err: error }, 'patch plan: the planner failed; nothing sent');
    }
  };

  const arm = (): void => {
    clearTimeout(timer);
    if (!running) return;
    let next: number | null = null;
    try {
      next = deps.planner()?.nextChange(now()) ?? null;
    } catch (error) {
      deps.log.error({ err: error }, 'patch plan: the planner failed to tell its next change');
    }
    const wait = next === null ? MAX_WAIT_MS : Math.min(Math.max(0, next - now()), MAX_WAIT_MS);
    timer = setTimeout(round, wait).unref();
  };

  function round(): void {
    for (const session of deps.sessions().values()) guarded(session);
    arm();
  }

  return {
    welcomed: guarded,
    refreshPlan(agentId) {
      const session = deps.sessions().get(agentId);
      if (session) guarded(session);
    },
    sendAvAction(agentId: string, action: AvActionKind, requestId: string): boolean {
      const message = avActionToWire(action, requestId);
      const session = deps.sessions().get(agentId);
      if (!session || !session.features.has(AV_ACTION_FEATURE)) return false;
      session.send({ avAction: message });
      deps.log.info({ agentId, action, requestId }, 'antivirus action sent');
      return true;
    },
    start() {
      running = true;
      arm();
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}
