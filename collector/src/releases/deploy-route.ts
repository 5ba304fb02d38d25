// GET /api/v1/deploy/install.sh and /api/v1/deploy/windows.ps1: the installer for the bearer enrollment token's
// tenant (checked, not consumed), embedding the collector URL, the token, the release a new install gets (the
// tenant's rollout version, else the newest) and the SHA-256 of each executable.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../store/index.js';
import type { IpRateLimitHook } from '../http/ip-rate-limit.js';
import { tokenReader } from './auth.js';
import { DEPLOY_PATH, DeployScriptError, installSh, PS_SCRIPT, SH_SCRIPT, windowsPs1, type DeployScriptInput } from './deploy-scripts.js';
import { httpErrors } from '../errors.js';
import type { UpdateService } from './update-service.js';

export interface DeployRouteDeps {
  store: Store;
  updates: UpdateService;
  /** server.publicUrl; empty: the scheme and Host the client used. */
  publicUrl: string;
  ipRateLimit: IpRateLimitHook;
}

/** host[:port], a bracketed IPv6 address[:port]: nothing else may become part of a script's URL. */
const HOST_HEADER = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$/;

function serverUrl(request: FastifyRequest, publicUrl: string): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  if (!HOST_HEADER.test(request.host)) throw httpErrors.badHost();
  return `${request.protocol}://${request.host}`;
}

type Render = (input: DeployScriptInput) => string;

export function registerDeployRoutes(app: FastifyInstance, deps: DeployRouteDeps): void {
  const serveScript = (script: string, render: Render) => async (request: FastifyRequest, reply: FastifyReply) => {
    const reader = tokenReader(deps.store, request);
    const chosen = deps.updates.installRelease(reader.tenant);
    if ('error' in chosen) throw httpErrors.noRelease(chosen.error);
    const { release } = chosen;
    let text: string;
    try {
      text = render({
        server: serverUrl(request, deps.publicUrl),
        token: reader.token,
        tenant: reader.tenant,
        version: release.version,
        executables: Object.fromEntries([...release.executables].map(([target, e]) => [target, e.sha256])),
        serviceHostSha256: release.serviceHost?.sha256 ?? null,
      });
    } catch (error) {
      if (error instanceof DeployScriptError) throw httpErrors.noRelease(error.message);
      throw error;
    }
    request.log.info({ script, tenant: reader.tenant, tokenId: reader.tokenId, version: release.version, ip: request.ip }, 'deployment script served');
    // It holds the token: no cache may keep it.
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(text);
  };
  const options = { onRequest: deps.ipRateLimit, config: { access: 'own-credential' } } as const;
  app.get(`${DEPLOY_PATH}/${SH_SCRIPT}`, options, serveScript(SH_SCRIPT, installSh));
  app.get(`${DEPLOY_PATH}/${PS_SCRIPT}`, options, serveScript(PS_SCRIPT, windowsPs1));
}
