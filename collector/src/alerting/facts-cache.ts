// Who each agent is for the rules (host-facts.ts), kept per agent: facts change only with the rules file, the
// hostname or a new inventory, and the tick asks for every agent's every few seconds, so a store read each time
// would dominate it. The hostname is the store's: the tick reads every agent's, and a batch uses the name the last
// tick read (the connection's until then), so an admin's rename reaches a connected agent within a tick and a
// stale connection cannot swing the name back. A new name moves the agent's alerts and unresolved tickets along.
import { renameTickets } from '../tickets/lifecycle.js';
import type { EngineCore, Facts } from './engine-core.js';
import type { RuleSet } from './rules/rules-file.js';
import { hostFacts, type AgentIdentity } from './host-facts.js';

export interface FactsCache {
  /** The agent under the hostname the tick last read for it (the connection's until a tick did). */
  named(agent: AgentIdentity): AgentIdentity;
  /** The tick read the agent's hostname from the store. */
  nameRead(agentId: string, hostname: string): void;
  /** The agent's facts, built again when the rules, its name or its tenant changed, or after forget(). */
  factsOf(agent: AgentIdentity): Facts;
  /** A new inventory arrived: the agent's facts (its role) are built again at the next question. */
  forget(agentId: string): void;
}

export function createFactsCache(core: EngineCore): FactsCache {
  const { deps, store } = core;
  const platformOf = enrolledPlatforms(core);
  const names = new Map<string, string>();
  const cache = new Map<string, { rules: RuleSet; facts: Facts }>();
  const factsOf = (agent: AgentIdentity): Facts => {
    const rules = deps.rules();
    const hit = cache.get(agent.id);
    if (hit && hit.rules === rules && hit.facts.host === agent.hostname && hit.facts.tenant === agent.tenant) return hit.facts;
    const identity = store.osIdentities.get(agent.id)?.identity ?? null;
    const facts = hostFacts({ ...agent, os: platformOf(agent) }, rules.hostSettings(agent.tenant, agent.hostname), identity);
    cache.set(agent.id, { rules, facts });
    if (hit?.facts.host !== facts.host) follow(core, facts);
    return facts;
  };
  return {
    named(agent) {
      const name = names.get(agent.id);
      return name === undefined || name === agent.hostname ? agent : { ...agent, hostname: name };
    },
    nameRead: (agentId, hostname) => void names.set(agentId, hostname),
    factsOf,
    forget: (agentId) => void cache.delete(agentId),
  };
}

/** The enrolled platform never changes; the batch path does not carry it, so it is read once per agent. */
function enrolledPlatforms(core: EngineCore): (agent: AgentIdentity) => string {
  const platforms = new Map<string, string>();
  return (agent) => {
    if (agent.os) return agent.os;
    let os = platforms.get(agent.id);
    if (os === undefined) platforms.set(agent.id, (os = core.store.agents.get(agent.id)?.os ?? ''));
    return os;
  };
}

/** The agent is known under `facts.host` from now on: its alerts and unresolved tickets follow (when renamed). */
function follow(core: EngineCore, facts: Facts): void {
  const { store } = core;
  core.book.rename(facts.tenant, facts.agentId, facts.host);
  // One indexed read per agent when its facts are built (at start, on a new name): the write transaction only
  // when there is something to rename.
  if (store.tickets.findRenamed(facts.tenant, facts.agentId, facts.host).length === 0) return;
  store.transaction(() => {
    for (const change of renameTickets(store.tickets, facts, core.now())) core.ticketChanged(change);
  });
}
