// The collector's HTTP and WebSocket surface, built by a function that never listens: tests drive it through
// inject(), `serve` calls listen(). I/O dependencies (store, InfluxDB writer) are passed in.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import websocket from '@fastify/websocket';
import type { Config } from './config/config.js';
import { createMetrics, registerSinkGauges, type CollectorMetrics } from './metrics.js';
import { CLOSE, ConfigError, HttpError } from './errors.js';
import type { Store } from './store/index.js';
import type { PointSink } from './influx/writer-contract.js';
import { registerAgentSocket, reportStoreError, type AgentHub } from './agent-link/agent-socket.js';
import { registerApi } from './routes/api.js';
import { registerHealth, type SinkStatus } from './routes/health.js';
import { registerEnroll } from './routes/enroll.js';
import { parseDuration } from './config/duration.js';
import type { TlsMaterial } from './config/tls.js';
import { guardConnections, type ConnectionGuard } from './http/connection-guard.js';
import { createIpRateLimit } from './http/ip-rate-limit.js';
import { acceptProxyProtocol } from './http/proxy-listener.js';
import { watchRevocations, type RevocationWatcher } from './agent-link/revocation-watcher.js';
import { EMPTY_POLICY, type Policy } from './agent-link/probe-policy.js';
import { loadLifecycle } from './os-support/os-lifecycle.js';
import { createOsSupport } from './os-support/os-support.js';
import { createAlertEngine, runTickSteps, TICK_MS, type AlertEngine, type Ownership } from './alerting/engine.js';
import { allTransitions, type Transitions } from './alerting/transitions.js';
import { createTransitions } from './alerting/influx-outbox-feed.js';
import { deskTransitions } from './desks/desk-outbox-feed.js';
import { startDispatcher, type Dispatcher } from './desks/desk-outbox-drain.js';
import { loadDesks, type DeskSet } from './desks/desks-file.js';
import { startInboundPoller, type InboundPoller } from './desks/inbound/poll.js';
import { registerDeskRoutes } from './routes/desks.js';
import { registerDeskInbound } from './routes/desk-inbound.js';
import { startShipper, type Shipper } from './alerting/influx-outbox-drain.js';
import { loadRules, type RuleSet } from './alerting/rules/rules-file.js';
import { registerTicketRoutes } from './routes/tickets.js';
import { registerMaintenanceRoutes } from './routes/maintenance.js';
import { registerTicketActions } from './routes/ticket-actions.js';
import { registerRuleRoutes } from './routes/rules.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerReportDelivery } from './reports/delivery-scheduler.js';
import { createReportInflux } from './reports/influx-reader.js';
import { registerAlertingGauges, registerDeskMetrics, registerDeskPollMetrics } from './metrics.js';
import { createUpdateService, registerReleaseRoutes, releaseCacheDir, type UpdateService } from './releases/index.js';
import { createAdmission } from './agent-link/admission/admission.js';
import { installRouteAccess } from './routes/access.js';
import { COMPLIANCE_TICK_MS, createComplianceEngine, type ComplianceEngine } from './compliance/engine.js';
import { registerComplianceRoutes } from './routes/compliance.js';
import { loggerOptions, registerNotFound } from './http/request-log.js';
import { createSlaMonthWriter, SLA_MONTH_CHECK_MS } from './tickets/sla-month.js';
import { AV_TICK_MS, startAntivirus, type AntivirusManager } from './antivirus/manager.js';
import { registerAntivirusRoutes } from './routes/antivirus.js';
import type { HoldSource } from './alerting/holds.js';
import type { AgentActions } from './patching/contract.js';
import { createAgentActions, type AgentActionsLink } from './agent-link/agent-actions.js';
import { createPatchPlanner } from './patching/planner.js';
import { createPatchIngest } from './patching/ingest.js';
import { startPatchGauge } from './patching/gauge.js';
import { registerPatchRoutes } from './routes/patches.js';
import { createCluster, type Cluster } from './cluster/cluster.js';
import { registerClusterRoutes } from './routes/cluster.js';
import { hostname } from 'node:os';

