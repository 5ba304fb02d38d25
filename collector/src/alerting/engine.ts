// The alert engine: rules evaluated as samples arrive, time-driven conditions and SLA targets on a tick, and the
// one ticket per (tenant, agent, rule) kept in step with its alerts.
//
// Contract: observe() is called with every batch an agent sends, before it is written to InfluxDB (alerting does
// not wait for, or depend on, the time-series store); it never throws into the batch path. tick() is called every
// TICK_MS by the owner (serve), and by tests with an injected clock. All state lives in the store: a new engine
// on the same store resumes where the last one stopped.
//
// Alerts, tickets and rule memory are keyed by the agent's id (contract.ts). Its hostname is the store's: the tick
// reads every agent's each time, and a batch uses the name the last tick read (the connection's until then), so an
// admin's rename reaches a connected agent within a tick and a stale connection cannot swing the name back.
import { hostname } from 'node:os';
import type { watchpost } from '../../../proto/index.js';
import type { Agent, Store } from '../store/index.js';
import type { Ticket } from '../store/tickets.js';
import { AlertBook, type AlertRecord } from './alert-book.js';
import type { AlertKey, HostFacts, Observation, RuleSample, Urgency } from './contract.js';
import { holdAt, type Hold } from './holds.js';
import { hostFacts, type AgentIdentity } from './host-facts.js';
import { kindOf } from './rules/kinds/index.js';
import type { CompiledRule, RuleSet } from './rules/rules-file.js';
import { step, type AlertEvent } from './state-machine.js';
import { acknowledgeTicket, planTicket, renameTickets, resolveTicket, syncTicket, type TicketChange } from './ticketing.js';
import type { Transitions } from './transitions.js';
import { toRuleSamples } from './samples.js';
import { createTicketGauge } from './ticket-gauge.js';

/** How often serve calls tick(): absence, event quiet periods, holds ending, SLA targets. */
export const TICK_MS = 5_000;
/**
 * Agents visited per step of a tick (about 2-10 ms of work here). serve runs the steps with the event loop free in between, so a batch (and
 * the breach in it) that arrives during a tick over 20,000 agents waits for one step, not for the whole tick.
 */
export const TICK_SLICE_AGENTS = 200;
/** A resolved alert is kept this long (its resolution is visible in the API, a quick re-fire reads as a flap). */
export const KEEP_RESOLVED_MS = 60 * 60_000;

type Facts = HostFacts & { urgency?: Urgency };

export interface EngineLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EngineDeps {
  store: Store;
  /** The rules in force (serve swaps them on SIGHUP; a bad file leaves the old ones). */
  rules: () => RuleSet;
  transitions: Transitions;
  log: EngineLog;
  now?: () => number;
  /** Whether the agent has a live connection now (a connected agent is not silent). */
  connected?: (agentId: string) => boolean;
  /** The host tag of the collector's own points (tickets_open); default os.hostname(). */
  hostname?: string;
}

export type TicketAction = { kind: 'ack' } | { kind: 'plan'; text: string } | { kind: 'note'; text: string } | { kind: 'resolve'; note?: string };

export interface AlertEngine {
  observe(agent: AgentIdentity, samples: readonly watchpost.v1.ISample[]): void;
  /** One whole tick, synchronously (tests, and small fleets). */
  tick(): void;
  /** The same tick as steps; run each, yielding to the event loop between them (runTickSteps). */
  tickSteps(): Generator<void, void, void>;
  /** Applies a person's action to a ticket; null when the ticket does not exist. */
  act(ticketId: number, action: TicketAction, by: string): Ticket | null;
  /** The current alerts (pending and firing, and recently resolved), for the API. */
  alerts(): Array<[AlertKey, AlertRecord]>;
}

