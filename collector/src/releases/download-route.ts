// GET /api/v1/releases/:version/:target streams one executable of a loaded release, and
// GET /api/v1/releases/:version/service-host the Windows service host (WinSW) it carries. The path is never built
// from the request: version and name only select among the files the loaded manifests listed.
import { open } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../store/index.js';
import type { IpRateLimitHook } from '../http/ip-rate-limit.js';
import { agentOrTokenReader } from './auth.js';
import { httpErrors } from '../errors.js';
import type { ReleaseFile, ReleaseSet } from './release-set.js';
import { isTarget, SERVICE_HOST } from './targets.js';
import { RELEASES_PATH } from './update-service.js';

export const SHA256_HEADER = 'x-watchpost-sha256';

const Params = Type.Object({ version: Type.String({ maxLength: 64 }), name: Type.String({ maxLength: 64 }) });

function fileOf(releases: ReleaseSet, version: string, name: string): ReleaseFile | null {
  const release = releases.get(version);
  if (!release) return null;
  if (name === SERVICE_HOST) return release.serviceHost;
  return isTarget(name) ? (release.executables.get(name) ?? null) : null;
}

export function registerDownloadRoute(app: FastifyInstance, deps: { store: Store; releases: () => ReleaseSet; ipRateLimit: IpRateLimitHook }): void {
  // Rate limited per source IP like the other credential checks (upgrades, enrollments, deployment scripts), in
  // onRequest: a refused address costs neither a credential check nor a file.
  const options = { onRequest: deps.ipRateLimit, config: { access: 'own-credential' }, schema: { params: Params } } as const;
  app.get<{ Params: Static<typeof Params> }>(`${RELEASES_PATH}/:version/:name`, options, async (request, reply) => {
    const reader = agentOrTokenReader(deps.store, request);
    const { version, name } = request.params;
    const file = fileOf(deps.releases(), version, name);
    if (!file) throw httpErrors.releaseUnknown(version, name);
    // Opened, then checked: the bytes sent are those of the file that was measured (a file replaced in place
    // without a reload would otherwise go out under the old hash).
    const handle = await open(file.path, 'r').catch(() => null);
    if (!handle) throw httpErrors.releaseChanged(file.file);
    const stat = await handle.stat();
    if (stat.size !== file.bytes) {
      await handle.close();
      throw httpErrors.releaseChanged(file.file);
    }
    request.log.info(
      { version, name, reader: reader.kind, tenant: reader.tenant, ...(reader.kind === 'agent' ? { agentId: reader.agentId } : { tokenId: reader.tokenId }) },
      'release download',
    );
    return reply
      .type('application/octet-stream')
      .header('content-length', file.bytes)
      .header(SHA256_HEADER, file.sha256)
      .header('content-disposition', `attachment; filename="${file.file}"`)
      .header('cache-control', 'no-store')
      .send(handle.createReadStream());
  });
}
