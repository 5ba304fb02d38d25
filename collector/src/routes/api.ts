// The admin API (/api/v1/*, bearer admin key) and GET /metrics (Prometheus text, open like any exporter: it
// holds counts, never names or secrets).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyStore, Store } from '../store/index.js';
import { isStoreError } from '../store/index.js';
import type { CollectorMetrics } from '../metrics.js';
import type { AgentHub } from '../agent-socket.js';
import { httpErrors } from '../errors.js';
import type { OsSupportView } from '../os-support.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
const SHA256_PREFIX = 'sha256:';

/** The bootstrap key's SHA-256, from its plaintext or from its "sha256:<hex>" form; null when none is set. */
export function bootstrapKeyDigest(adminKey: string): Buffer | null {
  if (!adminKey) return null;
  return adminKey.startsWith(SHA256_PREFIX) ? Buffer.from(adminKey.slice(SHA256_PREFIX.length), 'hex') : digest(adminKey);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Which admin key authorized the request: an API key id, or 'bootstrap' (adminKey). For audit logs. */
    adminKeyId?: string;
  }
}

/**
 * Accepts a stored API key (`wpk_…`, looked up by its id, secret compared in constant time) or the bootstrap
 * adminKey (digests compared in constant time, so neither lengths nor contents leak). With neither configured
 * the API is disabled. Never logs the presented key.
 */
export function adminKeyCheck(adminKey: string, apiKeys: ApiKeyStore): (request: FastifyRequest) => Promise<void> {
  const expected = bootstrapKeyDigest(adminKey);
  return async (request) => {
    if (!expected && apiKeys.activeCount() === 0) throw httpErrors.apiDisabled();
    const presented = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
    const stored = presented ? apiKeys.authenticate(presented) : null;
    if (stored) {
      request.adminKeyId = stored.id;
      return;
    }
    if (presented && expected && timingSafeEqual(digest(presented), expected)) {
      request.adminKeyId = 'bootstrap';
      return;
    }
    request.log.warn({ ip: request.ip, url: request.url }, 'API request refused: bad admin key');
    throw httpErrors.unauthorized();
  };
}

export interface AgentView {
  agentId: string;
  tenant: string;
  hostname: string;
  os: string;
  arch: string;
  agentVersion: string;
  connected: boolean;
  enrolledAt: string;
  lastSeenAt: string | null;
  lastAckedSeq: number;
  revoked: boolean;
  /** Support status of the agent's OS, from its latest inventory and the lifecycle table; null before one arrived. */
  osSupport: OsSupportView | null;
}

const iso = (ms: number | null | undefined): string | null => (ms ? new Date(ms).toISOString() : null);

export function agentViews(store: Store, hub: AgentHub, osSupport: (agentId: string) => OsSupportView | null = () => null): AgentView[] {
  return store.agents.list().map((a) => ({
    agentId: a.id,
    tenant: a.tenant,
    hostname: a.hostname,
    os: a.os,
    arch: a.arch,
    agentVersion: a.agentVersion,
    connected: hub.sessions.has(a.id),
    enrolledAt: iso(a.enrolledAt)!,
    lastSeenAt: iso(a.lastSeenAt),
    lastAckedSeq: a.lastAckedSeq,
    revoked: a.revokedAt != null,
    osSupport: osSupport(a.id),
  }));
}

export function registerApi(
  app: FastifyInstance,
  deps: { store: Store; hub: AgentHub; metrics: CollectorMetrics; adminKey: string; osSupport?: (agentId: string) => OsSupportView | null },
): void {
  app.get('/metrics', async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  const onRequest = adminKeyCheck(deps.adminKey, deps.store.apiKeys);
  app.get('/api/v1/agents', { onRequest }, async () => ({ agents: agentViews(deps.store, deps.hub, deps.osSupport) }));
  // Revokes the credential (authentication fails from now on) and closes the agent's live session at once.
  app.post<{ Params: { id: string } }>('/api/v1/agents/:id/revoke', { onRequest }, async (request) => {
    const agentId = request.params.id;
    try {
      deps.store.agents.revoke(agentId);
    } catch (error) {
      if (isStoreError(error, 'agent_unknown')) throw httpErrors.agentUnknown(agentId);
      throw error;
    }
    const disconnected = deps.hub.revoke(agentId, 'api');
    request.log.info({ agentId, adminKeyId: request.adminKeyId, disconnected }, 'agent revoked through the API');
    return { agentId, revoked: true, disconnected };
  });
}
