// The collector's HTTP and WebSocket surface, built by a function that never listens: tests drive it through
// inject(), `serve` calls listen(). I/O dependencies (store, InfluxDB writer) are passed in.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import websocket from '@fastify/websocket';
import type { Config } from './config.js';
import { createMetrics, registerSinkGauges, type CollectorMetrics } from './metrics.js';
import { CLOSE, HttpError } from './errors.js';
import type { Store } from './store/index.js';
import type { PointSink } from './ingest.js';
import { registerAgentSocket, type AgentHub } from './agent-socket.js';
import { registerApi } from './routes/api.js';
import { registerHealth, type SinkStatus } from './routes/health.js';
import { registerEnroll } from './routes/enroll.js';
import { parseDuration } from './duration.js';

export interface AppDeps {
  config: Config;
  store: Store;
  sink: PointSink & { status(): SinkStatus };
  metrics?: CollectorMetrics;
  logger?: FastifyServerOptions['logger'];
}

export interface CollectorApp {
  app: FastifyInstance;
  hub: AgentHub;
  metrics: CollectorMetrics;
}

/** Request and header timeouts well below Node's defaults (300 s / 60 s): a slow client must not hold a socket. */
const REQUEST_TIMEOUT_MS = 30_000;
const BODY_LIMIT_BYTES = 64 * 1024;

export async function buildApp(deps: AppDeps): Promise<CollectorApp> {
  const metrics = deps.metrics ?? createMetrics();
  registerSinkGauges(metrics, deps.sink);
  const app = Fastify({
    logger: deps.logger ?? { level: deps.config.logLevel, redact: ['req.headers.authorization'] },
    requestTimeout: REQUEST_TIMEOUT_MS,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: false,
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send({ error: error.code ?? 'error', message: error.message });
  });
  await app.register(websocket, {
    options: { maxPayload: deps.config.agents.maxPayloadBytes, perMessageDeflate: false },
    // Agents learn why they were closed (1001) instead of the plugin's code-less close (1005).
    preClose(done) {
      for (const client of this.websocketServer.clients) client.close(CLOSE.goingAway, 'collector shutting down');
      this.websocketServer.close();
      done();
    },
  });
  const hub = registerAgentSocket(app, {
    store: deps.store,
    sink: deps.sink,
    metrics,
    heartbeatMs: parseDuration(deps.config.agents.heartbeat),
  });
  registerHealth(app, { sink: deps.sink, store: deps.store });
  registerEnroll(app, { store: deps.store, metrics });
  registerApi(app, { store: deps.store, hub, metrics, adminKey: deps.config.adminKey });
  return { app, hub, metrics };
}
