// A plan and an antivirus action as they travel on the agent link (proto/watchpost.proto PatchPlan, AvAction): the
// mapping from the planner's PlanOffer, and the bounds the agent holds them to, checked here first so that a plan the
// agent would refuse whole is never sent (nor recorded as offered). Pure.
import type { watchpost } from '../../../proto/index.js';
import type { AvActionKind, PlanOffer } from './contract.js';

/** The most items an agent accepts in one plan (agent/src/patching/plan.ts MAX_PLAN_ITEMS). */
export const MAX_WIRE_PLAN_ITEMS = 500;
/** An encoded plan stays far below the agent's frame limit (4 MiB): 500 items of the longest id and title are ~250 KiB. */
export const MAX_WIRE_PLAN_BYTES = 1024 * 1024;
/** The features an agent lists in its Hello when it handles these messages. */
export const PLAN_FEATURE = 'patch_plan';
export const AV_ACTION_FEATURE = 'av_action';
const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const AV_ACTIONS: readonly AvActionKind[] = ['signature_update', 'quick_scan'];

/** The wire form of a plan, or why it may not be sent (more items than the agent accepts). */
export function planToWire(plan: PlanOffer): { plan: watchpost.v1.IPatchPlan } | { refused: string } {
  if (plan.items.length > MAX_WIRE_PLAN_ITEMS) return { refused: `${plan.items.length} items; an agent accepts at most ${MAX_WIRE_PLAN_ITEMS}` };
  const reboot =
    plan.reboot.mode === 'warn' ? { mode: 'warn', warnMinutes: plan.reboot.warnMinutes, message: plan.reboot.message } : { mode: plan.reboot.mode };
  return {
    plan: {
      planId: plan.planId,
      windowStartMs: plan.windowStart,
      windowEndMs: plan.windowEnd,
      reboot,
      items: plan.items.map(({ id, manager, title }) => ({ id, manager, title })),
    },
  };
}

/** The message that withdraws whatever plan the agent holds and has not started (no plan for it now). */
export const NO_PLAN: watchpost.v1.IPatchPlan = { planId: '' };

/** The wire action; throws on an action or request id the agent would not take (a caller's bug, not the agent's). */
export function avActionToWire(action: AvActionKind, requestId: string): watchpost.v1.IAvAction {
  if (!AV_ACTIONS.includes(action)) throw new Error(`antivirus action: expected ${AV_ACTIONS.join(' or ')}; got ${String(action)}`);
  if (!REQUEST_ID.test(requestId)) throw new Error('antivirus action: request id must be 1-64 characters of A-Z a-z 0-9 _ . : -');
  return { requestId, action };
}
