// cluster/ owns what several collectors sharing one PostgreSQL store agree on: who each is, which one is the
// leader, and the news they pass each other (reloads). On a SQLite store there is one collector, always the leader.
//
// Each serving collector registers under a new id (store.collectors) and says it is alive every ALIVE_EVERY_MS; one
// that stops saying so for COLLECTOR_STALE_MS is dead to the others (its agents' open sessions are ended by the
// leader). Leadership is a PostgreSQL session-level advisory lock (pg_try_advisory_lock) held on a connection of
// its own: PostgreSQL releases it the moment that connection goes (the process died, was killed, lost the
// database), and the others try for it every LEADER_POLL_MS, so a dead leader is replaced within about a second
// on a LAN. The leader runs the time-driven work once for the whole fleet (absence and other tick-driven rules,
// SLA clocks, the open-tickets gauge, compliance's slow tick, report mail, the patch gauge, the end of dead
// collectors' sessions); every collector runs what concerns its own connections.
//
// Decision: the lock's connection is a plain async `pg` client, not the store's synchronous one, because it must
// notice its own loss (an 'error' or 'end' event) between statements, and because LISTEN needs a connection that
// waits. A collector that loses that connection stops being the leader at once, before it could know whether
// another took over.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Store } from '../store/index.js';

/** How often a collector says it is alive. */
export const ALIVE_EVERY_MS = 2_000;
/** A collector silent this long is dead to the others. */
export const COLLECTOR_STALE_MS = 10_000;
/** How often a follower tries to become the leader (and the leader checks its lock connection). */
export const LEADER_POLL_MS = 1_000;
/** The advisory lock's key: 'WPLD'. */
export const LEADER_LOCK_KEY = 0x57504c44;
/** The NOTIFY channel collectors tell each other on. */
export const CLUSTER_CHANNEL = 'watchpost_cluster';

export type ClusterNews = { kind: 'reload'; from: string; at: number };

export interface ClusterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface Cluster {
  /** This collector's id (new at every start). */
  readonly id: string;
  /** Whether other collectors may share the store (PostgreSQL). */
  readonly shared: boolean;
  isLeader(): boolean;
  /** Called with true when this collector becomes the leader, false when it stops being it. */
  onLeadership(listener: (leader: boolean) => void): void;
  /** The ids of the collectors alive now, this one included. */
  liveCollectors(): string[];
  /** Tells every other collector (not this one). */
  tell(news: Omit<ClusterNews, 'from' | 'at'>): Promise<void>;
  onNews(listener: (news: ClusterNews, delayMs: number) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterDeps {
  store: Store;
  /** The store's PostgreSQL URL; absent for SQLite. */
  url?: string;
  hostname: string;
  log: ClusterLog;
  now?: () => number;
}

export function newCollectorId(): string {
  return `c_${randomBytes(8).toString('hex')}`;
}

export function createCluster(deps: ClusterDeps): Cluster {
  return deps.url ? sharedCluster(deps, deps.url) : singleCollector(deps);
}

/** One collector on its own SQLite file: always the leader, nobody to tell. */
function singleCollector(deps: ClusterDeps): Cluster {
  const id = newCollectorId();
  const leadership: ((leader: boolean) => void)[] = [];
  return {
    id,
    shared: false,
    isLeader: () => true,
    onLeadership: (listener) => void leadership.push(listener),
    liveCollectors: () => [id],
    tell: async () => undefined,
    onNews: () => undefined,
    start: async () => {
      deps.store.collectors.register(id, deps.hostname, Math.trunc((deps.now ?? Date.now)()));
      for (const l of leadership) l(true);
    },
    stop: async () => deps.store.collectors.stopped(id, Math.trunc((deps.now ?? Date.now)())),
  };
}

function sharedCluster(deps: ClusterDeps, url: string): Cluster {
  const now = deps.now ?? Date.now;
  const { store, log } = deps;
  const id = newCollectorId();
  const leadership: ((leader: boolean) => void)[] = [];
  const newsListeners: ((news: ClusterNews, delayMs: number) => void)[] = [];
  let leader = false;
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let stopped = false;
  let timers: NodeJS.Timeout[] = [];

  const setLeader = (next: boolean, why: string): void => {
    if (next === leader) return;
    leader = next;
    log.info({ collector: id, why }, next ? 'cluster: this collector is now the leader' : 'cluster: this collector is no longer the leader');
    for (const l of leadership) l(next);
  };

  const lost = (reason: string): void => {
    const gone = client;
    client = undefined;
    gone?.end().catch(() => undefined);
    setLeader(false, reason);
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true, application_name: `watchpost-collector ${id} lock` });
    next.on('error', (error) => {
      if (client === next) lost(`lock connection: ${error.message}`);
    });
    next.on('end', () => {
      if (client === next) lost('lock connection closed');
    });
    next.on('notification', (message) => {
      if (message.channel !== CLUSTER_CHANNEL || !message.payload) return;
      let news: ClusterNews;
      try {
        news = JSON.parse(message.payload) as ClusterNews;
      } catch {
        return;
      }
      if (news.from === id) return;
      const delay = Math.max(0, now() - news.at);
      for (const l of newsListeners) l(news, delay);
    });
    await next.connect();
    await next.query(`LISTEN ${CLUSTER_CHANNEL}`);
    client = next;
  };

  const poll = async (): Promise<void> => {
    if (stopped) return;
    try {
      if (!client) {
        connecting ??= connect().finally(() => (connecting = undefined));
        await connecting;
      }
      if (!leader && client) {
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [LEADER_LOCK_KEY]);
        if (rows[0]?.locked) setLeader(true, 'took the leader lock');
      }
    } catch (error) {
      if (client) lost(`lock connection: ${(error as Error).message}`);
    }
  };

  const alive = (): void => {
    try {
      const t = Math.trunc(now());
      if (!store.collectors.alive(id, t)) store.collectors.register(id, deps.hostname, t);
    } catch (error) {
      log.warn({ collector: id, err: (error as Error).message }, 'cluster: could not say this collector is alive');
    }
  };

  return {
    id,
    shared: true,
    isLeader: () => leader,
    onLeadership: (listener) => void leadership.push(listener),
    liveCollectors: () => {
      const ids = store.collectors.live(now() - COLLECTOR_STALE_MS).map((c) => c.id);
      return ids.includes(id) ? ids : [...ids, id];
    },
    tell: async (news) => {
      const payload = JSON.stringify({ ...news, from: id, at: Math.trunc(now()) });
      if (!client) throw new Error('not connected to PostgreSQL');
      await client.query('SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, payload]);
    },
    onNews: (listener) => void newsListeners.push(listener),
    start: async () => {
      store.collectors.register(id, deps.hostname, Math.trunc(now()));
      log.info({ collector: id }, 'cluster: collector registered in the shared store');
      await poll();
      timers = [setInterval(() => void poll(), LEADER_POLL_MS).unref(), setInterval(alive, ALIVE_EVERY_MS).unref()];
    },
    stop: async () => {
      stopped = true;
      for (const t of timers) clearInterval(t);
      const gone = client;
      client = undefined;
      setLeader(false, 'stopping');
      await gone?.end().catch(() => undefined);
      try {
        store.collectors.stopped(id, Math.trunc(now()));
      } catch {
        // the store is unreachable: the others see this collector go silent instead
      }
    },
  };
}
