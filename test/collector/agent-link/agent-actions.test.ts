// The collector's sender of plans and Defender actions (agent-link/agent-actions.ts): what goes to which session and
// when, against a planner that answers from a table (the PatchPlanner contract) and sessions that record their frames.
import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { createAgentActions, MAX_WAIT_MS } from '../../../collector/src/agent-link/agent-actions.js';
import type { AgentSession } from '../../../collector/src/agent-link/agent-session.js';
import type { PatchPlanner, PlanOffer } from '../../../collector/src/patching/contract.js';
import type { watchpost } from '../../../proto/index.js';

const T0 = Date.UTC(2026, 2, 7, 1, 50);
const log = pino({ level: 'silent' });

function session(id: string, features: string[] = ['patch_plan', 'av_action']) {
  const sent: watchpost.v1.IEnvelope[] = [];
  const s = {
    agent: { id, tenant: 't', hostname: `h-${id}`, lastAckedSeq: 0 },
    features: new Set(features),
    send: (m: watchpost.v1.IEnvelope) => sent.push(m),
  };
  return { s: s as unknown as AgentSession, sent };
}

const plan = (planId: string, items = 1): PlanOffer => ({
  planId,
  windowStart: T0 + 600_000,
  windowEnd: T0 + 4 * 3_600_000,
  reboot: { mode: 'warn', warnMinutes: 15, message: 'Restarting soon' },
  items: Array.from({ length: items }, (_, i) => ({ id: `pkg${i}`, manager: 'apt' as const, title: `pkg${i} 1.2` })),
});

function planner(answers: Map<string, PlanOffer | null>, next: number | null = null) {
  const offered: [string, string][] = [];
  const p: PatchPlanner = {
    planFor: (agent) => answers.get(agent.id) ?? null,
    offered: (agentId, offer) => offered.push([agentId, offer.planId]),
    nextChange: () => next,
  };
  return { p, offered };
}

afterEach(() => vi.useRealTimers());

describe('agent actions over the link', () => {
  it('sends the plan after Welcome, again only when it changes, records each offer; no plan is the empty plan', () => {
    const answers = new Map<string, PlanOffer | null>([['a1', plan('pl_1')]]);
    const { p, offered } = planner(answers);
    const a = session('a1');
    const link = createAgentActions({ sessions: () => new Map([['a1', a.s]]), planner: () => p, log, now: () => T0 });
    link.welcomed(a.s);
    link.refreshPlan('a1');
    expect(a.sent).toEqual([
      {
        patchPlan: {
          planId: 'pl_1',
          windowStartMs: T0 + 600_000,
          windowEndMs: T0 + 4 * 3_600_000,
          reboot: { mode: 'warn', warnMinutes: 15, message: 'Restarting soon' },
          items: [{ id: 'pkg0', manager: 'apt', title: 'pkg0 1.2' }],
        },
      },
    ]);
    answers.set('a1', plan('pl_2', 2));
    link.refreshPlan('a1');
    answers.set('a1', null);
    link.refreshPlan('a1');
    link.refreshPlan('a1');
    expect(a.sent.map((m) => m.patchPlan?.planId)).toEqual(['pl_1', 'pl_2', '']);
    expect(offered).toEqual([
      ['a1', 'pl_1'],
      ['a1', 'pl_2'],
    ]);
  });

  it('an agent that does not list the features gets neither message; sendAvAction says so', () => {
    const { p, offered } = planner(new Map([['old', plan('pl_1')]]));
    const old = session('old', []);
    const link = createAgentActions({ sessions: () => new Map([['old', old.s]]), planner: () => p, log });
    link.welcomed(old.s);
    expect(link.sendAvAction('old', 'quick_scan', 'av-1')).toBe(false);
    expect(link.sendAvAction('gone', 'quick_scan', 'av-1')).toBe(false);
    expect(old.sent).toEqual([]);
    expect(offered).toEqual([]);
  });

  it('refuses a plan above the 500 items an agent accepts (nothing sent, nothing offered)', () => {
    const { p, offered } = planner(new Map([['a1', plan('pl_big', 501)]]));
    const a = session('a1');
    const link = createAgentActions({ sessions: () => new Map([['a1', a.s]]), planner: () => p, log });
    link.welcomed(a.s);
    expect(a.sent).toEqual([]);
    expect(offered).toEqual([]);
  });

  it('sends an antivirus action to a live agent with its request id; refuses a malformed one', () => {
    const a = session('a1');
    const link = createAgentActions({ sessions: () => new Map([['a1', a.s]]), planner: () => null, log });
    expect(link.sendAvAction('a1', 'signature_update', 'av-Xy_9')).toBe(true);
    expect(a.sent).toEqual([{ avAction: { requestId: 'av-Xy_9', action: 'signature_update' } }]);
    expect(() => link.sendAvAction('a1', 'signature_update', 'no spaces')).toThrow(/request id/);
  });

  it('one timer for all sessions fires at nextChange (at most MAX_WAIT_MS ahead)', () => {
    vi.useFakeTimers({ now: T0 });
    const answers = new Map<string, PlanOffer | null>();
    const { p } = planner(answers, T0 + 60_000);
    const [a, b] = [session('a1'), session('b2')];
    const link = createAgentActions({
      sessions: () =>
        new Map([
          ['a1', a.s],
          ['b2', b.s],
        ]),
      planner: () => p,
      log,
    });
    link.start();
    answers.set('a1', plan('pl_a'));
    answers.set('b2', plan('pl_b'));
    vi.advanceTimersByTime(59_999);
    expect(a.sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect([a.sent[0]?.patchPlan?.planId, b.sent[0]?.patchPlan?.planId]).toEqual(['pl_a', 'pl_b']);
    expect(vi.getTimerCount()).toBe(1);
    link.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(MAX_WAIT_MS).toBeLessThanOrEqual(3_600_000);
  });
});
