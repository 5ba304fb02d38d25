// Each agent's latest OS identity (the os_* fields of its last `inventory` point), as JSON.
import type { Db } from './db.js';

export interface OsIdentityStore {
  /** Replaces the agent's identity if `observedAt` is not older than the stored one (replays arrive late). */
  put(agentId: string, identity: object, observedAt: number): void;
  get(agentId: string): { identity: Record<string, string>; observedAt: number } | null;
}

export function createOsIdentityStore(db: Db): OsIdentityStore {
  const upsert = db.prepare(`INSERT INTO agent_os (agent_id, identity, observed_at) VALUES (?, ?, ?)
    ON CONFLICT(agent_id) DO UPDATE SET identity = excluded.identity, observed_at = excluded.observed_at
    WHERE excluded.observed_at >= agent_os.observed_at`);
  const select = db.prepare('SELECT identity, observed_at FROM agent_os WHERE agent_id = ?');
  return {
    put(agentId, identity, observedAt) {
      upsert.run(agentId, JSON.stringify(identity), Math.trunc(observedAt));
    },
    get(agentId) {
      const row = select.get(agentId) as { identity: string; observed_at: number } | undefined;
      return row ? { identity: JSON.parse(row.identity) as Record<string, string>, observedAt: row.observed_at } : null;
    },
  };
}
