// agent-link/ owns the agents' link from the WebSocket upgrade to the ack: auth at the upgrade (here), the session
// (agent-session.ts), each batch through admission/ into InfluxDB (ingest.ts), the probe policy, revocations.
//
// The WebSocket endpoint /agent/v1. Authentication happens in preValidation, i.e. during the HTTP upgrade and
// before a WebSocket exists: a refused agent gets a plain 401 and costs no WebSocket state. Before that, the
// source IP's upgrade rate is checked (429). A revoked agent is disconnected at once (hub.revoke).
//
// The agent's hostname is the one bound at enrollment (store/agents.ts): every point and alert carries it. A Hello
// that reports another name changes nothing but the record of what the agent said (reportedHostname, logged).
//
// Ingest never needs the state store. Every store call on the agent path (the last-seen touch at Hello, the
// revocation check, the live state recorded each heartbeat, the record at disconnect) survives a full or unwritable
// SQLite file: the failure is logged and counted (watchpost_store_errors_total{operation}) and the agent carries on;
// the next call after space returns is stored. An upgrade that cannot be authenticated because the store cannot be
// read is answered 503.
//
// Live state (AgentSession.live(): latest frame, batch, ack, reported spool) is recorded for the CLI, which is
// another process and reads only the store: once per heartbeat for every connected agent, in transactions of up to
// LIVE_RECORD_CHUNK agents (one fsync for hundreds of agents, not one per batch or ack), plus at Hello and at
// disconnect. The API reads the sessions themselves, so it is exact; the store lags by at most about two heartbeats.
//
// The connection history (store/sessions.ts) gets a session when a link is admitted (its Hello accepted) and its end
// when that link closes or the collector shuts down; at start (onReady, before any agent can connect) the sessions a
// killed process left open are ended at their agents' last sign of life, and once a day rows past SESSION_KEEP_MS go.
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { subprotocol, type watchpost } from '../../../proto/index.js';
import { CLOSE } from '../errors.js';
import type { CollectorMetrics } from '../metrics.js';
import { hostnameKey, parseAgentCredential, type Agent, type Store } from '../store/index.js';
import { AgentSession, ACCEPTED_VERSIONS } from './agent-session.js';
import { resolvePolicy, type Policy } from './probe-policy.js';
import type { AgentRecord, IngestDeps } from './ingest.js';
import type { PointSink } from '../influx/writer-contract.js';
import type { BucketRule } from '../http/token-bucket.js';
import type { IpRateLimitHook } from '../http/ip-rate-limit.js';
import type { ConnectionGuard } from '../http/connection-guard.js';

export const AGENT_PATH = '/agent/v1';
/** Connected agents whose live state is recorded per transaction; the event loop is free between transactions. */
export const LIVE_RECORD_CHUNK = 500;
/** Connection history is kept this long (a year's monthly reports and the month before), pruned once a day. */
export const SESSION_KEEP_MS = 400 * 86_400_000;
const SESSION_PRUNE_EVERY_MS = 86_400_000;

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
  /**
   * The admin renamed the agent in the store: its live session (if any) tags points with the new name from now on
   * and gets the policy for it. Returns whether a session was open. Another process's rename (the CLI) reaches a
   * running collector at the agent's next connection.
   */
  rename(agentId: string, hostname: string): boolean;
  /** Sends every live agent whose update offer changed (after releases or rollouts were reloaded) its new offer. */
  pushUpdateOffers(): number;
}

/** Update offers: the one at Hello, and the one to send after a reload when it changed. */
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
  /** The measurement schema and series budgets every agent's samples pass (IngestDeps.admission). */
  admission: IngestDeps['admission'];
  updates?: SocketUpdates;
  /** Called right after a session's Welcome (the plan it should hold: agent-actions.ts). */
  onWelcome?(session: AgentSession): void;
  /** Called when the agent's current session here ends (not when a newer one of the same agent replaced it). */
  onGone?(agent: AgentRecord): void;
  /**
   * With several collectors on one store: this collector's id, recorded on each session it holds, and the ids of the
   * collectors alive now (sessions held by any other are ended at start: a collector that died left them open).
   */
  cluster?: { id: string; liveCollectors(): string[] };
}

