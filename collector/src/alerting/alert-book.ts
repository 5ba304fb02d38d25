// Every alert that is not plain inactive, in memory, written through to the store on each transition so a
// restart resumes mid-pending or mid-firing. With one collector the book holds every agent's alerts, read at
// start; with several sharing a store, each holds the alerts of the agents it evaluates (its connected ones, and
// for the leader the ones connected nowhere), read when an agent becomes its own and forgotten in memory only when
// it goes to another (engine.ts). Indexed by agent, then rule, because that is how the ticket side asks
// ("which instances of this agent's rule are firing?") and a rename concerns one agent's alerts.
import type { AlertKey } from './contract.js';
import { isForgettable, type AlertState } from './state-machine.js';
import type { AlertStateStore } from '../store/index.js';

export interface AlertRecord extends AlertState {
  /** Whether this firing alert counts towards its ticket; false while a maintenance window or silence holds it. */
  ticketed: boolean;
  /** End of the hold that kept it from a ticket (the exit grace counts from here); null when never held. */
  heldUntil: number | null;
}

/** One agent's alerts: rule id -> instance -> record, and the hostname they are shown under. */
interface AgentAlerts {
  tenant: string;
  agentId: string;
  host: string;
  byRule: Map<string, Map<string, AlertRecord>>;
}

const EMPTY: ReadonlyMap<string, AlertRecord> = new Map();
const agentKey = (tenant: string, agentId: string): string => `${tenant}\u0000${agentId}`;

export class AlertBook {
  private readonly byAgent = new Map<string, AgentAlerts>();
  /** The agents read in with load() (most have no alert to hold: this keeps them from being read again). */
  private readonly read = new Set<string>();

  /** `preload`: read every stored alert now (one collector); otherwise agents are read in with load(). */
  constructor(
    private readonly store: AlertStateStore,
    preload = true,
  ) {
    if (preload) for (const { key, state } of store.all()) this.remember(key, state as AlertRecord);
  }

  /** Whether the agent's alerts are held here (read in, or made here). */
  holds(tenant: string, agentId: string): boolean {
    const k = agentKey(tenant, agentId);
    return this.read.has(k) || this.byAgent.has(k);
  }

  /** Reads the agent's stored alerts into the book; alerts already held keep their in-memory record. */
  load(tenant: string, agentId: string): void {
    for (const { key, state } of this.store.forAgent(tenant, agentId)) if (!this.get(key)) this.remember(key, state as AlertRecord);
    this.read.add(agentKey(tenant, agentId));
  }

  /** Forgets the agent's alerts in memory only: another collector evaluates them now, from the store. */
  unload(tenant: string, agentId: string): void {
    const k = agentKey(tenant, agentId);
    this.byAgent.delete(k);
    this.read.delete(k);
  }

  /** The agents whose alerts the book holds or has read in. */
  agents(): { tenant: string; agentId: string }[] {
    const out = new Map<string, { tenant: string; agentId: string }>();
    for (const { tenant, agentId } of this.byAgent.values()) out.set(agentKey(tenant, agentId), { tenant, agentId });
    for (const k of this.read) {
      const [tenant = '', agentId = ''] = k.split('\u0000');
      out.set(k, { tenant, agentId });
    }
    return [...out.values()];
  }

  get(key: AlertKey): AlertRecord | undefined {
    return this.byAgent.get(agentKey(key.tenant, key.agentId))?.byRule.get(key.ruleId)?.get(key.instance);
  }

  /** Keeps the record in memory; with `persist`, also in the store (call on every transition). */
  set(key: AlertKey, record: AlertRecord, persist: boolean): void {
    if (record.status === 'inactive' && record.resolvedAt === null) {
      this.forget(key);
      return;
    }
    this.rename(key.tenant, key.agentId, key.host);
    this.remember(key, record);
    if (persist) this.store.put(key, record, record.lastAt);
  }

  /** The instances of one agent's rule, with their records. */
  instances(ruleId: string, tenant: string, agentId: string): ReadonlyMap<string, AlertRecord> {
    return this.byAgent.get(agentKey(tenant, agentId))?.byRule.get(ruleId) ?? EMPTY;
  }

  /** Shows the agent's alerts under its current hostname, in memory and in the store (written only on a change). */
  rename(tenant: string, agentId: string, host: string): void {
    const alerts = this.byAgent.get(agentKey(tenant, agentId));
    if (!alerts || alerts.host === host) return;
    alerts.host = host;
    this.store.rename(tenant, agentId, host);
  }

  *entries(): Generator<[AlertKey, AlertRecord]> {
    for (const { tenant, agentId, host, byRule } of this.byAgent.values()) {
      for (const [ruleId, instances] of byRule) {
        for (const [instance, record] of instances) yield [{ ruleId, tenant, agentId, host, instance }, record];
      }
    }
  }

  /** Drops resolved alerts older than keepResolvedMs (from memory and store). */
  sweep(now: number, keepResolvedMs: number): void {
    for (const [key, record] of [...this.entries()]) if (isForgettable(record, now, keepResolvedMs)) this.forget(key);
  }

  private remember(key: AlertKey, record: AlertRecord): void {
    const k = agentKey(key.tenant, key.agentId);
    let alerts = this.byAgent.get(k);
    if (!alerts) this.byAgent.set(k, (alerts = { tenant: key.tenant, agentId: key.agentId, host: key.host, byRule: new Map() }));
    let instances = alerts.byRule.get(key.ruleId);
    if (!instances) alerts.byRule.set(key.ruleId, (instances = new Map()));
    instances.set(key.instance, record);
  }

  private forget(key: AlertKey): void {
    const k = agentKey(key.tenant, key.agentId);
    const alerts = this.byAgent.get(k);
    const instances = alerts?.byRule.get(key.ruleId);
    if (!alerts || !instances?.delete(key.instance)) return;
    if (instances.size === 0) alerts.byRule.delete(key.ruleId);
    if (alerts.byRule.size === 0) this.byAgent.delete(k);
    this.store.delete(key);
  }
}
