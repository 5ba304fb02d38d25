// Alert states: the state machine's record of each (rule, tenant, agent, instance) that is not plain inactive,
// kept so a collector restart resumes a pending or firing alert instead of losing or repeating it. The state is
// JSON the store never looks into; its shape belongs to the state machine. Each row also keeps the agent's
// hostname for display; it is not part of the key, and rename() updates it on all of the agent's rows at once.
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
  /** The state of the key's (ruleId, tenant, agentId, instance), whatever host it names. */
  get(key: AlertKey): StoredAlertState | null;
  /** Inserts or replaces the key's state (and its host). `state` must survive JSON.stringify (no functions, no bigint). */
  put(key: AlertKey, state: unknown, at: number): void;
  /** Idempotent. */
  delete(key: AlertKey): void;
  /** One agent's states, e.g. to show what is pending or firing on it. */
  forAgent(tenant: string, agentId: string): StoredAlertState[];
  /** Records the agent's current hostname on each of its states. */
  rename(tenant: string, agentId: string, host: string): void;
}

interface Row {
  rule_id: string;
  tenant: string;
  agent_id: string;
  host: string;
  instance: string;
  state: string;
  updated_at: number;
}

const COLUMNS = 'rule_id, tenant, agent_id, host, instance, state, updated_at';
const ORDER = 'ORDER BY tenant, agent_id, rule_id, instance';
const KEY = 'rule_id = @ruleId AND tenant = @tenant AND agent_id = @agentId AND instance = @instance';

const toStored = (r: Row): StoredAlertState => ({
  key: { ruleId: r.rule_id, tenant: r.tenant, agentId: r.agent_id, host: r.host, instance: r.instance },
  state: JSON.parse(r.state) as unknown,
  updatedAt: r.updated_at,
});

export function createAlertStateStore(db: Db): AlertStateStore {
  const upsert = db.prepare(`INSERT INTO alert_states (${COLUMNS}) VALUES (@ruleId, @tenant, @agentId, @host, @instance, @state, @at)
    ON CONFLICT (rule_id, tenant, agent_id, instance) DO UPDATE SET host = excluded.host, state = excluded.state, updated_at = excluded.updated_at`);
  const remove = db.prepare(`DELETE FROM alert_states WHERE ${KEY}`);
  const one = db.prepare(`SELECT ${COLUMNS} FROM alert_states WHERE ${KEY}`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM alert_states ${ORDER}`);
  const byAgent = db.prepare(`SELECT ${COLUMNS} FROM alert_states WHERE tenant = ? AND agent_id = ? ${ORDER}`);
  const rename = db.prepare('UPDATE alert_states SET host = ? WHERE tenant = ? AND agent_id = ? AND host != ?');
  const keyParams = (k: AlertKey) => ({ ruleId: k.ruleId, tenant: k.tenant, agentId: k.agentId, instance: k.instance });
  return {
    all: () => (all.all() as Row[]).map(toStored),
    get: (key) => {
      const row = one.get(keyParams(key)) as Row | undefined;
      return row ? toStored(row) : null;
    },
    put: (key, state, at) => void upsert.run({ ...keyParams(key), host: key.host, state: JSON.stringify(state) ?? 'null', at: Math.trunc(at) }),
    delete: (key) => void remove.run(keyParams(key)),
    forAgent: (tenant, agentId) => (byAgent.all(tenant, agentId) as Row[]).map(toStored),
    rename: (tenant, agentId, host) => void rename.run(host, tenant, agentId, host),
  };
}