export function createAlertEngine(deps: EngineDeps): AlertEngine {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const { store, transitions } = deps;
  const book = new AlertBook(store.alertStates);
  const memory = new Map<string, Map<string, unknown>>();
  const holds = createHoldCache(store);
  const gauge = createTicketGauge(store.tickets, store.influxOutbox, deps.hostname ?? hostname());
  const ticketTransitions = (...args: Parameters<Transitions['ticket']>): void => {
    gauge.changed();
    transitions.ticket(...args);
  };

  const memoryFor = (ruleId: string, facts: Facts): Map<string, unknown> => {
    const k = `${ruleId}\u0000${facts.tenant}\u0000${facts.agentId}`;
    let m = memory.get(k);
    if (!m) memory.set(k, (m = new Map()));
    return m;
  };

  // The enrolled platform never changes; the batch path does not carry it, so it is read once per agent.
  const platforms = new Map<string, string>();
  const platformOf = (agent: AgentIdentity): string => {
    if (agent.os) return agent.os;
    let os = platforms.get(agent.id);
    if (os === undefined) platforms.set(agent.id, (os = store.agents.get(agent.id)?.os ?? ''));
    return os;
  };
  // Each agent's hostname as the tick last read it from the store.
  const names = new Map<string, string>();
  const named = (agent: AgentIdentity): AgentIdentity => {
    const name = names.get(agent.id);
    return name === undefined || name === agent.hostname ? agent : { ...agent, hostname: name };
  };
  /** The agent is known under `facts.host` from now on: its alerts and unresolved tickets follow (when renamed). */
  const follow = (facts: Facts): void => {
    book.rename(facts.tenant, facts.agentId, facts.host);
    // One indexed read per agent when its facts are built (at start, on a new name): the write transaction only
    // when there is something to rename.
    if (store.tickets.findRenamed(facts.tenant, facts.agentId, facts.host).length === 0) return;
    store.transaction(() => {
      for (const change of renameTickets(store.tickets, facts, now())) ticketTransitions(change);
    });
  };
  // Facts change only with the rules file, the hostname or a new inventory (observe drops the entry then): cached,
  // because the tick asks for every agent's every few seconds and a store read each would dominate it.
  const factsCache = new Map<string, { rules: RuleSet; facts: Facts }>();
  const factsOf = (agent: AgentIdentity): Facts => {
    const rules = deps.rules();
    const hit = factsCache.get(agent.id);
    if (hit && hit.rules === rules && hit.facts.host === agent.hostname && hit.facts.tenant === agent.tenant) return hit.facts;
    const identity = store.osIdentities.get(agent.id)?.identity ?? null;
    const facts = hostFacts({ ...agent, os: platformOf(agent) }, rules.hostSettings(agent.tenant, agent.hostname), identity);
    factsCache.set(agent.id, { rules, facts });
    if (hit?.facts.host !== facts.host) follow(facts);
    return facts;
  };

  /** Re-syncs the key's ticket after one of its instances changed. */
  const sync = (facts: Facts, rule: CompiledRule, kind: 'fired' | 'escalated' | 'deescalated' | 'cleared' | 'released', instance: string, summary: string): void => {
    const firing = [...book.instances(rule.id, facts.tenant, facts.agentId)]
      .filter(([, r]) => r.status === 'firing' && r.ticketed)
      .map(([i, r]) => ({ instance: i, impact: r.impact, summary: r.summary }));
    const terms = deps.rules().terms(facts.tenant);
    const change = syncTicket(store.tickets, { facts, ruleId: rule.id, title: rule.title, onClear: rule.onClear ?? terms.onClear, terms, firing, cause: { kind, instance, summary, at: now() } });
    if (change) ticketTransitions(change);
  };

  const onEvent = (facts: Facts, rule: CompiledRule, key: AlertKey, record: AlertRecord, event: AlertEvent): AlertRecord => {
    if (event.kind === 'firing') {
      const hold = holds.at({ tenant: facts.tenant, host: facts.host, ruleId: rule.id, ...(facts.site ? { site: facts.site } : {}) }, now());
      const next = { ...record, ticketed: hold === null, heldUntil: hold?.until ?? null };
      transitions.alert(key, event, next, hold);
      return next;
    }
    transitions.alert(key, event, record, null);
    return event.kind === 'resolved' ? { ...record, ticketed: false } : record;
  };

  /** Steps one alert and carries its consequences (store, ticket, transition log). */
  const apply = (facts: Facts, rule: CompiledRule, obs: Observation): void => {
    const key: AlertKey = { ruleId: rule.id, tenant: facts.tenant, agentId: facts.agentId, host: facts.host, instance: obs.instance };
    const prev = book.get(key);
    // The everyday case, a healthy value for an alert with no record: stepping would make a record with nothing
    // worth keeping (the next tick's sweep forgets such records), so nothing is made.
    if (prev === undefined && !obs.active) return;
    const { state, events } = step(prev, obs, { forMs: rule.forMs, keepFiringForMs: rule.keepFiringForMs });
    if (state === prev) return;
    const wasTicketed = prev?.ticketed === true;
    let record: AlertRecord = { ...state, ticketed: prev?.ticketed ?? false, heldUntil: prev?.heldUntil ?? null };
    // No transition (the common case: a healthy value, or a firing one still firing): memory only, no write.
    if (events.length === 0) return book.set(key, record, false);
    // The alert, its outbox points and its ticket change commit together.
    store.transaction(() => {
      for (const event of events) record = onEvent(facts, rule, key, record, event);
      book.set(key, record, true);
      for (const event of events) {
        if (event.kind === 'firing' && record.ticketed) sync(facts, rule, 'fired', key.instance, event.summary);
        else if ((event.kind === 'escalated' || event.kind === 'deescalated') && record.ticketed) sync(facts, rule, event.kind, key.instance, event.summary);
        else if (event.kind === 'resolved' && wasTicketed) sync(facts, rule, 'cleared', key.instance, event.summary);
      }
    });
  };

  const evaluate = (facts: Facts, rule: CompiledRule, observations: readonly Observation[]): void => {
    for (const obs of observations) apply(facts, rule, obs);
  };

  const observe = (connected: AgentIdentity, samples: readonly watchpost.v1.ISample[]): void => {
    const agent = named(connected);
    if (samples.some((s) => s.measurement === 'inventory')) factsCache.delete(agent.id);
    const rules = deps.rules().rulesFor(agent.tenant, agent.hostname);
    const read = measurementsRead(rules);
    const wanted = samples.filter((s) => read.has(s.measurement ?? ''));
    if (wanted.length === 0) return;
    const facts = factsOf(agent);
    const byMeasurement = groupByMeasurement(toRuleSamples(wanted));
    for (const rule of rules) {
      const kind = kindOf(rule);
      if (!kind.observe) continue;
      const relevant = kind.measurements(rule).flatMap((m) => byMeasurement.get(m) ?? []);
      if (relevant.length === 0) continue;
      relevant.sort((a, b) => a.time - b.time);
      const current = (instance: string) => {
        const r = book.get({ ruleId: rule.id, tenant: facts.tenant, agentId: facts.agentId, host: facts.host, instance });
        return r ? { active: r.status !== 'inactive', level: r.level } : undefined;
      };
      evaluate(facts, rule, kind.observe(rule, relevant, { host: facts, current, memory: memoryFor(rule.id, facts) }));
    }
  };

  // Most hosts have no alert of a given rule: answer those without building arrays (the tick visits every host).
  const NONE: never[] = [];
  const activeOf = (ruleId: string, facts: Facts) => {
    const instances = book.instances(ruleId, facts.tenant, facts.agentId);
    if (instances.size === 0) return NONE;
    const out = [];
    for (const [instance, r] of instances) {
      if (r.status !== 'inactive' && r.lastActiveAt !== null) out.push({ tenant: facts.tenant, host: facts.host, instance, level: r.level, lastActiveAt: r.lastActiveAt });
    }
    return out;
  };

  const tickRules = (agents: readonly Agent[]): void => {
    const t = now();
    for (const agent of agents) {
      names.set(agent.id, agent.hostname);
      const facts = factsOf(agent);
      const lastSeenAt = deps.connected?.(agent.id) ? t : agent.lastSeenAt;
      for (const rule of deps.rules().rulesFor(agent.tenant, agent.hostname)) {
        const kind = kindOf(rule);
        if (!kind.tick) continue;
        const active = activeOf(rule.id, facts);
        const ctx = { now: t, startedAt, hosts: [{ facts, lastSeenAt }], active, memory: () => memoryFor(rule.id, facts) };
        evaluate(facts, rule, kind.tick(rule, ctx).map((o) => o.observation));
      }
    }
  };

  /** Firing alerts that a hold kept from their ticket (or a crash between alert and ticket): ticket them now. */
  const releaseHeld = (agents: readonly Agent[]): void => {
    const t = now();
    const byId = new Map(agents.map((a) => [a.id, a]));
    for (const [key, record] of [...book.entries()]) {
      if (record.status !== 'firing' || record.ticketed) continue;
      const agent = byId.get(key.agentId);
      if (!agent || agent.tenant !== key.tenant) continue;
      const facts = factsOf(agent);
      const grace = deps.rules().terms(facts.tenant).maintenanceExitGraceMs;
      const hold = holds.at({ tenant: facts.tenant, host: facts.host, ruleId: key.ruleId, ...(facts.site ? { site: facts.site } : {}) }, t);
      if (hold || (record.heldUntil !== null && t < record.heldUntil + grace)) continue;
      const rule = deps.rules().rule(facts.tenant, facts.host, key.ruleId);
      if (!rule) continue;
      store.transaction(() => {
        book.set({ ...key, host: facts.host }, { ...record, ticketed: true }, true);
        sync(facts, rule, 'released', key.instance, record.summary);
      });
    }
  };

  const checkSla = (): void => {
    const t = now();
    for (const { ticket, clock } of store.tickets.slaDue(t)) {
      const kind = clock.approachedAt === null && t < clock.dueAt ? 'sla_approaching' : 'sla_breached';
      const field = kind === 'sla_approaching' ? 'approachedAt' : 'breachedAt';
      store.transaction(() => {
        store.tickets.markSla(ticket.id, clock.target, field, t);
        if (field === 'breachedAt' && clock.approachedAt === null) store.tickets.markSla(ticket.id, clock.target, 'approachedAt', t);
        const due = new Date(clock.dueAt).toISOString();
        const detail = `${clock.target} target ${kind === 'sla_breached' ? 'breached' : 'approaching'} (due ${due})`;
        store.tickets.addEvent(ticket.id, { kind, at: t, detail, data: { target: clock.target } });
        ticketTransitions({ ticket: store.tickets.get(ticket.id)!, kind, detail }, clock.target);
      });
    }
  };

  const guard = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      deps.log.error({ err: (error as Error).message, stack: (error as Error).stack }, `alerting: ${what} failed`);
    }
  };

  return {
    observe: (agent, samples) => guard('evaluating a batch', () => observe(agent, samples)),
    tick() {
      for (const step of this.tickSteps()) void step;
    },
    *tickSteps() {
      guard('refreshing holds', () => holds.refresh());
      // The agents are read a page per step too: listing 20,000 at once is itself a 40-80 ms step.
      const agents: Agent[] = [];
      for (let after = '', more = true; more; ) {
        yield;
        let page: Agent[] = [];
        guard('listing agents', () => (page = store.agents.page(after, TICK_SLICE_AGENTS)));
        more = page.length === TICK_SLICE_AGENTS;
        after = page.at(-1)?.id ?? after;
        const live = page.filter((a) => a.revokedAt === null);
        agents.push(...live);
        guard('time-driven rules', () => tickRules(live));
      }
      yield;
      guard('releasing held alerts', () => releaseHeld(agents));
      guard('SLA check', checkSla);
      guard('open tickets gauge', () => gauge.maybeWrite(now()));
      guard('forgetting resolved alerts', () => book.sweep(now(), KEEP_RESOLVED_MS));
    },
    act(ticketId, action, by) {
      const ticket = store.tickets.get(ticketId);
      if (!ticket) return null;
      const t = now();
      const detail = action.kind === 'ack' ? `acknowledged by ${by}` : action.kind === 'resolve' ? (action.note ?? `resolved by ${by}`) : action.text;
      const next = store.transaction(() => {
        const updated =
          action.kind === 'ack'
            ? acknowledgeTicket(store.tickets, ticket, by, t)
            : action.kind === 'plan'
              ? planTicket(store.tickets, ticket, by, t, action.text)
              : action.kind === 'note'
                ? store.tickets.update(ticket.id, {}, { kind: 'note', at: t, detail, data: { by } })
                : resolveTicket(store.tickets, ticket, by, t, detail);
        if (updated !== ticket) ticketTransitions({ ticket: updated, kind: ACTION_EVENT[action.kind], detail } satisfies TicketChange);
        return updated;
      });
      return next;
    },
    alerts: () => [...book.entries()],
  };
}

