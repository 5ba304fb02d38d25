// The collector's state store: tenants, enrollment tokens, agents, and the alerting tables (alert states,
// tickets, maintenance windows, silences), in one SQLite file (one collector) or one PostgreSQL database (shared by
// several collectors).
//
// Contract: one Store per open connection; every method is synchronous and each write is its own transaction (on
// either backend: sql.ts), so several Store instances, in one process or several, may share a file or a database.
// After close() every method throws; on PostgreSQL a method throws StoreError 'unavailable' while the database
// cannot be reached, and the next call connects again.
import { createApiKeyStore, type ApiKeyStore } from './api-keys.js';
import { createAgentStore, type AgentInfo, type AgentStore } from './agents.js';
import { openDatabase } from './db.js';
import { createOsIdentityStore, type OsIdentityStore } from './os-identities.js';
import { createTenantStore, type TenantStore } from './tenants.js';
import { createTokenStore, type RedeemFailure, type TokenStore } from './tokens.js';
import { createAlertStateStore, type AlertStateStore } from './alert-states.js';
import { createTicketStore, type TicketStore } from './tickets.js';
import { createMaintenanceStore, type MaintenanceStore } from './maintenance.js';
import { createInfluxOutbox, type InfluxOutbox } from './influx-outbox.js';
import { createDeskOutbox, type DeskOutbox } from './desk-outbox.js';
import { createComplianceStore, type ComplianceStore } from './compliance.js';
import { createWaiverStore, type WaiverStore } from './compliance-waivers.js';
import { createSessionStore, type SessionStore } from './sessions.js';
import { createReportDeliveryStore, type ReportDeliveryStore } from './report-deliveries.js';
import { createAvActionStore, type AvActionStore } from './av-actions.js';
import { createPatchStore, type PatchStore } from './patches.js';
import { createCollectorStore, type CollectorStore } from './collectors.js';
import { parseAgentCredential } from './secrets.js';
import { dialectOf, type Dialect } from './sql.js';
import type { PostgresDb } from './postgres/connection.js';

export type EnrollResult =
  /** `replaced`: the agent whose credential the enrollment proved, revoked in the same transaction. */
  { ok: true; agentId: string; secret: string; tenant: string; replaced?: string } | { ok: false; reason: RedeemFailure };

