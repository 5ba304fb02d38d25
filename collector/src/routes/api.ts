// The agents through the API (/api/v1/agents: a tenant key sees its tenant's; revoking is for admin keys) and
// GET /metrics (Prometheus text, open like any exporter: it holds counts, never names or secrets). Who may call
// which route is declared on each route (access.ts). A connected agent's live state (last seen, batch, ack, spool)
// comes from its session, so it is current; the store's copy (what the CLI reads) lags by up to about two heartbeats.
// With several collectors, an agent connected to another one shows as connected with the store's copy of its state.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AgentSpool, Store } from '../store/index.js';
import { isStoreError } from '../store/index.js';
import type { CollectorMetrics } from '../metrics.js';
import type { AgentHub } from '../agent-link/agent-socket.js';
import { httpErrors } from '../errors.js';
import type { OsSupportView } from '../os-support/os-support.js';
import { callerOf, listTenant } from './access.js';
import { renameAgent } from './agent-rename.js';
import { iso, isoOrNull } from './iso.js';

const RenameBody = Type.Object({ hostname: Type.String({ maxLength: 1024 }) }, { additionalProperties: false });
const AgentsQuery = Type.Object({ tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }, { additionalProperties: false });

export interface AgentView {
  agentId: string;
  tenant: string;
  hostname: string;
  os: string;
  arch: string;
  agentVersion: string;
  /** What the agent last reported at Hello when that differs from its bound hostname; null when it agrees. */
  reportedHostname: string | null;
  connected: boolean;
  /** With several collectors: the id of the one holding the agent's link (GET /api/v1/collectors); else absent. */
  collector?: string | null;
  enrolledAt: string;
  /** The latest frame or pong while connected; else the disconnect. */
  lastSeenAt: string | null;
  /** When the collector last received a batch from the agent, and last acked one. */
  lastBatchAt: string | null;
  lastAckAt: string | null;
  lastAckedSeq: number;
  /** The spool depth the agent last reported (its `agent` point, each minute); null before the first report. */
  spool: SpoolView | null;
  revoked: boolean;
  /** Support status of the agent's OS, from its latest inventory and the lifecycle table; null before one arrived. */
  osSupport: OsSupportView | null;
}

export interface SpoolView {
  batches: number;
  bytes: number | null;
  reportedAt: string;
}

const spoolView = (spool: AgentSpool | null): SpoolView | null => spool && { batches: spool.batches, bytes: spool.bytes, reportedAt: iso(spool.reportedAt) };

/** The agents of `tenant` (undefined: every tenant) as the API shows them; a connected one with its session's state. */
export function agentViews(
  store: Store,
  hub: AgentHub,
  osSupport: (agentId: string) => OsSupportView | null = () => null,
  tenant?: string,
  cluster?: { self: string; elsewhere: ReadonlyMap<string, string> },
): AgentView[] {
  return store.agents.list(tenant).map((a) => {
    const live = hub.sessions.get(a.id)?.live();
    return {
      agentId: a.id,
      tenant: a.tenant,
      hostname: a.hostname,
      os: a.os,
      arch: a.arch,
      agentVersion: a.agentVersion,
      reportedHostname: a.reportedHostname,
      connected: live !== undefined || cluster?.elsewhere.has(a.id) === true,
      ...(cluster ? { collector: live !== undefined ? cluster.self : (cluster.elsewhere.get(a.id) ?? null) } : {}),
      enrolledAt: iso(a.enrolledAt),
      lastSeenAt: isoOrNull(live?.lastSeenAt ?? a.lastSeenAt),
      lastBatchAt: isoOrNull(live?.lastBatchAt ?? a.lastBatchAt),
      lastAckAt: isoOrNull(live?.lastAckAt ?? a.lastAckAt),
      lastAckedSeq: live?.lastAckedSeq ?? a.lastAckedSeq,
      spool: spoolView(live?.spool ?? a.spool),
      revoked: a.revokedAt != null,
      osSupport: osSupport(a.id),
    };
  });
}

export function registerApi(
  app: FastifyInstance,
  deps: {
    store: Store;
    hub: AgentHub;
    metrics: CollectorMetrics;
    osSupport?: (agentId: string) => OsSupportView | null;
    /** With several collectors: this one's id, and the agents connected to another live one (agent -> its collector). */
    cluster?: { id: string; elsewhere(): ReadonlyMap<string, string> };
  },
): void {
  app.get('/metrics', async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  app.get<{ Querystring: Static<typeof AgentsQuery> }>(
    '/api/v1/agents',
    { config: { access: 'read' }, schema: { querystring: AgentsQuery } },
    async (request) => ({
      agents: agentViews(
        deps.store,
        deps.hub,
        deps.osSupport,
        listTenant(request, request.query.tenant),
        deps.cluster && { self: deps.cluster.id, elsewhere: deps.cluster.elsewhere() },
      ),
    }),
  );
  // Revokes the credential (authentication fails from now on) and closes the agent's live session at once.
  app.post<{ Params: { id: string } }>('/api/v1/agents/:id/revoke', { config: { access: 'admin' } }, async (request) => {
    const agentId = request.params.id;
    try {
      deps.store.agents.revoke(agentId);
    } catch (error) {
      if (isStoreError(error, 'agent_unknown')) throw httpErrors.agentUnknown(agentId);
      throw error;
    }
    const disconnected = deps.hub.revoke(agentId, 'api');
    request.log.info({ agentId, apiKeyId: callerOf(request).id, disconnected }, 'agent revoked through the API');
    return { agentId, revoked: true, disconnected };
  });
  // Binds another hostname to the agent (unique among the tenant's live agents); a live session uses it at once.
  app.post<{ Params: { id: string }; Body: { hostname: string } }>(
    '/api/v1/agents/:id/rename',
    { config: { access: 'admin' }, schema: { body: RenameBody } },
    async (request) => {
      const agentId = request.params.id;
      const agent = renameAgent(deps.store, agentId, request.body.hostname);
      const connected = deps.hub.rename(agentId, agent.hostname);
      request.log.info({ agentId, hostname: agent.hostname, apiKeyId: callerOf(request).id, connected }, 'agent renamed through the API');
      return { agentId, hostname: agent.hostname, connected };
    },
  );
}
