// Each agent's connection history: one row per authenticated link, from its accepted Hello to its close. The serving
// collector writes it (agent-link/agent-socket.ts); the availability section of the monthly report and the
// powered_on_overnight standard read it. The table is bounded: rows that ended more than a retention ago are pruned.
//
// At most one session per agent is open (a partial unique index): a link admitted while an older one of the same
// agent is still open ends the older one at that moment ('replaced'), on whichever collector it was. A collector
// that stopped without recording its disconnects (crash, SIGKILL, power cut) leaves its sessions open; recover()
// ends them: the next collector to start on a SQLite file (it was the only one), and on a shared database any
// collector that sees the dead one's signs of life stop (collectors.ts).
import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { dialectOf, scalarMinMax } from './sql.js';

/** How a session's end was recorded. `restart`: estimated at collector start from the agent's last sign of life. */
export type SessionEnd = 'disconnect' | 'replaced' | 'restart';

export interface AgentConnection {
  agentId: string;
  tenant: string;
  connectedAt: number;
  /** null while the link is open. */
  disconnectedAt: number | null;
  end: SessionEnd | null;
}

export interface SessionStore {
  /**
   * The agent's link was admitted at `at` by `collector` (its id; null: not recorded): ends its open session there
   * ('replaced'), if any, and opens one.
   */
  open(agentId: string, tenant: string, at: number, collector?: string | null): void;
  /**
   * The agent's link closed at `at`: ends its open session (never before it began). With `collector`, only a
   * session that collector holds (the agent may have reconnected to another collector first). False when none was
   * open.
   */
  close(agentId: string, at: number, end?: SessionEnd, collector?: string): boolean;
  /** The open sessions and the collector holding each (null: not recorded). */
  held(): { agentId: string; collector: string | null }[];
  /**
   * Ends every open session held by none of `liveCollectors` (ids; a session with no collector recorded counts as
   * held by none) at its agent's last_seen_at (agents table), and records `at` as the start of the history if none
   * is. Returns how many it ended. Called when a serving collector starts, before any agent can connect (with no
   * live collector on a SQLite file: the previous process was the only one), and on a shared database also on the
   * leader's tick with the collectors still alive. Only a serving collector may call it: the CLI would end live
   * sessions.
   */
  recover(at: number, liveCollectors?: readonly string[]): number;
  /** The agent's sessions that overlap [from, to), oldest first (an open one included). */
  overlapping(agentId: string, from: number, to: number): AgentConnection[];
  /** When the collector began recording connections (the first recover()); null before. */
  historyStart(): number | null;
  /** Deletes the sessions that ended before `before` (open ones stay); returns how many. */
  prune(before: number): number;
}

interface SessionRow {
  agent_id: string;
  tenant: string;
  connected_at: number;
  disconnected_at: number | null;
  end_reason: SessionEnd | null;
}

const toSession = (r: SessionRow): AgentConnection => ({
  agentId: r.agent_id,
  tenant: r.tenant,
  connectedAt: r.connected_at,
  disconnectedAt: r.disconnected_at,
  end: r.end_reason,
});

function checkTime(what: string, ms: number): number {
  if (!Number.isFinite(ms)) throw new StoreError('invalid_argument', `${what} must be unix ms`);
  return Math.trunc(ms);
}

export function createSessionStore(db: Db): SessionStore {
  const { least, greatest } = scalarMinMax(db);
  // The live collectors' ids come as one JSON array parameter.
  const liveIds = dialectOf(db) === 'postgres' ? 'SELECT json_array_elements_text(CAST(@live AS json))' : 'SELECT value FROM json_each(@live)';
  const end = db.prepare(
    `UPDATE agent_sessions SET disconnected_at = ${greatest}(connected_at, @at), end_reason = @end WHERE agent_id = @agentId AND disconnected_at IS NULL`,
  );
  const insert = db.prepare('INSERT INTO agent_sessions (agent_id, tenant, connected_at, collector) VALUES (?, ?, ?, ?)');
  // last_seen_at is rewritten once per heartbeat while the agent is connected (store/agents.ts), so it is the latest
  // moment the dead process knew the link alive. Never `now`: the time between the crash and this start was not
  // connected time, and counting it would invent availability. A missing or earlier last_seen_at (a Hello whose
  // touch failed) ends the session where it began: nothing is claimed that was not recorded.
  const endDangling = db.prepare(
    `UPDATE agent_sessions SET end_reason = 'restart', disconnected_at = ${greatest}(connected_at,
       ${least}(@at, coalesce((SELECT last_seen_at FROM agents WHERE agents.id = agent_sessions.agent_id), connected_at)))
     WHERE disconnected_at IS NULL AND (collector IS NULL OR collector NOT IN (${liveIds}))`,
  );
  const markStart = db.prepare('INSERT INTO agent_session_history (id, started_at) VALUES (1, ?) ON CONFLICT DO NOTHING');
  const start = db.prepare('SELECT started_at FROM agent_session_history WHERE id = 1').pluck();
  const overlapping = db.prepare(
    `SELECT agent_id, tenant, connected_at, disconnected_at, end_reason FROM agent_sessions
     WHERE agent_id = ? AND connected_at < ? AND (disconnected_at IS NULL OR disconnected_at > ?) ORDER BY connected_at, id`,
  );
  const prune = db.prepare('DELETE FROM agent_sessions WHERE disconnected_at IS NOT NULL AND disconnected_at < ?');
  const endHeld = db.prepare(
    `UPDATE agent_sessions SET disconnected_at = ${greatest}(connected_at, @at), end_reason = @end
     WHERE agent_id = @agentId AND disconnected_at IS NULL AND collector = @collector`,
  );
  const held = db.prepare('SELECT agent_id AS "agentId", collector FROM agent_sessions WHERE disconnected_at IS NULL');
  const openTx = db.transaction((agentId: string, tenant: string, at: number, collector: string | null) => {
    end.run({ agentId, at, end: 'replaced' });
    insert.run(agentId, tenant, at, collector);
  });
  const recoverTx = db.transaction((at: number, live: readonly string[]) => {
    markStart.run(at);
    return endDangling.run({ at, live: JSON.stringify(live) }).changes;
  });
  return {
    open: (agentId, tenant, at, collector = null) => openTx.immediate(agentId, tenant, checkTime('connectedAt', at), collector),
    close: (agentId, at, reason = 'disconnect', collector) =>
      (collector === undefined ? end : endHeld).run({
        agentId,
        at: checkTime('disconnectedAt', at),
        end: reason,
        ...(collector === undefined ? {} : { collector }),
      }).changes > 0,
    held: () => held.all() as { agentId: string; collector: string | null }[],
    recover: (at, live = []) => recoverTx.immediate(checkTime('at', at), live),
    overlapping: (agentId, from, to) => (overlapping.all(agentId, Math.trunc(to), Math.trunc(from)) as SessionRow[]).map(toSession),
    historyStart: () => (start.get() as number | undefined) ?? null,
    prune: (before) => prune.run(Math.trunc(before)).changes,
  };
}
