// antivirus/: Microsoft Defender actions on the collector's side. The tenant's policy (terms.antivirus, policy.ts)
// schedules Defender's signature update and quick scan; people ask for them at the API or the CLI; and old
// definitions get an update attempt before their ticket (before-ticket.ts). Every request is a row of
// store.avActions; the agent runs the action (agent/src/patching/windows/defender.ts) and reports an `av_action` point
// carrying the request id, which completes the row. Third-party antivirus products are reported, never driven.
//
// Contract: observe() is called with every batch an agent sends, BEFORE the alert engine's observe (an update attempt
// started from a batch must already hold the ticket that batch would open); it never throws into the batch path.
// tick() is called every AV_TICK_MS by the owner (app.ts), and by tests with an injected clock.
//
// Decision (scheduled actions for a host that is offline at the due time): the request is made when the host is
// connected at a tick within half the schedule's interval after the due time (a 6-hourly update: 3 h; a weekly scan:
// 3.5 days), like Defender's own catch-up scan, and is recorded as asked at the due time. Later, it is skipped: the
// next occurrence is nearer. Hosts that stay away leave no rows behind.
import type { FastifyInstance } from 'fastify';
import type { watchpost } from '../../../proto/index.js';
import type { AgentIdentity } from '../alerting/host-facts.js';
import type { HoldSource } from '../alerting/holds.js';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { toRuleSamples } from '../alerting/samples.js';
import type { AgentActions, AvActionKind } from '../patching/contract.js';
import type { Agent, AvActionRequest, NewAvAction, Store } from '../store/index.js';
import { beforeTicketHolds, mayAttempt, ticketAgeMs } from './before-ticket.js';
import { actionResult, drivable, newestRun } from './defender.js';
import { occurrenceAt } from './policy.js';
import { queuePersonRequest, type PersonRequest } from './requests.js';

/** How often the schedules are looked at and queued requests delivered. */
export const AV_TICK_MS = 60_000;
/** A definitions-age request waits this long for its host (it was connected a moment ago). */
export const RULE_DELIVERY_MS = 15 * 60_000;
/** The agent's bound per action (10 and 60 minutes, defender.ts) plus 10 minutes for the link and the batch. */
export const ANSWER_MS: Readonly<Record<AvActionKind, number>> = { signature_update: 20 * 60_000, quick_scan: 70 * 60_000 };
const DAY_MS = 86_400_000;

export interface AntivirusLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AntivirusDeps {
  store: Store;
  rules: () => RuleSet;
  /** The link's sender (read at each use: it may be wired after this manager). */
  actions: () => AgentActions;
  /** Whether the agent has a live link now. */
  connected: (agentId: string) => boolean;
  log: AntivirusLog;
  now?: () => number;
}

export interface AntivirusManager {
  observe(agent: Pick<AgentIdentity, 'id' | 'tenant' | 'hostname'>, samples: readonly watchpost.v1.ISample[]): void;
  tick(): void;
  /** A person's request at the API: recorded and sent now. Throws AvRequestError (unknown host, not Defender, not connected). */
  ask(req: PersonRequest): AvActionRequest;
  /** For the alert engine (EngineDeps.holdSource). */
  holds: HoldSource;
}

const READ: ReadonlySet<string> = new Set(['antivirus', 'av_action']);