declare module 'fastify' {
  interface FastifyRequest {
    watchpostAgent?: AgentRecord;
  }
}

const OFFERED_PROTOCOLS = new Set([...ACCEPTED_VERSIONS].map(subprotocol));

function offeredProtocols(request: FastifyRequest): string[] {
  const header = request.headers['sec-websocket-protocol'];
  return (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

type StoreOperation = 'authenticate' | 'touch' | 'revocation_check' | 'persist' | 'os_identity' | 'live_state' | 'session';

/** A failed state-store call on the agent path: counted in watchpost_store_errors_total{operation} and logged. */
export function reportStoreError(
  metrics: CollectorMetrics,
  log: FastifyBaseLogger,
  operation: StoreOperation,
  agentId: string | undefined,
  error: unknown,
): void {
  metrics.storeErrors.inc({ operation });
  log.error({ agentId, operation, err: error }, 'state store call failed; carrying on without it');
}

export function registerAgentSocket(app: FastifyInstance, deps: SocketDeps): AgentHub {
  const sessions = new Map<string, AgentSession>();
  const { store, metrics } = deps;

  /** Runs one store call of the agent path; a failure is logged, counted, and answered with `fallback`. */
  const storeCall = <T>(operation: StoreOperation, log: FastifyBaseLogger, agentId: string | undefined, fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (error) {
      reportStoreError(metrics, log, operation, agentId, error);
      return fallback;
    }
  };

  const authenticate = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const credential = parseAgentCredential(request.headers.authorization ?? '');
    const agent = credential
      ? storeCall<Agent | null | 'unreadable'>(
          'authenticate',
          request.log,
          credential.agentId,
          () => store.agents.authenticate(credential.agentId, credential.secret),
          'unreadable',
        )
      : null;
    if (agent === 'unreadable') {
      return reply.code(503).send({ error: 'store_unavailable', message: 'the collector cannot read its state store; retry later' });
    }
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

  /** The disconnect: the session's latest state, the disconnect as the last sign of life, and no connection. */
  const persist = (session: AgentSession, log: FastifyBaseLogger) => {
    const { id } = session.agent;
    const live = { ...session.live(), connectedAt: null, lastSeenAt: Date.now() };
    const collector = deps.cluster?.id;
    const ended = storeCall('session', log, id, () => store.sessions.close(id, live.lastSeenAt, 'disconnect', collector), false);
    // With several collectors, a session another collector holds now means the agent is already connected there:
    // its live state is that collector's to write.
    if (ended || collector === undefined) storeCall('persist', log, id, () => store.agents.recordLive([{ agentId: id, live }]), undefined);
  };

  // Each heartbeat, every connected agent's live state, a chunk per transaction. A session is read when its chunk is
  // written, and only while it is still the agent's current one, so a disconnect recorded meanwhile is not undone.
  let recording = false;
  const recordLive = async (): Promise<void> => {
    if (recording || sessions.size === 0) return;
    recording = true;
    try {
      const all = [...sessions.values()];
      for (let i = 0; i < all.length; i += LIVE_RECORD_CHUNK) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        const chunk = all.slice(i, i + LIVE_RECORD_CHUNK).filter((session) => sessions.get(session.agent.id) === session);
        const records = chunk.map((session) => ({ agentId: session.agent.id, live: session.live() }));
        if (!storeCall('live_state', app.log, undefined, () => (store.agents.recordLive(records), true), false)) return;
      }
    } finally {
      recording = false;
    }
  };
  const liveTimer = setInterval(() => void recordLive(), deps.heartbeatMs).unref();

  const pruneSessions = () => storeCall('session', app.log, undefined, () => store.sessions.prune(Date.now() - SESSION_KEEP_MS), 0);
  let pruneTimer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    const ended = storeCall('session', app.log, undefined, () => store.sessions.recover(Date.now(), deps.cluster?.liveCollectors() ?? []), 0);
    if (ended > 0) app.log.info({ sessions: ended }, 'ended the connection sessions a previous collector left open, at their last sign of life');
    pruneSessions();
    pruneTimer = setInterval(pruneSessions, SESSION_PRUNE_EVERY_MS).unref();
  });

  // At shutdown the store closes right after the server; record every live agent now and forget the sessions,
  // so the sockets' late close events have nothing left to write.
  app.addHook('onClose', async () => {
    clearInterval(liveTimer);
    clearInterval(pruneTimer);
    const live = [...sessions.values()];
    sessions.clear();
    for (const session of live) {
      persist(session, app.log);
      session.close(CLOSE.goingAway, 'collector shutting down');
    }
    metrics.agentsConnected.set(0);
  });

  /** Hello: the bound hostname stays; a different reported one is recorded and logged. */
  const onHello = (record: AgentRecord, hello: watchpost.v1.IHello, log: FastifyBaseLogger) => {
    const reported = hello.hostname ?? '';
    const differs = hostnameKey(reported) !== hostnameKey(record.hostname);
    if (differs)
      log.warn(
        { agentId: record.id, host: record.hostname, reportedHostname: reported },
        'agent reports another hostname than the one bound to it; keeping the bound one',
      );
    storeCall(
      'touch',
      log,
      record.id,
      () => {
        const now = Date.now();
        store.agents.touch(record.id, {
          lastSeenAt: now,
          connectedAt: now,
          reportedHostname: differs ? reported : null,
          agentVersion: hello.agentVersion ?? undefined,
        });
      },
      undefined,
    );
  };

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
      // The credential was checked at the upgrade a moment ago; when the store cannot answer now, the session goes
      // on and the revocation watcher disconnects it once a revocation can be read.
      isRevoked: (agentId) => storeCall('revocation_check', request.log, agentId, () => store.agents.get(agentId)?.revokedAt != null, false),
      ...(deps.observe ? { observe: deps.observe } : {}),
      storeReady: () => store.available(),
      admission: deps.admission,
      policyFor: (record) => resolvePolicy(deps.policy(), record.tenant, record.hostname),
      ...(deps.updates ? { updateOfferFor: deps.updates.offerFor } : {}),
      onHello: (record, hello) => onHello(record, hello, request.log),
      ...(deps.onWelcome ? { onWelcome: deps.onWelcome } : {}),
      onOpen: (session) => {
        sessions.get(agent.id)?.close(CLOSE.replaced, 'replaced by a newer connection of the same agent');
        sessions.set(agent.id, session);
        metrics.agentsConnected.set(sessions.size);
        // Ends the replaced link's session in the same transaction, so the agent never has two open.
        storeCall(
          'session',
          request.log,
          agent.id,
          () => store.sessions.open(agent.id, agent.tenant, session.live().connectedAt ?? Date.now(), deps.cluster?.id ?? null),
          undefined,
        );
        request.log.info({ agentId: agent.id, tenant: agent.tenant, host: agent.hostname }, 'agent connected');
      },
      onClose: (session) => {
        if (sessions.get(agent.id) !== session) return;
        sessions.delete(agent.id);
        metrics.agentsConnected.set(sessions.size);
        // The acked seq is kept in the session and written here and with each heartbeat's live state: one fsync'd
        // write per ack per agent would cost more than the ack itself at fleet scale, and the value is informational
        // (acks never depend on it).
        persist(session, request.log);
        deps.onGone?.(agent);
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

  const rename = (agentId: string, hostname: string): boolean => {
    const session = sessions.get(agentId);
    if (!session) return false;
    session.agent.hostname = hostname;
    session.send({ policy: { probes: resolvePolicy(deps.policy(), session.agent.tenant, hostname) } });
    return true;
  };

  return { sessions, revoke, pushPolicy, pushUpdateOffers, rename };
}
