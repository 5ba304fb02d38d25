// The admin API (/api/v1/*, bearer admin key) and GET /metrics (Prometheus text, open like any exporter: it
// holds counts, never names or secrets).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../store/index.js';
import type { CollectorMetrics } from '../metrics.js';
import type { AgentHub } from '../agent-socket.js';
import { httpErrors } from '../errors.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares digests so the comparison is constant-time whatever the lengths. */
export function adminKeyCheck(adminKey: string): (request: FastifyRequest) => Promise<void> {
  const expected = adminKey ? digest(adminKey) : null;
  return async (request) => {
    if (!expected) throw httpErrors.apiDisabled();
    const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
    if (!match || !timingSafeEqual(digest(match[1]!.trim()), expected)) {
      request.log.warn({ ip: request.ip, url: request.url }, 'API request refused: bad admin key');
      throw httpErrors.unauthorized();
    }
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
}

const iso = (ms: number | null | undefined): string | null => (ms ? new Date(ms).toISOString() : null);

export function agentViews(store: Store, hub: AgentHub): AgentView[] {
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
  }));
}

export function registerApi(
  app: FastifyInstance,
  deps: { store: Store; hub: AgentHub; metrics: CollectorMetrics; adminKey: string },
): void {
  app.get('/metrics', async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  const onRequest = adminKeyCheck(deps.adminKey);
  app.get('/api/v1/agents', { onRequest }, async () => ({ agents: agentViews(deps.store, deps.hub) }));
}
