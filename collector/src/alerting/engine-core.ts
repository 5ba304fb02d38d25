// What the alert engine's parts share (engine.ts wires them): the deps and the clock, the alert book, the rules'
// memory, the hold cache, and the one way a ticket change leaves the engine (the open-tickets gauge is due and the
// transition sinks hear of it).
import { hostname } from 'node:os';
import type { Store } from '../store/index.js';
import { createTicketGauge, type TicketGauge } from '../tickets/gauge.js';
import { AlertBook } from './alert-book.js';
import type { HostFacts, Urgency } from './contract.js';
import type { EngineDeps } from './engine.js';
import { createHoldCache, type HoldCache } from './hold-cache.js';
import { withPatchWindows } from '../patching/hold.js';
import type { Transitions } from './transitions.js';

/** An agent's facts as the engine keeps them: the rules file may give it an urgency of its own. */
export type Facts = HostFacts & { urgency?: Urgency };

export interface EngineCore {
  deps: EngineDeps;
  store: Store;
  now: () => number;
  /** When this engine started (absence rules give agents that long before they count as silent). */
  startedAt: number;
  book: AlertBook;
  holds: HoldCache;
  gauge: TicketGauge;
  /** What a rule kind keeps between observations, per (rule, tenant, agent). */
  memoryFor(ruleId: string, facts: Facts): Map<string, unknown>;
  /** A ticket changed: the gauge is written at the next tick, and the transition sinks are told now. */
  ticketChanged(...args: Parameters<Transitions['ticket']>): void;
}

export function createEngineCore(deps: EngineDeps): EngineCore {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const { store, transitions } = deps;
  const book = new AlertBook(store.alertStates, deps.ownership === undefined);
  const memory = new Map<string, Map<string, unknown>>();
  // Patch windows (terms.patches) hold like maintenance windows, derived from the rules in force.
  const holds = createHoldCache(store, withPatchWindows(deps.rules, deps.holdSource));
  const gauge = createTicketGauge(store.tickets, store.influxOutbox, deps.hostname ?? hostname());
  return {
    deps,
    store,
    now,
    startedAt,
    book,
    holds,
    gauge,
    memoryFor(ruleId, facts) {
      const k = `${ruleId}\u0000${facts.tenant}\u0000${facts.agentId}`;
      let m = memory.get(k);
      if (!m) memory.set(k, (m = new Map()));
      return m;
    },
    ticketChanged(...args) {
      gauge.changed();
      transitions.ticket(...args);
    },
  };
}
