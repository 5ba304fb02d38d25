// What the engine does on the clock, as steps of one tick (engine.ts runs them with the event loop free in
// between): the time-driven rule kinds over every live agent a page at a time, then firing alerts whose hold
// ended are ticketed, tickets a person resolved while their alert fired are reopened when it still fires after the
// reopen window, SLA targets that came due are marked, the open-tickets gauge is written and resolved alerts
// past KEEP_RESOLVED_MS are forgotten. Each step's failure is logged and the next step runs.
import type { Agent } from '../store/index.js';
import type { AlertPath } from './alert-path.js';
import type { EngineCore, Facts } from './engine-core.js';
import type { FactsCache } from './facts-cache.js';
import { kindOf } from './rules/kinds/index.js';

/**
 * Agents visited per step of a tick (about 2-10 ms of work here). serve runs the steps with the event loop free in between, so a batch (and
 * the breach in it) that arrives during a tick over 20,000 agents waits for one step, not for the whole tick.
 */
export const TICK_SLICE_AGENTS = 200;
/** A resolved alert is kept this long (its resolution is visible in the API, a quick re-fire reads as a flap). */
export const KEEP_RESOLVED_MS = 60 * 60_000;

/** Runs `fn`; a failure is logged as `alerting: <what> failed` and goes no further. */
export type Guard = (what: string, fn: () => void) => void;

export function* tickSteps(core: EngineCore, hosts: FactsCache, alerts: AlertPath, guard: Guard): Generator<void, void, void> {
  const { store, book, now } = core;
  const ownership = core.deps.ownership;
  const leader = ownership?.leader() ?? true;
  let elsewhere: ReadonlySet<string> = new Set();
  if (ownership) guard('reading which collector holds each agent', () => (elsewhere = ownership.elsewhere()));
  // With several collectors: the agents this one evaluates (connected here; for the leader also connected nowhere).
  const mine = (agent: Agent): boolean => !ownership || core.deps.connected?.(agent.id) === true || (leader && !elsewhere.has(agent.id));
  guard('refreshing holds', () => core.holds.refresh());
  // The agents are read a page per step too: listing 20,000 at once is itself a 40-80 ms step.
  const agents: Agent[] = [];
  for (let after = '', more = true; more;) {
    yield;
    let page: Agent[] = [];
    guard('listing agents', () => (page = store.agents.page(after, TICK_SLICE_AGENTS)));
    more = page.length === TICK_SLICE_AGENTS;
    after = page.at(-1)?.id ?? after;
    const live = page.filter((a) => a.revokedAt === null && mine(a));
    if (ownership) guard("reading agents' alerts", () => adopt(core, live));
    agents.push(...live);
    guard('time-driven rules', () => tickRules(core, hosts, alerts, live));
  }
  yield;
  if (ownership) guard('letting go of agents evaluated elsewhere', () => letGo(core, agents));
  guard('releasing held alerts', () => releaseHeld(core, hosts, alerts, agents));
  guard('reopening tickets still firing', () => reopenStillFiring(core, hosts, alerts, agents));
  if (leader) guard('SLA check', () => checkSla(core));
  if (leader) guard('open tickets gauge', () => core.gauge.maybeWrite(now()));
  guard('forgetting resolved alerts', () => book.sweep(now(), KEEP_RESOLVED_MS));
}

/** Reads into the book the alerts of agents this collector now evaluates and did not hold. */
function adopt(core: EngineCore, agents: readonly Agent[]): void {
  for (const agent of agents) if (!core.book.holds(agent.tenant, agent.id)) core.book.load(agent.tenant, agent.id);
}

/** Forgets (in memory) the alerts of agents another collector evaluates now: they go on from the store there. */
function letGo(core: EngineCore, mine: readonly Agent[]): void {
  const kept = new Set(mine.map((a) => `${a.tenant}\u0000${a.id}`));
  for (const { tenant, agentId } of core.book.agents()) if (!kept.has(`${tenant}\u0000${agentId}`)) core.book.unload(tenant, agentId);
}

function tickRules(core: EngineCore, hosts: FactsCache, alerts: AlertPath, agents: readonly Agent[]): void {
  const { deps } = core;
  const t = core.now();
  for (const agent of agents) {
    hosts.nameRead(agent.id, agent.hostname);
    const facts = hosts.factsOf(agent);
    const lastSeenAt = deps.connected?.(agent.id) ? t : agent.lastSeenAt;
    for (const rule of deps.rules().rulesFor(agent.tenant, agent.hostname)) {
      const kind = kindOf(rule);
      if (!kind.tick) continue;
      const active = activeOf(core, rule.id, facts);
      const ctx = { now: t, startedAt: core.startedAt, hosts: [{ facts, lastSeenAt }], active, memory: () => core.memoryFor(rule.id, facts) };
      alerts.evaluate(
        facts,
        rule,
        kind.tick(rule, ctx).map((o) => o.observation),
      );
    }
  }
}

