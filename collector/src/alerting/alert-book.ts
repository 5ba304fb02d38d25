// Every alert that is not plain inactive, in memory, written through to the store on each transition so a
// restart resumes mid-pending or mid-firing. Indexed by ticket key (rule, tenant, host), because that is how the
// ticket side asks: "which instances of this key are firing?".
import type { AlertKey } from './contract.js';
import { isForgettable, type AlertState } from './state-machine.js';
import type { AlertStateStore } from '../store/alert-states.js';

export interface AlertRecord extends AlertState {
  /** Whether this firing alert counts towards its ticket; false while a maintenance window or silence holds it. */
  ticketed: boolean;
  /** End of the hold that kept it from a ticket (the exit grace counts from here); null when never held. */
  heldUntil: number | null;
}

const SEP = '\u0000';
const EMPTY: ReadonlyMap<string, AlertRecord> = new Map();
const ticketKey = (ruleId: string, tenant: string, host: string): string => [ruleId, tenant, host].join(SEP);

export class AlertBook {
  private readonly byTicket = new Map<string, Map<string, AlertRecord>>();

  constructor(private readonly store: AlertStateStore) {
    for (const { key, state } of store.all()) this.remember(key, state as AlertRecord);
  }

  get(key: AlertKey): AlertRecord | undefined {
    return this.byTicket.get(ticketKey(key.ruleId, key.tenant, key.host))?.get(key.instance);
  }

  /** Keeps the record in memory; with `persist`, also in the store (call on every transition). */
  set(key: AlertKey, record: AlertRecord, persist: boolean): void {
    if (record.status === 'inactive' && record.resolvedAt === null) {
      this.forget(key);
      return;
    }
    this.remember(key, record);
    if (persist) this.store.put(key, record, record.lastAt);
  }

  /** The instances of one ticket key, with their records. */
  instances(ruleId: string, tenant: string, host: string): ReadonlyMap<string, AlertRecord> {
    return this.byTicket.get(ticketKey(ruleId, tenant, host)) ?? EMPTY;
  }

  *entries(): Generator<[AlertKey, AlertRecord]> {
    for (const [k, instances] of this.byTicket) {
      const [ruleId = '', tenant = '', host = ''] = k.split(SEP);
      for (const [instance, record] of instances) yield [{ ruleId, tenant, host, instance }, record];
    }
  }

  /** Drops resolved alerts older than keepResolvedMs (from memory and store). */
  sweep(now: number, keepResolvedMs: number): void {
    for (const [key, record] of [...this.entries()]) if (isForgettable(record, now, keepResolvedMs)) this.forget(key);
  }

  private remember(key: AlertKey, record: AlertRecord): void {
    const k = ticketKey(key.ruleId, key.tenant, key.host);
    let instances = this.byTicket.get(k);
    if (!instances) this.byTicket.set(k, (instances = new Map()));
    instances.set(key.instance, record);
  }

  private forget(key: AlertKey): void {
    const k = ticketKey(key.ruleId, key.tenant, key.host);
    const instances = this.byTicket.get(k);
    if (!instances?.delete(key.instance)) return;
    if (instances.size === 0) this.byTicket.delete(k);
    this.store.delete(key);
  }
}
