// The collectors sharing this store, and reloads across them.
//   GET  /api/v1/collectors (admin): every registered collector with its signs of life, and which one answered
//        (its id, and whether it leads): what an operator reads to see the cluster behind the balancer.
//   POST /api/v1/reload (admin): this collector reloads what SIGHUP reloads, and tells every other collector to do
//        the same (cluster.ts: PostgreSQL NOTIFY); the answer says whether the others were told.
import type { FastifyInstance } from 'fastify';
import type { Cluster } from '../cluster/cluster.js';
import { COLLECTOR_STALE_MS } from '../cluster/cluster.js';
import type { Store } from '../store/index.js';

export interface ClusterRouteDeps {
  store: Pick<Store, 'collectors'>;
  cluster: Cluster;
  /** What SIGHUP does here (serve sets it); absent: nothing to reload (tests, embedded use). */
  reload: () => (() => void) | undefined;
  now?: () => number;
}

export function registerClusterRoutes(app: FastifyInstance, deps: ClusterRouteDeps): void {
  const now = deps.now ?? Date.now;
  app.get('/api/v1/collectors', { config: { access: 'admin' } }, async () => {
    const t = now();
    return {
      self: { id: deps.cluster.id, leader: deps.cluster.isLeader() },
      collectors: deps.store.collectors.list().map((c) => ({ ...c, alive: c.stoppedAt === null && c.seenAt >= t - COLLECTOR_STALE_MS })),
    };
  });
  app.post('/api/v1/reload', { config: { access: 'admin' } }, async (request) => {
    deps.reload()?.();
    let told = false;
    if (deps.cluster.shared) {
      try {
        await deps.cluster.tell({ kind: 'reload' });
        told = true;
      } catch (error) {
        request.log.warn({ err: (error as Error).message }, 'cluster: could not tell the other collectors to reload');
      }
    }
    return { reloaded: deps.reload() !== undefined, collector: deps.cluster.id, othersTold: told };
  });
}
