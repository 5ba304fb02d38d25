// Alert states: the state machine's record of each (rule, tenant, host, instance) that is not plain inactive,
// kept so a collector restart resumes a pending or firing alert instead of losing or repeating it. The state is
// JSON the store never looks into; its shape belongs to the state machine.
import type { AlertKey } from '../alerting/contract.js';
import type { Db } from './db.js';

export interface StoredAlertState {
  key: AlertKey;
  state: unknown;
  updatedAt: number;
}

export interface AlertStateStore {
  /** Every stored state (read once at start). */
  all(): StoredAlertState[];
  get(key: AlertKey): StoredAlertState | null;
  /** Inserts or replaces the key's state. `state` must survive JSON.stringify (no functions, no bigint). */
  put(key: AlertKey, state: unknown, at: number): void;
  /** Idempotent. */
  delete(key: AlertKey): void;
  /** One host's states, e.g. to show what is pending or firing on it. */
  forHost(tenant: string, host: string): StoredAlertState[];
}

interface Row {
  rule_id: string;
  tenant: string;
  host: string;
  instance: string;
  state: string;
  updated_at: number;
}

const COLUMNS = 'rule_id, tenant, host, instance, state, updated_at';
const ORDER = 'ORDER BY tenant, host, rule_id, instance';

const toStored = (r: Row): StoredAlertState => ({
  key: { ruleId: r.rule_id, tenant: r.tenant, host: r.host, instance: r.instance },
  state: JSON.parse(r.state) as unknown,
  updatedAt: r.updated_at,
});

export function createAlertStateStore(db: Db): AlertStateStore {
  const upsert = db.prepare(`INSERT INTO alert_states (${COLUMNS}) VALUES (@ruleId, @tenant, @host, @instance, @state, @at)
    ON CONFLICT (rule_id, tenant, host, instance) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`);
  const remove = db.prepare('DELETE FROM alert_states WHERE rule_id = @ruleId AND tenant = @tenant AND host = @host AND instance = @instance');
  const one = db.prepare(`SELECT ${COLUMNS} FROM alert_states WHERE rule_id = @ruleId AND tenant = @tenant AND host = @host AND instance = @instance`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM alert_states ${ORDER}`);
  const byHost = db.prepare(`SELECT ${COLUMNS} FROM alert_states WHERE tenant = ? AND host = ? ${ORDER}`);
  const keyParams = (k: AlertKey) => ({ ruleId: k.ruleId, tenant: k.tenant, host: k.host, instance: k.instance });
  return {
    all: () => (all.all() as Row[]).map(toStored),
    get: (key) => {
      const row = one.get(keyParams(key)) as Row | undefined;
      return row ? toStored(row) : null;
    },
    put: (key, state, at) => void upsert.run({ ...keyParams(key), state: JSON.stringify(state) ?? 'null', at: Math.trunc(at) }),
    delete: (key) => void remove.run(keyParams(key)),
    forHost: (tenant, host) => (byHost.all(tenant, host) as Row[]).map(toStored),
  };
}
