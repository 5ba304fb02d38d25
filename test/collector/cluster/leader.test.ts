// Leadership and news between collectors sharing one PostgreSQL store, with a real PostgreSQL: one leader at a
// time, a new one within seconds when the leader stops or loses its lock connection, news told to the others only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createCluster, LEADER_POLL_MS, type Cluster, type ClusterNews } from '../../../collector/src/cluster/cluster.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';
import { startPostgres, type Postgres } from '../../../scripts/lib/postgres.js';
import { until } from '../../helpers/until.js';

let server: Postgres;
const opened: { store: Store; cluster: Cluster }[] = [];
const quiet = { info: () => undefined, warn: () => undefined };

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  for (const { cluster, store } of opened) {
    await cluster.stop();
    store.close();
  }
  await server?.destroy();
});

async function collectors(db: string, n: number): Promise<Cluster[]> {
  const url = await server.createDatabase(db);
  const out: Cluster[] = [];
  for (let i = 0; i < n; i++) {
    const store = openStore(url);
    const cluster = createCluster({ store, url, hostname: `collector-${i}`, log: quiet });
    opened.push({ store, cluster });
    out.push(cluster);
  }
  return out;
}

describe('cluster leadership on PostgreSQL', () => {
  it('has one leader among several, and another within seconds when it stops', async () => {
    const [a, b, c] = await collectors('leader_stop', 3);
    const changes: string[] = [];
    for (const x of [a!, b!, c!]) x.onLeadership((leader) => changes.push(`${x.id}:${leader}`));
    await Promise.all([a!.start(), b!.start(), c!.start()]);
    await until(() => [a, b, c].filter((x) => x!.isLeader()).length === 1, 5_000, 'one leader');
    const leader = [a!, b!, c!].find((x) => x.isLeader())!;
    expect(new Set(leader.liveCollectors())).toEqual(new Set([a!.id, b!.id, c!.id]));
    const stoppedAt = Date.now();
    await leader.stop();
    await until(() => [a, b, c].filter((x) => x!.isLeader()).length === 1, 5_000, 'a new leader');
    const next = [a!, b!, c!].find((x) => x.isLeader())!;
    const takeover = Date.now() - stoppedAt;
    expect(next.id).not.toBe(leader.id);
    expect(takeover).toBeLessThanOrEqual(2 * LEADER_POLL_MS + 500);
    expect(changes).toContain(`${leader.id}:false`);
    // The stopped collector is no longer among the live ones.
    expect(next.liveCollectors()).not.toContain(leader.id);
  });

  it('steps down at once when its lock connection is cut, and another takes the lead', async () => {
    const [a, b] = await collectors('leader_cut', 2);
    await Promise.all([a!.start(), b!.start()]);
    await until(() => a!.isLeader() !== b!.isLeader(), 5_000, 'one leader of two');
    const [leader, follower] = a!.isLeader() ? [a!, b!] : [b!, a!];
    const admin = new pg.Client({ connectionString: server.urlOf('leader_cut') });
    await admin.connect();
    try {
      // PostgreSQL ends the leader's lock session, as a network cut or a database restart would.
      const { rowCount } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [
        `watchpost-collector ${leader.id} lock`,
      ]);
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    await until(() => !leader.isLeader(), 3_000, 'the cut leader steps down');
    await until(() => follower.isLeader() || leader.isLeader(), 5_000, 'a leader again');
    expect([leader, follower].filter((x) => x.isLeader())).toHaveLength(1);
  });

  it('tells every other collector its news, not itself, and says how long the news took', async () => {
    const [a, b, c] = await collectors('news', 3);
    await Promise.all([a!.start(), b!.start(), c!.start()]);
    const heard: { by: string; news: ClusterNews; delayMs: number }[] = [];
    for (const x of [a!, b!, c!]) x.onNews((news, delayMs) => heard.push({ by: x.id, news, delayMs }));
    await a!.tell({ kind: 'reload' });
    await until(() => heard.length === 2, 3_000, 'the news heard by the other two');
    expect(heard.map((h) => h.by).sort()).toEqual([b!.id, c!.id].sort());
    for (const h of heard) {
      expect(h.news).toMatchObject({ kind: 'reload', from: a!.id });
      expect(h.delayMs).toBeLessThan(1_000);
    }
  });
});
