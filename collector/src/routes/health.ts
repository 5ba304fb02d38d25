// GET /healthz: unauthenticated, for load balancers and monitors. 200 when the collector can store what it
// acks; 503 with the reason otherwise (while InfluxDB is down the collector keeps running and acks nothing).
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/index.js';

export interface SinkStatus {
  healthy: boolean;
  reason?: string;
}

export function registerHealth(app: FastifyInstance, deps: { sink: { status(): SinkStatus }; store: Store }): void {
  app.get('/healthz', async (_request, reply) => {
    const influx = deps.sink.status();
    const checks = { influxdb: influx.healthy ? 'ok' : `unavailable: ${influx.reason ?? 'unknown'}` };
    const healthy = influx.healthy;
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'unhealthy', checks });
  });
}
