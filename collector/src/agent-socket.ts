// The WebSocket endpoint /agent/v1. Authentication happens in preValidation, i.e. during the HTTP upgrade and
// before a WebSocket exists: a refused agent gets a plain 401 and costs no WebSocket state. Before that, the
// source IP's upgrade rate is checked (429). A revoked agent is disconnected at once (hub.revoke).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { subprotocol, type watchpost } from '../../proto/index.js';
import { CLOSE } from './errors.js';
import type { CollectorMetrics } from './metrics.js';
import type { Store } from './store/index.js';
import { parseAgentCredential } from './store/index.js';
import { AgentSession, ACCEPTED_VERSIONS } from './agent-session.js';
import { resolvePolicy, type Policy } from './policy.js';
import type { AgentRecord, IngestDeps, PointSink } from './ingest.js';
import type { BucketRule } from './token-bucket.js';
import type { IpRateLimitHook } from './ip-rate-limit.js';
import type { ConnectionGuard } from './connection-guard.js';

export const AGENT_PATH = '/agent/v1';

export interface AgentHub {
  /** Live sessions by agent id. */
  sessions: Map<string, AgentSession>;
  /**
   * Closes the agent's live session with 4004 (counted and logged), after its credential was revoked in the
   * store. Returns whether a session was open. An agent between upgrade and Hello is caught at its Hello.
   */
  revoke(agentId: string, via: string): boolean;
  /** Sends every live agent its policy as resolved now (after the policy file was reloaded). */
  pushPolicy(): number;
  /** Sends every live agent whose update offer changed (after releases or rollouts were reloaded) its new offer. */
  pushUpdateOffers(): number;
}

/** Update offers (issue 9): the one at Hello, and the one to send after a reload when it changed. */
export interface SocketUpdates {
  offerFor(agent: AgentRecord, hello: watchpost.v1.IHello): watchpost.v1.IUpdateOffer | null;
  changedOffer(agent: AgentRecord): watchpost.v1.IUpdateOffer | null;
}

interface SocketDeps {
  store: Store;
  sink: PointSink;
  metrics: CollectorMetrics;
  heartbeatMs: number;
  limits: { frames: BucketRule; bytes: BucketRule };
  ipRateLimit: IpRateLimitHook;
  /** Authenticated upgrades are released from its per-IP count of unauthenticated connections. */
  connectionGuard(): ConnectionGuard;
  /** The central probe policy as loaded now. */
  policy(): Policy;
  /** Derives points from each batch (IngestDeps.observe). */
  observe?: IngestDeps['observe'];
  updates?: SocketUpdates;
}

declare module 'fastify' {
  interface FastifyRequest {
    watchpostAgent?: AgentRecord;
  }
}

const OFFERED_PROTOCOLS = new Set([...ACCEPTED_VERSIONS].map(subprotocol));

function offeredProtocols(request: FastifyRequest): string[] {
  const header = request.headers['sec-websocket-protocol'];
  return (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((p) => p.trim()).filter(Boolean);
}

export function registerAgentSocket(app: FastifyInstance, deps: SocketDeps): AgentHub {
  const sessions = new Map<string, AgentSession>();
  const { store, metrics } = deps;

  const authenticate = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const credential = parseAgentCredential(request.headers.authorization ?? '');
    const agent = credential ? store.agents.authenticate(credential.agentId, credential.secret) : null;
    if (!agent) {
      metrics.reject('unauthorized');
      request.log.warn({ ip: request.ip, agentId: credential?.agentId }, 'agent upgrade refused: unauthorized');
      return reply.code(401).send({ error: 'unauthorized', message: 'unknown, revoked or malformed agent credential' });
    }
    if (!offeredProtocols(request).some((p) => OFFERED_PROTOCOLS.has(p))) {
      metrics.reject('bad_subprotocol');
      request.log.warn({ agentId: agent.id }, 'agent upgrade refused: no supported subprotocol');
      return reply.code(400).send({ error: 'bad_subprotocol', message: `offer one of: ${[...OFFERED_PROTOCOLS].join(', ')}` });
    }
    deps.connectionGuard().release(request.raw.socket);
    request.watchpostAgent = { id: agent.id, tenant: agent.tenant, hostname: agent.hostname, lastAckedSeq: agent.lastAckedSeq };
  };

  const persist = (agent: AgentRecord) => {
    store.agents.touch(agent.id, { lastSeenAt: Date.now() });
    store.agents.setLastAckedSeq(agent.id, agent.lastAckedSeq);
  };
  // At shutdown the store closes right after the server; record every live agent now and forget the sessions,
  // so the sockets' late close events have nothing left to write.
  app.addHook('onClose', async () => {
    const live = [...sessions.values()];
    sessions.clear();
    for (const session of live) {
      persist(session.agent);
      session.close(CLOSE.goingAway, 'collector shutting down');
    }
    metrics.agentsConnected.set(0);
  });

  const revoke = (agentId: string, via: string): boolean => {
    const session = sessions.get(agentId);
    if (!session) return false;
    session.reject('revoked', CLOSE.revoked, 'credential revoked', { via });
    return true;
  };

  app.get(AGENT_PATH, { websocket: true, onRequest: deps.ipRateLimit, preValidation: authenticate }, (socket, request) => {
    const agent = request.watchpostAgent!;
    new AgentSession(socket, agent, {
      sink: deps.sink,
      metrics,
      log: request.log,
      heartbeatMs: deps.heartbeatMs,
      limits: deps.limits,
      isRevoked: (agentId) => store.agents.get(agentId)?.revokedAt != null,
      ...(deps.observe ? { observe: deps.observe } : {}),
      policyFor: (record) => resolvePolicy(deps.policy(), record.tenant, record.hostname),
      ...(deps.updates ? { updateOfferFor: deps.updates.offerFor } : {}),
      onHello: (record, hello) => {
        if (hello.hostname) record.hostname = hello.hostname.slice(0, 255);
        store.agents.touch(record.id, { lastSeenAt: Date.now(), hostname: record.hostname, agentVersion: hello.agentVersion ?? undefined });
      },
      // Kept in memory and persisted when the connection ends: one fsync'd write per ack per agent would cost
      // more than the ack itself at fleet scale, and the value is informational (acks never depend on it).
      onAcked: (record, seq) => {
        if (seq > record.lastAckedSeq) record.lastAckedSeq = seq;
      },
      onOpen: (session) => {
        sessions.get(agent.id)?.close(CLOSE.replaced, 'replaced by a newer connection of the same agent');
        sessions.set(agent.id, session);
        metrics.agentsConnected.set(sessions.size);
        request.log.info({ agentId: agent.id, tenant: agent.tenant, host: agent.hostname }, 'agent connected');
      },
      onClose: (session) => {
        if (sessions.get(agent.id) !== session) return;
        sessions.delete(agent.id);
        metrics.agentsConnected.set(sessions.size);
        persist(agent);
        request.log.info({ agentId: agent.id }, 'agent disconnected');
      },
    });
  });

  const pushPolicy = (): number => {
    for (const session of sessions.values()) {
      session.send({ policy: { probes: resolvePolicy(deps.policy(), session.agent.tenant, session.agent.hostname) } });
    }
    return sessions.size;
  };

  const pushUpdateOffers = (): number => {
    let sent = 0;
    for (const session of sessions.values()) {
      const offer = deps.updates?.changedOffer(session.agent);
      if (offer) {
        session.send({ updateOffer: offer });
        sent++;
      }
    }
    return sent;
  };

  return { sessions, revoke, pushPolicy, pushUpdateOffers };
}