export interface Store {
  readonly tenants: TenantStore;
  readonly tokens: TokenStore;
  readonly agents: AgentStore;
  readonly apiKeys: ApiKeyStore;
  /** Each agent's latest OS identity (from inventory), for its support status. */
  readonly osIdentities: OsIdentityStore;
  /** Tickets, their SLA clocks and events: at most one unresolved ticket per (tenant, agent, rule). */
  readonly tickets: TicketStore;
  /** The alert state machine's persisted states. */
  readonly alertStates: AlertStateStore;
  /** Maintenance windows and silences. */
  readonly maintenance: MaintenanceStore;
  /** Alert and ticket points waiting for InfluxDB. */
  readonly influxOutbox: InfluxOutbox;
  /** Ticket events waiting for each service desk, and each ticket's id in each desk. */
  readonly deskOutbox: DeskOutbox;
  /** Minimum-standard verdicts and the points and pending updates they rest on. */
  readonly compliance: ComplianceStore;
  /** Exceptions to the minimum standards (waivers): who agreed them, why, until when; never deleted. */
  readonly waivers: WaiverStore;
  /** Each agent's connection history: its connected periods, and since when they are recorded. */
  readonly sessions: SessionStore;
  /** The monthly report's deliveries by email: one row per (tenant, month). */
  readonly reportDeliveries: ReportDeliveryStore;
  /** Antivirus actions asked of agents and their results, and each agent's latest Defender status. */
  readonly avActions: AvActionStore;
  /** Patch management: pending updates per agent, approvals and declines, plans offered, results reported. */
  readonly patches: PatchStore;
  /** The collectors serving from this store and their signs of life. */
  readonly collectors: CollectorStore;
  /** Which backend holds the store: 'sqlite' (one collector) or 'postgres' (shared by several). */
  readonly backend: Dialect;
  /**
   * Whether the store can be written now. Always true for SQLite; for PostgreSQL false from a statement that found
   * the database unreachable until one succeeds again (asking while down tries it, at most once a second).
   */
  available(): boolean;
  /** Asks the database now whether it answers (a health check); true for SQLite. */
  check(): boolean;
  /**
   * Runs fn in one IMMEDIATE transaction and returns its result: every write inside commits together or not at
   * all (fn throws -> rollback, rethrown). Nested calls, and the stores' own transactions inside, become
   * savepoints. fn must be synchronous.
   */
  transaction<T>(fn: () => T): T;
  /**
   * Redeems the enrollment token and creates the agent in one IMMEDIATE transaction: a bad token creates no
   * agent, and an enrollment that fails (StoreError `invalid_argument` for bad agent info, `conflict` for a
   * hostname a live agent of the tenant holds; thrown) consumes no use and revokes nothing. The secret is returned
   * only here; send it to the agent and forget it.
   *
   * `previousCredential` is the machine's own earlier credential (`enroll --force`). When it authenticates, that
   * agent is revoked in the same transaction, so its hostname is free for the new enrollment. Decision: a
   * re-enrollment proves the old credential rather than being trusted by name, because
   *  1. a name is all a compromised endpoint of the tenant needs to claim another machine's identity, while the
   *     credential is held only by the machine it was issued to (owner-only file on the endpoint, a hash here);
   *  2. it keeps `enroll --force` working without an admin when a machine re-enrolls (a new token, a reinstall
   *     that kept its state directory): it replaces only itself;
   *  3. a machine that lost its credential (reimaged) cannot prove anything, and the 409 tells the admin to revoke
   *     or rename the old agent: one deliberate action for a case that cannot be told apart from an impersonation.
   * A credential that does not authenticate (another collector's, already revoked) is ignored, not an error. One
   * that does is revoked whatever its tenant: a machine that moves to another client leaves no live agent behind.
   */
  enrollWithToken(token: string, info: AgentInfo, previousCredential?: string): EnrollResult;
  close(): void;
}

export interface StoreOptions {
  /** Clock for every stored time (unix ms); tests inject one. */
  now?: () => number;
}

/**
 * Opens or creates the store and applies pending migrations: at a postgres:// URL (the database must exist), else
 * the SQLite file at `location` (`':memory:'` for a throwaway one).
 */
export function openStore(location: string, options: StoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const db = openDatabase(location);
  const tenants = createTenantStore(db, now);
  const tokens = createTokenStore(db, now);
  const agents = createAgentStore(db, now);
  const apiKeys = createApiKeyStore(db, now);
  const osIdentities = createOsIdentityStore(db);
  const tickets = createTicketStore(db);
  const alertStates = createAlertStateStore(db);
  const maintenance = createMaintenanceStore(db, now);
  const influxOutbox = createInfluxOutbox(db);
  const deskOutbox = createDeskOutbox(db);
  const compliance = createComplianceStore(db);
  const waivers = createWaiverStore(db, now);
  const sessions = createSessionStore(db);
  const reportDeliveries = createReportDeliveryStore(db);
  const avActions = createAvActionStore(db);
  const patches = createPatchStore(db, now);
  const collectors = createCollectorStore(db);
  const run = db.transaction((fn: () => unknown) => fn());

  const provenAgent = (credential: string | undefined): string | null => {
    const parsed = credential ? parseAgentCredential(credential) : null;
    return parsed ? (agents.authenticate(parsed.agentId, parsed.secret)?.id ?? null) : null;
  };
  const enrollTx = db.transaction((token: string, info: AgentInfo, previousCredential?: string): EnrollResult => {
    const redeemed = tokens.redeem(token, { hostname: info.hostname });
    if (!redeemed.ok) return redeemed;
    const replaced = provenAgent(previousCredential);
    if (replaced) agents.revoke(replaced);
    const { hostname, os, arch, agentVersion } = info;
    const created = agents.enroll({ tenant: redeemed.tenant, tokenId: redeemed.tokenId, hostname, os, arch, agentVersion });
    return { ok: true, ...created, tenant: redeemed.tenant, ...(replaced ? { replaced } : {}) };
  });

  return {
    tenants,
    tokens,
    agents,
    apiKeys,
    osIdentities,
    tickets,
    alertStates,
    maintenance,
    influxOutbox,
    deskOutbox,
    compliance,
    waivers,
    sessions,
    reportDeliveries,
    avActions,
    patches,
    collectors,
    backend: dialectOf(db),
    available: () => (db as Partial<PostgresDb>).reachable?.() ?? true,
    check: () => (db as Partial<PostgresDb>).reachable?.(true) ?? true,
    transaction: <T>(fn: () => T): T => run.immediate(fn) as T,
    // Bad agent info is caught by agents.enroll after the redeem, inside the transaction, so the rollback (not
    // an up-front check) is what keeps the use; the tests rely on that path.
    enrollWithToken: (token, info, previousCredential) => enrollTx.immediate(token, info, previousCredential),
    close() {
      db.close();
    },
  };
}

