// From observations to alerts to the key's ticket: each observation steps its alert through the state machine
// (state-machine.ts), and a transition is stored, logged as an outbox point and carried to the one ticket per
// (tenant, agent, rule), all in one transaction. Batches arrive here through observe(); the tick's rule kinds call
// evaluate() with what they observe on the clock.
import type { watchpost } from '../../../proto/index.js';
import { syncTicket, type FiringInstance, type SyncCause } from '../tickets/lifecycle.js';
import type { AlertRecord } from './alert-book.js';
import type { AlertKey, Observation, RuleSample } from './contract.js';
import type { EngineCore, Facts } from './engine-core.js';
import type { FactsCache } from './facts-cache.js';
import type { AgentIdentity } from './host-facts.js';
import { kindOf } from './rules/kinds/index.js';
import type { CompiledRule } from './rules/rules-file.js';
import { toRuleSamples } from './samples.js';
import { step, type AlertEvent } from './state-machine.js';

/** What changed about one of the key's instances, for its ticket's history. */
export type TicketCause = SyncCause;

export interface AlertPath {
  /** A batch's samples through the rules of its host that read them on arrival. */
  observe(agent: AgentIdentity, samples: readonly watchpost.v1.ISample[]): void;
  /** Steps one alert per observation and carries its consequences (store, ticket, transition log). */
  evaluate(facts: Facts, rule: CompiledRule, observations: readonly Observation[]): void;
  /** Re-syncs the key's ticket after one of its instances changed. */
  sync(facts: Facts, rule: CompiledRule, kind: TicketCause, instance: string, summary: string): void;
}

/** The key's instances that are firing and ticketed now. */
export function firingInstances(core: Pick<EngineCore, 'book'>, ruleId: string, tenant: string, agentId: string): FiringInstance[] {
  return [...core.book.instances(ruleId, tenant, agentId)]
    .filter(([, r]) => r.status === 'firing' && r.ticketed)
    .map(([i, r]) => ({ instance: i, impact: r.impact, summary: r.summary }));
}

export function createAlertPath(core: EngineCore, hosts: FactsCache): AlertPath {
  const sync: AlertPath['sync'] = (facts, rule, kind, instance, summary) => {
    const firing = firingInstances(core, rule.id, facts.tenant, facts.agentId);
    const terms = core.deps.rules().terms(facts.tenant);
    const change = syncTicket(core.store.tickets, {
      facts,
      ruleId: rule.id,
      title: rule.title,
      onClear: rule.onClear ?? terms.onClear,
      terms,
      firing,
      cause: { kind, instance, summary, at: core.now() },
    });
    if (change) core.ticketChanged(change);
  };
  const evaluate: AlertPath['evaluate'] = (facts, rule, observations) => {
    for (const obs of observations) apply(core, sync, facts, rule, obs);
  };
  const observe: AlertPath['observe'] = (connected, samples) => observeBatch(core, hosts, evaluate, hosts.named(connected), samples);
  return { observe, evaluate, sync };
}

/** Steps one alert and carries its consequences (store, ticket, transition log). */
function apply(core: EngineCore, sync: AlertPath['sync'], facts: Facts, rule: CompiledRule, obs: Observation): void {
  const { book, store } = core;
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
    for (const event of events) record = onEvent(core, facts, rule, key, record, event);
    book.set(key, record, true);
    for (const event of events) {
      if (event.kind === 'firing' && record.ticketed) sync(facts, rule, 'fired', key.instance, event.summary);
      else if ((event.kind === 'escalated' || event.kind === 'deescalated') && record.ticketed) sync(facts, rule, event.kind, key.instance, event.summary);
      else if (event.kind === 'resolved' && wasTicketed) sync(facts, rule, 'cleared', key.instance, event.summary);
    }
  });
}

/** Logs the transition; a firing alert is ticketed unless a maintenance window or a silence holds it. */
function onEvent(core: EngineCore, facts: Facts, rule: CompiledRule, key: AlertKey, record: AlertRecord, event: AlertEvent): AlertRecord {
  const { transitions } = core.deps;
  if (event.kind === 'firing') {
    const target = { tenant: facts.tenant, host: facts.host, agentId: facts.agentId, ruleId: rule.id, ...(facts.site ? { site: facts.site } : {}) };
    const hold = core.holds.at(target, core.now());
    // An antivirus update attempt's hold ends when its result arrives: no exit grace after it (heldUntil null).
    const next = { ...record, ticketed: hold === null, heldUntil: hold && hold.kind !== 'antivirus_update' ? hold.until : null };
    transitions.alert(key, event, next, hold);
    return next;
  }
  transitions.alert(key, event, record, null);
  return event.kind === 'resolved' ? { ...record, ticketed: false } : record;
}

function observeBatch(
  core: EngineCore,
  hosts: FactsCache,
  evaluate: AlertPath['evaluate'],
  agent: AgentIdentity,
  samples: readonly watchpost.v1.ISample[],
): void {
  if (samples.some((s) => s.measurement === 'inventory')) hosts.forget(agent.id);
  const rules = core.deps.rules().rulesFor(agent.tenant, agent.hostname);
  const read = measurementsRead(rules);
  const wanted = samples.filter((s) => read.has(s.measurement ?? ''));
  if (wanted.length === 0) return;
  const facts = hosts.factsOf(agent);
  const byMeasurement = groupByMeasurement(toRuleSamples(wanted));
  for (const rule of rules) {
    const kind = kindOf(rule);
    if (!kind.observe) continue;
    const relevant = kind.measurements(rule).flatMap((m) => byMeasurement.get(m) ?? []);
    if (relevant.length === 0) continue;
    relevant.sort((a, b) => a.time - b.time);
    const current = (instance: string) => {
      const r = core.book.get({ ruleId: rule.id, tenant: facts.tenant, agentId: facts.agentId, host: facts.host, instance });
      return r ? { active: r.status !== 'inactive', level: r.level } : undefined;
    };
    evaluate(facts, rule, kind.observe(rule, relevant, { host: facts, current, memory: core.memoryFor(rule.id, facts) }));
  }
}

/** The measurements a host's rules read on arrival. A rules list is one frozen array per scope until the rules
 *  file is reloaded, so the answer is kept per list; most of a batch (net, system, ...) is then never converted. */
const MEASUREMENTS_READ = new WeakMap<readonly CompiledRule[], ReadonlySet<string>>();
function measurementsRead(rules: readonly CompiledRule[]): ReadonlySet<string> {
  let read = MEASUREMENTS_READ.get(rules);
  if (!read) {
    read = new Set(
      rules.flatMap((rule) => {
        const kind = kindOf(rule);
        return kind.observe ? kind.measurements(rule) : [];
      }),
    );
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
