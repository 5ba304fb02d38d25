// GET /api/v1/releases/:version/:target streams one executable of a loaded release, and
// GET /api/v1/releases/:version/service-host the Windows service host (WinSW) it carries. The path is never built
// from the request: version and name only select among the files the loaded manifests listed.
//
// What is sent for an executable (negotiated, so an agent or script that asks for nothing gets the plain file):
//   Accept-Encoding with br, and X-Watchpost-Delta-From naming an executable of a loaded release of the same target
//       -> the delta from it (Content-Type DELTA_CONTENT_TYPE, Content-Encoding br) when it is smaller;
//   Accept-Encoding with br -> the brotli-compressed file (Content-Encoding br);
//   otherwise (older agents, install.sh's curl, PowerShell) -> the file as it is.
// The compressed file and the delta come from the transfer cache (transfer-cache.ts); one not made yet is queued and
// waited for up to PREPARE_WAIT_MS, then the next best is sent. X-Watchpost-Sha256 is always the hash of the
// executable itself, the one its signature covers.
import { open, type FileHandle } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../store/index.js';
import type { IpRateLimitHook } from '../http/ip-rate-limit.js';
import { agentOrTokenReader } from './auth.js';
import { httpErrors } from '../errors.js';
import type { ReleaseExecutable, ReleaseFile, ReleaseSet } from './release-set.js';
import { isTarget, SERVICE_HOST } from './targets.js';
import type { TransferCache } from './transfer-cache.js';
import { RELEASES_PATH } from './update-service.js';

export const SHA256_HEADER = 'x-watchpost-sha256';
/** Request: the SHA-256 of the executable the agent runs. Response: the one the delta starts from. */
export const DELTA_FROM_HEADER = 'x-watchpost-delta-from';
export const DELTA_CONTENT_TYPE = 'application/vnd.watchpost.delta';
/** How long a download waits for its compressed file or delta to be made: well below the agent's 60 s without a
 *  byte, after which it gives up. */
export const PREPARE_WAIT_MS = 30_000;

const Params = Type.Object({ version: Type.String({ maxLength: 64 }), name: Type.String({ maxLength: 64 }) });
const SHA256_HEX = /^[0-9a-f]{64}$/;

type Transfer = 'delta' | 'compressed' | 'plain';
interface Body {
  transfer: Transfer;
  path: string;
  /** The delta's source, for a delta. */
  from?: string;
}

function fileOf(releases: ReleaseSet, version: string, name: string): ReleaseFile | ReleaseExecutable | null {
  const release = releases.get(version);
  if (!release) return null;
  if (name === SERVICE_HOST) return release.serviceHost;
  return isTarget(name) ? (release.executables.get(name) ?? null) : null;
}

/** Whether an Accept-Encoding header accepts br (listed, and not with q=0). Pure; tested. */
export function acceptsBrotli(header: string | string[] | undefined): boolean {
  const list = Array.isArray(header) ? header.join(',') : (header ?? '');
  return list.split(',').some((item) => {
    const [coding = '', ...params] = item.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return coding === 'br' && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** The executable of a loaded release with this target and hash (the one the agent says it runs), if any. */
function executableBySha(releases: ReleaseSet, target: ReleaseExecutable['target'], sha256: string): ReleaseExecutable | undefined {
  for (const release of releases.list()) {
    const candidate = release.executables.get(target);
    if (candidate?.sha256 === sha256) return candidate;
  }
  return undefined;
}

interface AcceptHeaders {
  encoding: string | string[] | undefined;
  deltaFrom: string | string[] | undefined;
}

/** The smallest of what the request accepts and the cache has (or makes within PREPARE_WAIT_MS). */
async function chooseBody(cache: TransferCache | null, releases: ReleaseSet, file: ReleaseFile | ReleaseExecutable, accept: AcceptHeaders): Promise<Body> {
  const plain: Body = { transfer: 'plain', path: file.path };
  if (!cache || !('target' in file) || !acceptsBrotli(accept.encoding)) return plain;
  const deadline = performance.now() + PREPARE_WAIT_MS;
  const compressed = { kind: 'compressed', file } as const;
  const fromSha = typeof accept.deltaFrom === 'string' ? accept.deltaFrom.toLowerCase() : '';
  const from = SHA256_HEX.test(fromSha) && fromSha !== file.sha256 ? executableBySha(releases, file.target, fromSha) : undefined;
  const delta = from ? ({ kind: 'delta', from, to: file } as const) : undefined;
  // Both queued now, the delta first (a job starts as soon as it is queued, one at a time): the compressed file is
  // made next, for when the agent comes back for the full file.
  if (delta) cache.get(delta);
  cache.get(compressed);
  if (delta) {
    const made = await cache.settle(delta, deadline - performance.now());
    if (made && made.bytes < (cache.get(compressed)?.bytes ?? file.bytes)) return { transfer: 'delta', path: made.path, from: delta.from.sha256 };
  }
  const full = await cache.settle(compressed, deadline - performance.now());
  return full && full.bytes < file.bytes ? { transfer: 'compressed', path: full.path } : plain;
}

export interface DownloadRouteDeps {
  store: Store;
  releases: () => ReleaseSet;
  /** The compressed files and deltas; null: every download is the plain file. */
  cache: () => TransferCache | null;
  ipRateLimit: IpRateLimitHook;
}

export function registerDownloadRoute(app: FastifyInstance, deps: DownloadRouteDeps): void {
  // Rate limited per source IP like the other credential checks (upgrades, enrollments, deployment scripts), in
  // onRequest: a refused address costs neither a credential check nor a file.
  const options = { onRequest: deps.ipRateLimit, config: { access: 'own-credential' }, schema: { params: Params } } as const;
  app.get<{ Params: Static<typeof Params> }>(`${RELEASES_PATH}/:version/:name`, options, async (request, reply) => {
    const reader = agentOrTokenReader(deps.store, request);
    const { version, name } = request.params;
    const releases = deps.releases();
    const file = fileOf(releases, version, name);
    if (!file) throw httpErrors.releaseUnknown(version, name);
    const accept = { encoding: request.headers['accept-encoding'], deltaFrom: request.headers[DELTA_FROM_HEADER] };
    const body = await chooseBody(deps.cache(), releases, file, accept);
    // Opened, then checked: the bytes sent are those of the file that was measured (a file replaced in place
    // without a reload would otherwise go out under the old hash). Cached files are named by their content.
    const handle: FileHandle | null = await open(body.path, 'r').catch(() => null);
    if (!handle) throw httpErrors.releaseChanged(file.file);
    const { size } = await handle.stat();
    if (body.transfer === 'plain' && size !== file.bytes) {
      await handle.close();
      throw httpErrors.releaseChanged(file.file);
    }
    const who = reader.kind === 'agent' ? { agentId: reader.agentId } : { tokenId: reader.tokenId };
    request.log.info({ version, name, reader: reader.kind, tenant: reader.tenant, ...who, transfer: body.transfer, bytes: size }, 'release download');
    reply
      .type(body.transfer === 'delta' ? DELTA_CONTENT_TYPE : 'application/octet-stream')
      .header('content-length', size)
      .header(SHA256_HEADER, file.sha256)
      .header('content-disposition', `attachment; filename="${file.file}"`)
      .header('cache-control', 'no-store')
      .header('vary', `accept-encoding, ${DELTA_FROM_HEADER}`);
    if (body.transfer !== 'plain') reply.header('content-encoding', 'br');
    if (body.from) reply.header(DELTA_FROM_HEADER, body.from);
    return reply.send(handle.createReadStream());
  });
}