export interface AppDeps {
  config: Config;
  store: Store;
  sink: PointSink & { status(): SinkStatus };
  /** PEM certificate and key (see config/tls.ts): the server speaks https and wss. Without it, plain http and ws. */
  tls?: TlsMaterial | null;
  metrics?: CollectorMetrics;
  logger?: FastifyServerOptions['logger'];
  /** The central probe policy as loaded now (serve reloads it on SIGHUP); default: none. */
  policy?: () => Policy;
  /** The alert rules in force (serve reloads them on SIGHUP); default: config.rules loaded once, here. */
  rules?: () => RuleSet;
  /** The service desks in force (serve reloads them on SIGHUP); default: config.desks loaded once, here. */
  desks?: () => DeskSet;
  /** fetch for the desk connectors (tests); default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Clock of the alert engine (tests inject one); default Date.now. */
  now?: () => number;
  /** How often the engine ticks (absence, holds, SLA); 0: never by itself (tests call engine.tick()). */
  alertTickMs?: number;
  /** What Defender actions are sent through (tests record them); default the agent link's sender. */
  agentActions?: AgentActions;
  /** The collectors sharing the store (cluster/cluster.ts); default: made from config.store.url. */
  cluster?: Cluster;
}

export interface CollectorApp {
  app: FastifyInstance;
  hub: AgentHub;
  engine: AlertEngine;
  /** Minimum-standard verdicts: evaluated as batches arrive and on a slow tick (tests call compliance.tick()). */
  compliance: ComplianceEngine;
  /** Defender actions: schedules, people's requests, the update attempt before a ticket (tests call antivirus.tick()). */
  antivirus: AntivirusManager;
  /** Plans and Defender actions sent to connected agents: refreshPlan(agentId) after approvals change. */
  agentActions: AgentActionsLink;
  /** Delivers the service-desk outbox (after onReady). */
  dispatcher: () => Dispatcher | undefined;
  metrics: CollectorMetrics;
  connections: ConnectionGuard;
  /** Releases, rollouts and update offers; serve calls updates.reload() then hub.pushUpdateOffers() on SIGHUP. */
  updates: UpdateService;
  /** Applies a reloaded config's keys that are read per use here: the log level and the per-IP limits (config/reload.ts). */
  reconfigure(next: Config): void;
  /** This collector among those sharing the store: its id, leadership, and news from the others. */
  cluster: Cluster;
  /** serve sets what a reload (SIGHUP, POST /api/v1/reload, a reload told by another collector) does. */
  setReload(reload: () => void): void;
}

/** The release and rollout settings of a config (UpdateService). */
export const updateSettings = (config: Config) => ({
  releasesDir: config.releases.dir,
  publicKeyFile: config.releases.publicKey,
  updatesFile: config.updates.file,
  cacheDir: releaseCacheDir(config.dataDir),
});

const BODY_LIMIT_BYTES = 64 * 1024;
/**
 * Node checks header/request timeouts only every connectionsCheckingInterval (30 s by default), so a slow-header
 * client could hold its socket for headersTimeout + 30 s; check at least every second, and at least twice per
 * headersTimeout when that is shorter.
 */
const MAX_CONNECTIONS_CHECK_MS = 1_000;

/** Node's server options for the timeouts in config.http; throws ConfigError for a combination Node refuses. */
export function serverTimeouts(http: Config['http']) {
  const headersTimeout = parseDuration(http.headersTimeout);
  const requestTimeout = parseDuration(http.requestTimeout);
  const keepAliveTimeout = parseDuration(http.keepAliveTimeout);
  if (headersTimeout < 1 || headersTimeout > requestTimeout) {
    throw new ConfigError(`http.headersTimeout: must be at least 1ms and at most http.requestTimeout (${http.requestTimeout})`);
  }
  const connectionsCheckingInterval = Math.max(1, Math.min(MAX_CONNECTIONS_CHECK_MS, Math.floor(headersTimeout / 2)));
  return { headersTimeout, requestTimeout, keepAliveTimeout, connectionsCheckingInterval };
}

