// The collector's side of releases in one registration: release downloads, deployment scripts, the rollout view.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/index.js';
import type { IpRateLimitHook } from '../http/ip-rate-limit.js';
import { registerDeployRoutes } from './deploy-route.js';
import { registerDownloadRoute } from './download-route.js';
import { registerUpdatesRoute } from './updates-route.js';
import type { UpdateService } from './update-service.js';

export { createUpdateService, type UpdateService } from './update-service.js';
export { releaseCacheDir } from './transfer-cache.js';

export interface ReleaseRouteDeps {
  store: Store;
  updates: UpdateService;
  publicUrl: string;
  ipRateLimit: IpRateLimitHook;
}

export function registerReleaseRoutes(app: FastifyInstance, deps: ReleaseRouteDeps): void {
  registerDownloadRoute(app, {
    store: deps.store,
    releases: () => deps.updates.releases(),
    cache: () => deps.updates.transfers(),
    ipRateLimit: deps.ipRateLimit,
  });
  // Before the server waits for open requests: downloads waiting for a transfer wake and send what is ready.
  app.addHook('preClose', async () => deps.updates.close());
  registerDeployRoutes(app, deps);
  registerUpdatesRoute(app, deps);
}
