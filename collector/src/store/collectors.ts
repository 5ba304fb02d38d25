// The collectors serving from this store. Each serving process registers under a new id when it starts, says it is
// alive every few seconds and marks itself stopped when it shuts down; a collector killed without a word is the
// one whose last sign of life grows old. The others use that to end the agent sessions a dead collector left open
// (sessions.ts) and to tell which agents are connected somewhere.
import type { Db } from './db.js';
import { checkTime } from './checks.js';

export interface CollectorInfo {
  id: string;
  hostname: string;
  startedAt: number;
  seenAt: number;
  stoppedAt: number | null;
}

export interface CollectorStore {
  /** Registers a serving collector that starts at `at`. */
  register(id: string, hostname: string, at: number): void;
  /** Its sign of life; false when the id is unknown or marked stopped (then it should register again). */
  alive(id: string, at: number): boolean;
  /** It shut down cleanly at `at`. */
  stopped(id: string, at: number): void;
  /** The collectors not stopped whose last sign of life is at or after `since`. */
  live(since: number): CollectorInfo[];
  /** Every registered collector, newest first (at most `limit`). */
  list(limit?: number): CollectorInfo[];
  /** Forgets collectors stopped, or silent, since before `before`; returns how many. */
  prune(before: number): number;
}

interface Row {
  id: string;
  hostname: string;
  started_at: number;
  seen_at: number;
  stopped_at: number | null;
}

const toInfo = (r: Row): CollectorInfo => ({ id: r.id, hostname: r.hostname, startedAt: r.started_at, seenAt: r.seen_at, stoppedAt: r.stopped_at });

export function createCollectorStore(db: Db): CollectorStore {
  const insert = db.prepare('INSERT INTO collectors (id, hostname, started_at, seen_at) VALUES (?, ?, ?, ?)');
  const seen = db.prepare('UPDATE collectors SET seen_at = ? WHERE id = ? AND stopped_at IS NULL');
  const stop = db.prepare('UPDATE collectors SET stopped_at = ?, seen_at = ? WHERE id = ? AND stopped_at IS NULL');
  const live = db.prepare('SELECT * FROM collectors WHERE stopped_at IS NULL AND seen_at >= ? ORDER BY id');
  const list = db.prepare('SELECT * FROM collectors ORDER BY started_at DESC, id LIMIT ?');
  const prune = db.prepare('DELETE FROM collectors WHERE coalesce(stopped_at, seen_at) < ?');
  return {
    register: (id, hostname, at) => {
      checkTime('startedAt', at);
      insert.run(id, hostname, at, at);
    },
    alive: (id, at) => seen.run(Math.trunc(at), id).changes === 1,
    stopped: (id, at) => void stop.run(Math.trunc(at), Math.trunc(at), id),
    live: (since) => (live.all(Math.trunc(since)) as Row[]).map(toInfo),
    list: (limit = 100) => (list.all(limit) as Row[]).map(toInfo),
    prune: (before) => prune.run(Math.trunc(before)).changes,
  };
}