const ACTION_EVENT = { ack: 'acknowledged', plan: 'plan', note: 'note', resolve: 'resolved' } as const;

/** The measurements a host's rules read on arrival. A rules list is one frozen array per scope until the rules
 *  file is reloaded, so the answer is kept per list; most of a batch (net, system, ...) is then never converted. */
const MEASUREMENTS_READ = new WeakMap<readonly CompiledRule[], ReadonlySet<string>>();
function measurementsRead(rules: readonly CompiledRule[]): ReadonlySet<string> {
  let read = MEASUREMENTS_READ.get(rules);
  if (!read) {
    read = new Set(rules.flatMap((rule) => { const kind = kindOf(rule); return kind.observe ? kind.measurements(rule) : []; }));
    MEASUREMENTS_READ.set(rules, read);
  }
  return read;
}

function groupByMeasurement(samples: readonly RuleSample[]): Map<string, RuleSample[]> {
  const out = new Map<string, RuleSample[]>();
  for (const s of samples) {
    const list = out.get(s.measurement);
    if (list) list.push(s);
    else out.set(s.measurement, [s]);
  }
  return out;
}

/** Maintenance windows and silences, re-read only when the store says they changed (API or CLI). */
function createHoldCache(store: Store) {
  let version = -1;
  let windows = store.maintenance.listWindows();
  let silences = store.maintenance.listSilences();
  const refresh = (): void => {
    const v = store.maintenance.version();
    if (v === version) return;
    version = v;
    windows = store.maintenance.listWindows();
    silences = store.maintenance.listSilences();
  };
  refresh();
  // One cheap version read per question: a window created through the API a moment ago already holds.
  const at = (target: Parameters<typeof holdAt>[0], time: number): Hold | null => {
    refresh();
    return holdAt(target, time, windows, silences);
  };
  return { refresh, at };
}

/**
 * Runs a tick's steps with the event loop free between them (setImmediate), so arriving batches are observed
 * promptly. Resolves when the tick is done.
 */
export async function runTickSteps(engine: Pick<AlertEngine, 'tickSteps'>): Promise<void> {
  for (const step of engine.tickSteps()) {
    void step;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