export { StoreError, isStoreError, type StoreErrorCode } from './errors.js';
export { bearerToken, formatAgentCredential, parseAgentCredential } from './secrets.js';
export type { Tenant, TenantStore, TenantTicketCounts } from './tenants.js';
export type { RedeemContext, RedeemFailure, RedeemResult, TokenInfo, TokenStore } from './tokens.js';
export type { Agent, AgentInfo, AgentLive, AgentSpool, AgentStore } from './agents.js';
export { ONLINE_STALE_HEARTBEATS, recordedOnline } from './agents.js';
export { TENANT_ROLES, type ApiKeyInfo, type ApiKeyStore, type NewApiKeyScope, type TenantRole } from './api-keys.js';
export { hostnameKey, identityProblem, MAX_HOSTNAME_LENGTH, type IdentityField } from './identity.js';
export type { OsIdentityStore } from './os-identities.js';
export type { AlertStateStore, StoredAlertState } from './alert-states.js';
export type { InfluxOutbox } from './influx-outbox.js';
export type { DeskDelivery, DeskOutbox, DeliveryState } from './desk-outbox.js';
export type { ComplianceState, ComplianceStore, ComplianceVerdict, PendingRow, StoredPoint, StateWaiver } from './compliance.js';
export { latestWaiverExpiry, MAX_WAIVER_YEARS, type NewWaiver, type Waiver, type WaiverStore } from './compliance-waivers.js';
export type { AgentConnection, SessionEnd, SessionStore } from './sessions.js';
export type { CollectorInfo, CollectorStore } from './collectors.js';
export { copyToPostgres, type CopyReport, type TableCount } from './copy-to-postgres.js';
export { isPostgresUrl } from './db.js';
export { REPORT_DELIVERY_STATES, type ReportDelivery, type ReportDeliveryState, type ReportDeliveryStore } from './report-deliveries.js';
export type { TicketListFilter, TicketStore } from './tickets.js';
export {
  AV_ACTIONS,
  AV_ORIGINS,
  MAX_AV_LIST,
  type AvActionRequest,
  type AvActionStore,
  type AvOrigin,
  type AvResult,
  type AvStatus,
  type DefenderHost,
  type NewAvAction,
} from './av-actions.js';
export { MAX_LIST_LIMIT } from './tickets.js';
export {
  PATCH_DECISIONS,
  type NewPatchDecision,
  type PatchDecision,
  type PatchDecisionKind,
  type PatchResult,
  type PatchRun,
  type PatchStore,
  type PendingPatch,
  type StoredPlan,
} from './patches.js';
/** The tickets the store records (tickets/model.ts), as its methods return them. */
export type {
  NewTicket,
  NewTicketEvent,
  SlaClockInput,
  SlaClockRow,
  SlaStanding,
  Ticket,
  TicketEvent,
  TicketEventKind,
  TicketPatch,
  TicketStatus,
  TicketStatusFilter,
} from '../tickets/model.js';
export { byStatus, slaStanding, TICKET_STATUS_FILTERS, TICKET_STATUSES } from '../tickets/model.js';
export type { MaintenanceStore, MaintenanceWindow, NewMaintenanceWindow, NewSilence, Recurrence, Silence } from './maintenance.js';
