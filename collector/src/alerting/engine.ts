// alerting/ owns rules -> alerts: rule kinds and the rules file, the state machine, holds, and the feed of alert and
// ticket points into the InfluxDB outbox with its drain. tickets/ owns what alerts become; routes never come in.
//
// The alert engine: rules evaluated as samples arrive, time-driven conditions and SLA targets on a tick, and the
// one ticket per (tenant, agent, rule) kept in step with its alerts.
//
// Contract: observe() is called with every batch an agent sends, before it is written to InfluxDB (alerting does
// not wait for, or depend on, the time-series store); it never throws into the batch path. tick() is called every
// TICK_MS by the owner (serve), and by tests with an injected clock. All state lives in the store: a new engine
// on the same store resumes where the last one stopped.
//
// Alerts, tickets and rule memory are keyed by the agent's id (contract.ts); its hostname is the store's
// (facts-cache.ts). The parts: engine-core.ts (what they share), facts-cache.ts (who each agent is), alert-path.ts
// (observations -> alerts -> tickets), tick-path.ts (the steps of a tick), hold-cache.ts (maintenance windows and
// silences), tickets/actions.ts (what people do to tickets).
import type { watchpost } from '../../../proto/index.js';
import type { Store } from '../store/index.js';
import { actOnTicket, stillFiring, type ActionDeps, type ActionSource, type StillFiring, type TicketAction } from '../tickets/actions.js';
import type { Ticket } from '../tickets/model.js';
import type { AlertRecord } from './alert-book.js';
import { createAlertPath, firingInstances } from './alert-path.js';
import type { AlertKey } from './contract.js';
import { createEngineCore } from './engine-core.js';
import { createFactsCache } from './facts-cache.js';
import type { AgentIdentity } from './host-facts.js';
import type { Transitions } from './transitions.js';
import type { RuleSet } from './rules/rules-file.js';
import { tickSteps, type Guard } from './tick-path.js';
import type { HoldSource } from './holds.js';

/** How often serve calls tick(): absence, event quiet periods, holds ending, SLA targets. */
export const TICK_MS = 5_000;

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
  /** Holds placed by other parts of the collector (the antivirus manager's update attempt before a ticket). */
  holdSource?: HoldSource;
  /** Several collectors share the store: which agents this one evaluates. Absent: one collector, every agent. */
  ownership?: Ownership;
}

/**
 * With several collectors on one store, an agent's alerts are evaluated by the collector it is connected to (the
 * rules that read its batches and the time-driven ones alike), and those of an agent connected nowhere by the
 * leader, which also runs the fleet-wide steps (SLA clocks, the open-tickets gauge).
 */
export interface Ownership {
  leader(): boolean;
  /** The agents connected to another live collector now (asked once per tick). */
  elsewhere(): ReadonlySet<string>;
}

export interface AlertEngine {
  observe(agent: AgentIdentity, samples: readonly watchpost.v1.ISample[]): void;
  /** One whole tick, synchronously (tests, and small fleets). */
  tick(): void;
  /** The same tick as steps; run each, yielding to the event loop between them (runTickSteps). */
  tickSteps(): Generator<void, void, void>;
  /** Applies a person's action to a ticket (made at the API, or in a service desk: `source`); null when the ticket does not exist. */
  act(ticketId: number, action: TicketAction, by: string, source?: ActionSource): Ticket | null;
  /** For a resolved ticket whose alert still fires: what fires and when the tick reopens it if it still does. */
  stillFiring(ticket: Ticket): StillFiring | null;
  /** The current alerts (pending and firing, and recently resolved), for the API. */
  alerts(): Array<[AlertKey, AlertRecord]>;
  /** The agent connected here (its Hello): with several collectors, its alerts are read from the store. */
  attach(tenant: string, agentId: string): void;
  /** The agent's link here closed: with several collectors, its alerts leave this book (not the store). */
  detach(tenant: string, agentId: string): void;
}

export function createAlertEngine(deps: EngineDeps): AlertEngine {
  const core = createEngineCore(deps);
  const hosts = createFactsCache(core);
  const alerts = createAlertPath(core, hosts);
  const guard: Guard = (what, fn) => {
    try {
      fn();
    } catch (error) {
      deps.log.error({ err: (error as Error).message, stack: (error as Error).stack }, `alerting: ${what} failed`);
    }
  };
  const actions: ActionDeps = {
    store: core.store,
    now: core.now,
    changed: core.ticketChanged,
    terms: (tenant) => deps.rules().terms(tenant),
    firing: (ticket) => firingInstances(core, ticket.ruleId, ticket.tenant, ticket.agentId),
  };
  return {
    observe: (agent, samples) => guard('evaluating a batch', () => alerts.observe(agent, samples)),
    tick() {
      for (const step of this.tickSteps()) void step;
    },
    tickSteps: () => tickSteps(core, hosts, alerts, guard),
    act: (ticketId, action, by, source) => actOnTicket(actions, ticketId, action, by, source),
    stillFiring: (ticket) => stillFiring(actions, ticket),
    alerts: () => [...core.book.entries()],
    attach: (tenant, agentId) => {
      if (deps.ownership) guard("reading a connected agent's alerts", () => core.book.load(tenant, agentId));
    },
    detach: (tenant, agentId) => {
      if (deps.ownership) core.book.unload(tenant, agentId);
    },
  };
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