export function createAntivirusManager(deps: AntivirusDeps): AntivirusManager {
  const { store, log } = deps;
  const now = deps.now ?? Date.now;
  const guard = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      log.error({ err: (error as Error).message, stack: (error as Error).stack }, `antivirus: ${what} failed`);
    }
  };

  /** Sends a queued request when its agent is connected; true when sent. */
  const deliver = (r: AvActionRequest, t: number): boolean => {
    if (!deps.connected(r.agentId)) return false;
    if (!deps.actions().sendAvAction(r.agentId, r.action, r.id)) return false;
    store.avActions.markSent(r.id, t, t + ANSWER_MS[r.action]);
    return true;
  };
  const request = (agent: Pick<Agent, 'id' | 'tenant' | 'hostname'>, input: Omit<NewAvAction, 'tenant' | 'agentId' | 'host'>, t: number) => {
    const r = store.avActions.create({ ...input, tenant: agent.tenant, agentId: agent.id, host: agent.hostname });
    deliver(r, t);
    return r;
  };

  /** Results: an av_action point completes its request when the request is this agent's. */
  const results = (agent: Pick<AgentIdentity, 'id'>, samples: ReturnType<typeof toRuleSamples>): void => {
    for (const s of samples) {
      const result = actionResult(s);
      if (!result) continue;
      const r = store.avActions.get(result.requestId);
      if (!r || r.agentId !== agent.id) {
        log.warn({ agentId: agent.id, requestId: result.requestId }, 'antivirus: an av_action result names no request of this agent; ignored');
        continue;
      }
      store.avActions.complete(r.id, result);
    }
  };

  /** Defender's status from the newest antivirus run, and the update attempt when its definitions are too old. */
  const defenderRun = (agent: Pick<AgentIdentity, 'id' | 'tenant' | 'hostname'>, samples: ReturnType<typeof toRuleSamples>, t: number): void => {
    const run = newestRun(samples);
    if (!run) return;
    store.avActions.putDefender({ agentId: agent.id, tenant: agent.tenant, state: run.state, signatureUpdated: run.signatureUpdated, seenAt: run.at });
    const policy = deps.rules().terms(agent.tenant).antivirus;
    if (!policy?.updateBeforeTicket || !drivable(run.state) || run.ageDays === null) return;
    const limit = ticketAgeMs(deps.rules(), agent.tenant, agent.hostname);
    if (limit === null || run.ageDays * DAY_MS <= limit) return;
    if (!mayAttempt(store.avActions.latest(agent.id, 'definitions_age'), t)) return;
    const r = request(agent, { action: 'signature_update', origin: 'definitions_age', by: null, askedAt: t, deliverBy: t + RULE_DELIVERY_MS }, t);
    log.warn(
      { agentId: agent.id, requestId: r.id, ageDays: run.ageDays },
      'antivirus: Defender definitions too old; a signature update was asked before any ticket',
    );
  };

  /** Scheduled actions due now for every connected host with a drivable Defender (the decision in the header). */
  const schedule = (t: number): void => {
    const agents = new Map(store.agents.list().map((a) => [a.id, a]));
    const last = store.avActions.lastScheduled();
    for (const d of store.avActions.defenders()) {
      const agent = agents.get(d.agentId);
      if (!agent || agent.revokedAt !== null || agent.tenant !== d.tenant || !drivable(d.state) || !deps.connected(agent.id)) continue;
      const policy = deps.rules().terms(agent.tenant).antivirus;
      for (const s of policy?.schedules ?? []) {
        const occurrence = occurrenceAt(s, t);
        if (!occurrence || (last.get(`${agent.id}/${s.action}`) ?? -Infinity) >= occurrence.due) continue;
        const window = occurrence.next === null ? AV_TICK_MS : (occurrence.next - occurrence.due) / 2;
        if (t >= occurrence.due + window) continue;
        request(agent, { action: s.action, origin: 'schedule', by: null, askedAt: occurrence.due, deliverBy: Math.floor(occurrence.due + window) }, t);
      }
    }
  };

  return {
    observe(agent, samples) {
      if (!samples.some((s) => READ.has(s.measurement ?? ''))) return;
      guard('reading a batch', () => {
        const read = toRuleSamples(samples.filter((s) => READ.has(s.measurement ?? '')));
        results(agent, read);
        defenderRun(agent, read, now());
      });
    },
    tick() {
      const t = now();
      guard('expiring requests', () => store.avActions.expire(t));
      guard('scheduling', () => schedule(t));
      guard('delivering queued requests', () => {
        for (const r of store.avActions.queued()) if (r.deliverBy > t) deliver(r, t);
      });
    },
    ask(req) {
      const t = now();
      const r = queuePersonRequest(store, req, t, (agent) => deps.connected(agent.id));
      deliver(r, t);
      return store.avActions.get(r.id)!;
    },
    holds: beforeTicketHolds(store, deps.rules),
  };
}

/** The manager with its tick, from onReady to onClose; no tick when tickMs is 0 (tests call tick()). */
export function startAntivirus(app: FastifyInstance, deps: AntivirusDeps & { tickMs: number }): AntivirusManager {
  const manager = createAntivirusManager(deps);
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    if (deps.tickMs > 0) timer = setInterval(() => manager.tick(), deps.tickMs).unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
  return manager;
}
