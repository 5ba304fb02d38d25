// A bare Fastify app with one group of API routes over a real SQLite store in a temp dir, driven by inject(), with
// the collector's route access (API keys, scopes) and error handler (app.ts): coded errors as { error, message }.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { HttpError } from '../../../collector/src/errors.js';
import { createMetrics } from '../../../collector/src/metrics.js';
import { installRouteAccess } from '../../../collector/src/routes/access.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';

export const ADMIN_KEY = 'routes-test-admin-key';
export const AUTH = { authorization: `Bearer ${ADMIN_KEY}` };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

export interface Clock {
  now: () => number;
  set(ms: number): void;
}

export function fixedClock(start: number): Clock {
  let t = start;
  return { now: () => t, set: (ms) => void (t = ms) };
}

export async function routeApp(
  register: (app: FastifyInstance, deps: { store: Store; adminKey: string; now: () => number }) => void,
  clock: Clock,
): Promise<{ app: FastifyInstance; store: Store; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-routes-'));
  const file = join(dir, 'watchpost.db');
  const store = openStore(file, { now: clock.now });
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const app = Fastify({ logger: false });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    return reply.code(error.statusCode ?? 500).send({ error: error.code ?? 'error', message: error.message });
  });
  installRouteAccess(app, { adminKey: ADMIN_KEY, apiKeys: store.apiKeys, metrics: createMetrics({ defaultMetrics: false }) });
  register(app, { store, adminKey: ADMIN_KEY, now: clock.now });
  await app.ready();
  cleanups.push(async () => {
    await app.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, store, file };
}