function seriesBudget(config: Config) {
  const a = config.agents;
  return { perMeasurement: a.seriesPerMeasurement, perAgent: a.seriesPerAgent, windowMs: parseDuration(a.seriesWindow) };
}

/** The per-agent frame and byte buckets; the byte burst is never below one maximal frame (else it could never pass). */
function agentLimits(config: Config, warn: (message: string) => void) {
  const a = config.agents;
  if (a.byteBurst < a.maxPayloadBytes) warn(`agents.byteBurst ${a.byteBurst} is below agents.maxPayloadBytes; using ${a.maxPayloadBytes}`);
  return {
    frames: { ratePerSecond: a.framesPerSecond, burst: a.frameBurst },
    bytes: { ratePerSecond: a.bytesPerSecond, burst: Math.max(a.byteBurst, a.maxPayloadBytes) },
  };
}

export async function buildApp(deps: AppDeps): Promise<CollectorApp> {
  const { config } = deps;
  const metrics = deps.metrics ?? createMetrics();
  registerSinkGauges(metrics, deps.sink);
  const timeouts = serverTimeouts(config.http);
  const nodeServerOptions = {
    headersTimeout: timeouts.headersTimeout,
    requestTimeout: timeouts.requestTimeout,
    connectionsCheckingInterval: timeouts.connectionsCheckingInterval,
  };
  const app = Fastify({
    logger: loggerOptions(deps.logger, config.logLevel),
    requestTimeout: timeouts.requestTimeout,
    keepAliveTimeout: timeouts.keepAliveTimeout,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: false,
    ...(deps.tls
      ? { https: { ...nodeServerOptions, cert: deps.tls.cert, key: deps.tls.key, handshakeTimeout: timeouts.headersTimeout } }
      : { http: nodeServerOptions }),
  }) as unknown as FastifyInstance;
  if (config.agents.proxyProtocol) readProxyHeaders(app, Boolean(deps.tls));
  const connections = guardConnections(app.server, deps.tls ? 'secureConnection' : 'connection', {
    maxPendingPerIp: config.limits.ipMaxPendingConnections,
    firstRequestTimeoutMs: parseDuration(config.http.firstRequestTimeout),
    onRefused(ip) {
      metrics.reject('connection_limit');
      app.log.warn({ ip, max: config.limits.ipMaxPendingConnections }, 'connection refused: too many unauthenticated connections from this address');
    },
    onIdle(ip) {
      metrics.reject('idle_connection');
      app.log.warn({ ip, timeout: config.http.firstRequestTimeout }, `connection closed: no request within ${config.http.firstRequestTimeout}`);
    },
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send({ error: error.code ?? 'error', message: error.message });
  });
  registerNotFound(app);
  // Before any route: every /api route must declare who may call it (routes/access.ts).
  installRouteAccess(app, { adminKey: config.adminKey, apiKeys: deps.store.apiKeys, metrics });
  await app.register(websocket, {
    options: { maxPayload: config.agents.maxPayloadBytes, perMessageDeflate: false },
    // Agents learn why they were closed (1001) instead of the plugin's code-less close (1005).
    preClose(done) {
      for (const client of this.websocketServer.clients) client.close(CLOSE.goingAway, 'collector shutting down');
      this.websocketServer.close();
      done();
    },
  });
  // First of the onReady hooks: the collector is registered before its agent link ends dead collectors' sessions.
  const cluster = deps.cluster ?? createCluster({ store: deps.store, url: config.store.url || undefined, hostname: hostname(), log: app.log });
  startCluster(app, deps, cluster);
  // The end-of-support table is read once, here at start: a bad file stops the collector with its path.
  const osSupport = createOsSupport(loadLifecycle(config.lifecycle.file || undefined), deps.store.osIdentities, (agentId, error) =>
    reportStoreError(metrics, app.log, 'os_identity', agentId, error),
  );
  // Releases and rollouts too: a malformed manifest or updates file stops the collector naming the file and field.
  const updates = createUpdateService(updateSettings(config), app.log, () => deps.store.agents.list());
  // The antivirus manager holds old-definitions tickets while its update attempt runs (antivirus/before-ticket.ts).
  // (Asked only once batches arrive, after buildApp returned: `antivirus` is set by then.)
  const avHolds: HoldSource = { at: (t, at) => antivirus.holds.at(t, at), releaseNote: (t, at) => antivirus.holds.releaseNote(t, at) };
  const { engine, rules, dispatcher, desks, transitions } = startAlerting(app, deps, metrics, () => hub, avHolds, cluster);
  const compliance = startCompliance(app, deps, rules, transitions, cluster);
  const { agentActions, patchIngest } = startPatching(app, deps, rules, () => hub, cluster);
  const antivirus = startAntivirus(app, {
    store: deps.store,
    rules,
    actions: () => deps.agentActions ?? agentActions,
    connected: (agentId) => hub.sessions.has(agentId),
    log: app.log,
    tickMs: deps.alertTickMs === 0 ? 0 : AV_TICK_MS,
    ...(deps.now ? { now: deps.now } : {}),
  });
  // One InfluxDB reader for the reports, whether asked for at the API or mailed on their day.
  const reportInflux = createReportInflux(config.influx);
  // Monthly reports by email: a bad desk reference stops the start here, naming the rules file's key.
  registerReportDelivery(app, {
    store: deps.store,
    rules,
    desks,
    desksFile: config.desks.file,
    metrics,
    publicUrl: config.server.publicUrl,
    report: { influx: reportInflux },
    active: () => cluster.isLeader(),
    ...(deps.alertTickMs === 0 ? { tickMs: 0 } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  // The limiter reads this rule on every request, so reconfigure() changes it in place.
  const ipRule = { ratePerSecond: config.limits.ipAttemptsPerSecond, burst: config.limits.ipAttemptBurst };
  const ipRateLimit = createIpRateLimit(ipRule, metrics).hook;
  const hub = registerAgentSocket(app, {
    store: deps.store,
    sink: deps.sink,
    metrics,
    heartbeatMs: parseDuration(config.agents.heartbeat),
    limits: agentLimits(config, (message) => app.log.warn(message)),
    ipRateLimit,
    connectionGuard: () => connections,
    policy: () => deps.policy?.() ?? EMPTY_POLICY,
    updates,
    onWelcome: (session) => {
      engine.attach(session.agent.tenant, session.agent.id);
      agentActions.welcomed(session);
    },
    onGone: (agent) => engine.detach(agent.tenant, agent.id),
    ...(cluster.shared ? { cluster } : {}),
    admission: createAdmission({ series: seriesBudget(config) }),
    // os_support points are derived from inventory, and rules read them too.
    observe(agent, samples) {
      const derived = osSupport.observe(agent, samples);
      const all = derived.length > 0 ? [...samples, ...derived] : samples;
      // Before the engine: an update attempt started from this batch must hold the ticket the batch would open.
      antivirus.observe(agent, all);
      engine.observe({ ...agent, os: '' }, all);
      compliance.observe(agent, all);
      patchIngest(agent, all);
      // A new patches listing may change the agent's plan (sent only when it differs): after the listing is stored.
      if (samples.some((s) => s.measurement === 'patches')) agentActions.refreshPlan(agent.id);
      return derived;
    },
  });
  registerHealth(app, { sink: deps.sink, store: deps.store, cluster });
  let reload: (() => void) | undefined;
  registerClusterRoutes(app, { store: deps.store, cluster, reload: () => reload, ...(deps.now ? { now: deps.now } : {}) });
  registerEnroll(app, { store: deps.store, metrics, ipRateLimit });
  registerApi(app, {
    store: deps.store,
    hub,
    metrics,
    osSupport: osSupport.view,
    ...(cluster.shared ? { cluster: { id: cluster.id, elsewhere: () => heldElsewhere(deps.store, cluster) } } : {}),
  });
  registerTicketRoutes(app, { store: deps.store, ...(deps.now ? { now: deps.now } : {}) });
  registerTicketActions(app, { store: deps.store, engine, ...(deps.now ? { now: deps.now } : {}) });
  registerRuleRoutes(app, { rules, store: deps.store });
  registerComplianceRoutes(app, { store: deps.store, compliance, ...(deps.now ? { now: deps.now } : {}) });
  registerAntivirusRoutes(app, { store: deps.store, antivirus });
  registerPatchRoutes(app, { store: deps.store, rules, actions: deps.agentActions ?? agentActions, ...(deps.now ? { now: deps.now } : {}) });
  registerDeskRoutes(app, { store: deps.store, kick: () => dispatcher()?.kick(), ...(deps.now ? { now: deps.now } : {}) });
  registerDeskInbound(app, {
    store: deps.store,
    engine,
    desks,
    metrics,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  registerMaintenanceRoutes(app, { store: deps.store, rules, ...(deps.now ? { now: deps.now } : {}) });
  registerReportRoutes(app, { store: deps.store, rules, influx: reportInflux, ...(deps.now ? { now: deps.now } : {}) });
  registerReleaseRoutes(app, { store: deps.store, updates, publicUrl: config.server.publicUrl, ipRateLimit });
  watchRevocationsWhileUp(app, deps.store, hub);
  const reconfigure = (next: Config): void => {
    app.log.level = next.logLevel;
    ipRule.ratePerSecond = next.limits.ipAttemptsPerSecond;
    ipRule.burst = next.limits.ipAttemptBurst;
  };
  const setReload = (next: () => void): void => void (reload = next);
  return { app, hub, engine, compliance, antivirus, agentActions, dispatcher, metrics, connections, updates, reconfigure, cluster, setReload };
}

/** Which agents this collector's alert engine evaluates when several share the store (alerting/engine.ts). */
function clusterOwnership(store: Store, cluster: Cluster): Ownership {
  return {
    leader: () => cluster.isLeader(),
    elsewhere: () => new Set(heldElsewhere(store, cluster).keys()),
  };
}

/** The agents whose link another live collector holds now: agent id -> that collector's id. */
function heldElsewhere(store: Store, cluster: Cluster): Map<string, string> {
  const live = new Set(cluster.liveCollectors());
  const held = new Map<string, string>();
  for (const s of store.sessions.held()) if (s.collector !== null && s.collector !== cluster.id && live.has(s.collector)) held.set(s.agentId, s.collector);
  return held;
}

/** How often the leader ends the sessions of collectors that died (their agents are then connected nowhere). */
const DEAD_SESSIONS_EVERY_MS = 5_000;
/** Collectors stopped or silent this long are forgotten. */
const COLLECTOR_KEEP_MS = 7 * 24 * 3_600_000;

/**
 * The cluster from onReady to onClose (registered, alive, trying for the lead). With several collectors the leader
 * ends the sessions a dead collector left open, at each agent's last sign of life, so those agents count as
 * connected nowhere (the leader evaluates them, and the connection history is right).
 */
function startCluster(app: FastifyInstance, deps: AppDeps, cluster: Cluster): void {
  let timer: NodeJS.Timeout | undefined;
  const now = deps.now ?? Date.now;
  app.addHook('onReady', async () => {
    await cluster.start();
    if (!cluster.shared) {
      // One collector on its file: what a previous process claimed in the outboxes is its to deliver now.
      try {
        deps.store.deskOutbox.releaseOwnersOtherThan([cluster.id]);
        deps.store.influxOutbox.releaseOwnersOtherThan([cluster.id]);
      } catch (error) {
        app.log.warn({ err: (error as Error).message }, 'giving back the outbox rows a previous process claimed failed; their leases end them');
      }
      return;
    }
    timer = setInterval(() => {
      if (!cluster.isLeader()) return;
      try {
        const live = cluster.liveCollectors();
        const ended = deps.store.sessions.recover(Math.trunc(now()), live);
        if (ended > 0) app.log.info({ sessions: ended }, 'cluster: ended the sessions of collectors that stopped answering, at their last sign of life');
        // Their outbox claims too, so another collector delivers those rows now rather than when the leases end.
        const released = deps.store.deskOutbox.releaseOwnersOtherThan(live) + deps.store.influxOutbox.releaseOwnersOtherThan(live);
        if (released > 0) app.log.info({ rows: released }, 'cluster: gave back the outbox rows claimed by collectors that stopped answering');
        deps.store.collectors.prune(now() - COLLECTOR_KEEP_MS);
      } catch (error) {
        app.log.warn({ err: (error as Error).message }, "cluster: ending dead collectors' sessions failed; trying again");
      }
    }, DEAD_SESSIONS_EVERY_MS).unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await cluster.stop();
  });
}

/**
 * agents.proxyProtocol: every connection's PROXY header is read before TLS and HTTP (http/proxy-listener.ts), so the
 * connection guard, the per-IP limits and the logs see the client's address. No check of the listen address: behind
 * a balancer on another host it is rightly a non-loopback one; that only the balancer reaches it is the operator's
 * part (README "Scale"), said once at start.
 */
function readProxyHeaders(app: FastifyInstance, tls: boolean): void {
  const listener = acceptProxyProtocol(app.server, {
    tls,
    onRefused: (peer, reason) => app.log.warn({ ip: peer.address, port: peer.port, reason }, 'connection closed: no valid PROXY protocol header'),
  });
  app.addHook('preClose', (done) => {
    listener.closeAwaiting();
    done();
  });
  app.log.info('agents.proxyProtocol: every connection must begin with a PROXY protocol header; only the balancer may reach this listener');
}

/** The compliance engine and its slow tick (time-driven verdicts), from onReady to onClose; no tick when alertTickMs is 0. */
function startCompliance(app: FastifyInstance, deps: AppDeps, rules: () => RuleSet, transitions: Transitions, cluster: Cluster): ComplianceEngine {
  const compliance = createComplianceEngine({
    store: deps.store,
    rules,
    transitions,
    ...(deps.now ? { now: deps.now } : {}),
    onError: (agentId, error) =>
      app.log.error({ agentId, err: error }, 'evaluating minimum standards failed; the host is evaluated again on the next point or tick'),
  });
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    if (deps.alertTickMs !== 0)
      timer = setInterval(() => {
        // The slow tick judges every host: once for the fleet, by the leader.
        if (!cluster.isLeader()) return;
        try {
          compliance.tick();
          compliance.restate();
        } catch (error) {
          app.log.error({ err: (error as Error).message }, 'the minimum-standards tick failed; trying again at the next');
        }
      }, COMPLIANCE_TICK_MS).unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
  return compliance;
}

/** The month-to-date `sla_month` points (tickets/sla-month.ts), checked from onReady to onClose; returns the sink that hears ticket changes. */
function startSlaMonth(app: FastifyInstance, deps: AppDeps, rules: () => RuleSet, cluster: Cluster) {
  const now = deps.now ?? Date.now;
  const writer = createSlaMonthWriter({
    store: deps.store,
    rules,
    onError: (tenant, error) =>
      app.log.error({ tenant, err: error }, 'writing the month-to-date SLA attainment failed; the tenant is written again at the next check'),
  });
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    if (deps.alertTickMs !== 0)
      timer = setInterval(() => {
        try {
          if (cluster.isLeader()) writer.maybeWrite(now());
        } catch (error) {
          app.log.error({ err: (error as Error).message }, 'writing the month-to-date SLA attainment failed; trying again at the next check');
        }
      }, SLA_MONTH_CHECK_MS).unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
  return writer.transitions;
}

/**
 * Patch management (patching/): plans (the planner reads the rules and store in force at each call) and Defender
 * actions over the agent link, the ingest of pending updates and plan results, and the patch_status gauge.
 */
function startPatching(app: FastifyInstance, deps: AppDeps, rules: () => RuleSet, hub: () => AgentHub, cluster: Cluster) {
  const planner = createPatchPlanner({ store: deps.store, rules });
  const agentActions = createAgentActions({ sessions: () => hub().sessions, planner: () => planner, log: app.log, ...(deps.now ? { now: deps.now } : {}) });
  app.addHook('onReady', async () => agentActions.start());
  app.addHook('onClose', async () => agentActions.stop());
  const patchIngest = createPatchIngest({
    store: deps.store,
    rules,
    onError: (agentId, error) => app.log.error({ agentId, err: error }, 'recording patch points failed; the next patches run records them again'),
  });
  startPatchGauge(app, {
    store: deps.store,
    rules,
    active: () => cluster.isLeader(),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.alertTickMs === 0 ? { tickMs: 0 } : {}),
  });
  return { agentActions, patchIngest };
}

/** Revocations made by other processes (the CLI) disconnect the agent within REVOCATION_POLL_MS. */
function watchRevocationsWhileUp(app: FastifyInstance, store: Store, hub: AgentHub): void {
  let watcher: RevocationWatcher | undefined;
  app.addHook('onReady', async () => {
    watcher = watchRevocations(store.agents, (agentId) => hub.revoke(agentId, 'store'), {
      onError: (error) => app.log.error({ err: error.message }, 'polling the store for revocations failed'),
    });
  });
  app.addHook('onClose', async () => watcher?.stop());
}

/**
 * The alert engine with its tick and the shipper of alert/ticket points, running between onReady and onClose.
 * The rules file is read here at start when serve did not pass one: a bad file stops the collector naming the key.
 */
function startAlerting(app: FastifyInstance, deps: AppDeps, metrics: CollectorMetrics, hub: () => AgentHub, holdSource: HoldSource, cluster: Cluster) {
  const { config, store } = deps;
  const loaded = deps.rules ? null : loadRules(config.rules.file || undefined, { includeDefaults: config.rules.defaults });
  const rules = deps.rules ?? (() => loaded!);
  const loadedDesks = deps.desks ? null : loadDesks(config.desks.file);
  const desks = deps.desks ?? (() => loadedDesks!);
  let dispatcher: Dispatcher | undefined;
  const slaMonth = startSlaMonth(app, deps, rules, cluster);
  // The compliance engine's tickets go to the same sinks (startCompliance).
  const transitions = allTransitions(
    createTransitions(store.influxOutbox, deps.now),
    deskTransitions(store.deskOutbox, desks, () => dispatcher?.kick()),
    slaMonth,
  );
  const engine = createAlertEngine({
    store,
    rules,
    transitions,
    log: app.log,
    ...(deps.now ? { now: deps.now } : {}),
    connected: (agentId) => hub().sessions.has(agentId),
    holdSource,
    ...(cluster.shared ? { ownership: clusterOwnership(store, cluster) } : {}),
  });
  registerAlertingGauges(metrics, {
    outboxPending: () => store.influxOutbox.size(),
    outboxDropped: () => store.influxOutbox.dropped(),
    alertsFiring: () => engine.alerts().filter(([, r]) => r.status === 'firing').length,
  });
  let timer: NodeJS.Timeout | undefined;
  let shipper: Shipper | undefined;
  const deskMetrics = registerDeskMetrics(metrics, () => store.deskOutbox.counts());
  const pollMetrics = registerDeskPollMetrics(metrics);
  // Desks with `inbound: { poll }` are read beside the outbox's deliveries, from onReady to onClose.
  let poller: InboundPoller | undefined;
  app.addHook('onReady', async () => {
    // Every collector ships and dispatches; its claims carry its id (the outboxes' leases: store/desk-outbox.ts).
    shipper = startShipper(store.influxOutbox, deps.sink, app.log, { owner: cluster.id });
    dispatcher = startDispatcher({
      owner: cluster.id,
      store,
      desks,
      log: app.log,
      metrics: deskMetrics,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    poller = startInboundPoller({
      store,
      desks,
      // Desks are read once for the fleet, by the leader.
      active: () => cluster.isLeader(),
      act: (id, action, by, source) => engine.act(id, action, by, source),
      log: app.log,
      metrics: pollMetrics,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    const tickMs = deps.alertTickMs ?? TICK_MS;
    // A tick still running when the next is due (a very large fleet) is not overlapped: that one is skipped.
    let ticking = false;
    const tick = (): void => {
      if (ticking) return;
      ticking = true;
      void runTickSteps(engine).finally(() => (ticking = false));
    };
    if (tickMs > 0) timer = setInterval(tick, tickMs).unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await shipper?.stop();
    await poller?.stop();
    await dispatcher?.stop();
  });
  return { engine, rules, desks, transitions, dispatcher: () => dispatcher };
}