// Most hosts have no alert of a given rule: answer those without building arrays (the tick visits every host).
const NONE: never[] = [];
function activeOf(core: EngineCore, ruleId: string, facts: Facts) {
  const instances = core.book.instances(ruleId, facts.tenant, facts.agentId);
  if (instances.size === 0) return NONE;
  const out = [];
  for (const [instance, r] of instances) {
    if (r.status !== 'inactive' && r.lastActiveAt !== null)
      out.push({ tenant: facts.tenant, host: facts.host, instance, level: r.level, lastActiveAt: r.lastActiveAt });
  }
  return out;
}

/** Firing alerts that a hold kept from their ticket (or a crash between alert and ticket): ticket them now. */
function releaseHeld(core: EngineCore, hosts: FactsCache, alerts: AlertPath, agents: readonly Agent[]): void {
  const { deps, book, store } = core;
  const t = core.now();
  const byId = new Map(agents.map((a) => [a.id, a]));
  for (const [key, record] of [...book.entries()]) {
    if (record.status !== 'firing' || record.ticketed) continue;
    const agent = byId.get(key.agentId);
    if (!agent || agent.tenant !== key.tenant) continue;
    const facts = hosts.factsOf(agent);
    const grace = deps.rules().terms(facts.tenant).maintenanceExitGraceMs;
    const target = { tenant: facts.tenant, host: facts.host, agentId: facts.agentId, ruleId: key.ruleId, ...(facts.site ? { site: facts.site } : {}) };
    const hold = core.holds.at(target, t);
    if (hold || (record.heldUntil !== null && t < record.heldUntil + grace)) continue;
    const rule = deps.rules().rule(facts.tenant, facts.host, key.ruleId);
    if (!rule) continue;
    const note = core.holds.releaseNote(target, t);
    store.transaction(() => {
      book.set({ ...key, host: facts.host }, { ...record, ticketed: true }, true);
      alerts.sync(facts, rule, 'released', key.instance, note ? `${record.summary}; ${note}` : record.summary);
    });
  }
}

/**
 * Tickets a person resolved while their alert was firing, and which still fires a reopen window after the
 * resolution: reopened (an event says why). A key firing and ticketed with no unresolved ticket is such a ticket:
 * the alert keeps its key's ticket open while it fires (a re-fire within the window reopens it, one after opens a
 * new one), so only a person's resolve leaves it resolved. The unresolved keys are one read of the partial index;
 * most ticks find every firing key among them and read nothing else.
 */
function reopenStillFiring(core: EngineCore, hosts: FactsCache, alerts: AlertPath, agents: readonly Agent[]): void {
  const { deps, book, store } = core;
  const keyOf = (tenant: string, agentId: string, ruleId: string) => `${tenant}\u0000${agentId}\u0000${ruleId}`;
  const firing = new Map<string, { ruleId: string; tenant: string; agentId: string; instance: string; summary: string }>();
  for (const [key, record] of book.entries()) {
    if (record.status === 'firing' && record.ticketed) firing.set(keyOf(key.tenant, key.agentId, key.ruleId), { ...key, summary: record.summary });
  }
  if (firing.size === 0) return;
  for (const k of store.tickets.unresolvedKeys()) firing.delete(keyOf(k.tenant, k.agentId, k.ruleId));
  if (firing.size === 0) return;
  const t = core.now();
  const byId = new Map(agents.map((a) => [a.id, a]));
  for (const key of firing.values()) {
    const agent = byId.get(key.agentId);
    if (!agent || agent.tenant !== key.tenant) continue;
    const last = store.tickets.lastResolved(key.tenant, key.agentId, key.ruleId);
    if (last?.resolvedAt == null || t < last.resolvedAt + deps.rules().terms(key.tenant).reopenWindowMs) continue;
    const facts = hosts.factsOf(agent);
    const rule = deps.rules().rule(facts.tenant, facts.host, key.ruleId);
    if (!rule) continue;
    store.transaction(() => alerts.sync(facts, rule, 'still_firing', key.instance, key.summary));
  }
}

/** SLA targets that came due: approaching past warnAt, breached past dueAt, each marked and told once. */
function checkSla(core: EngineCore): void {
  const { store } = core;
  const t = core.now();
  for (const { ticket, clock } of store.tickets.slaDue(t)) {
    const kind = clock.approachedAt === null && t < clock.dueAt ? 'sla_approaching' : 'sla_breached';
    const field = kind === 'sla_approaching' ? 'approachedAt' : 'breachedAt';
    store.transaction(() => {
      store.tickets.markSla(ticket.id, clock.target, field, t);
      if (field === 'breachedAt' && clock.approachedAt === null) store.tickets.markSla(ticket.id, clock.target, 'approachedAt', t);
      const due = new Date(clock.dueAt).toISOString();
      const detail = `${clock.target} target ${kind === 'sla_breached' ? 'breached' : 'approaching'} (due ${due})`;
      store.tickets.addEvent(ticket.id, { kind, at: t, detail, data: { target: clock.target } });
      core.ticketChanged({ ticket: store.tickets.get(ticket.id)!, kind, detail }, clock.target);
    });
  }
}
