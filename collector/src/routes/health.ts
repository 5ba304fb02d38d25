// GET /healthz: unauthenticated, for load balancers and monitors. 200 when the collector can store what it
// acks; 503 with the reason otherwise (while InfluxDB or the state store is down the collector keeps running and
// acks nothing, so a balancer sends agents to another collector). With several collectors the answer names this
// one and whether it leads.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/index.js';

export interface SinkStatus {
  healthy: boolean;
  reason?: string;
}

export interface HealthCluster {
  id: string;
  shared: boolean;
  isLeader(): boolean;
}

export function registerHealth(app: FastifyInstance, deps: { sink: { status(): SinkStatus }; store: Store; cluster?: HealthCluster }): void {
  app.get('/healthz', async (_request, reply) => {
    const influx = deps.sink.status();
    const store = deps.store.check();
    const checks = {
      influxdb: influx.healthy ? 'ok' : `unavailable: ${influx.reason ?? 'unknown'}`,
      ...(deps.store.backend === 'postgres' ? { store: store ? 'ok' : 'unavailable: PostgreSQL cannot be reached' } : {}),
    };
    const healthy = influx.healthy && store;
    const cluster = deps.cluster?.shared ? { collector: { id: deps.cluster.id, leader: deps.cluster.isLeader() } } : {};
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'unhealthy', checks, ...cluster });
  });
}
