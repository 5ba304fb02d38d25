// Enrolled agents and their credentials. The credential secret is returned once, at enrollment; the table holds
// its SHA-256 (see secrets.ts).
//
// Live connection state is the serving collector's (agent-link/): it holds it in memory and records it here at Hello,
// once per heartbeat while the agent is connected (recordLive) and at disconnect, so another process (the CLI) can
// show it; recordedOnline says how such a process tells a live agent from a collector that stopped without saying.
//
// The hostname is bound at enrollment: it is the `host` of every point and alert of the agent, and only the
// admin's rename (or a new enrollment) changes it. What the agent says at Hello is only recorded (touch:
// reportedHostname). Among a tenant's agents that are not revoked a hostname is unique, compared by hostnameKey
// (case-insensitive, as Windows compares names), so one machine's agent cannot take another's name.
import { dialectOf } from './sql.js';
import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { hashSecret, isAgentId, isSecret, newAgentId, newSecret, secretMatches } from './secrets.js';
import { hostnameKey, identityProblem, type IdentityField } from './identity.js';
import { tenantCheck } from './tenants.js';

export { MAX_HOSTNAME_LENGTH } from './identity.js';

/** Seqs are uint32 on the wire (proto Batch.seq). */
export const MAX_SEQ = 0xffff_ffff;

/** How many heartbeats a connected agent's recorded lastSeenAt may lag before a reader takes it for offline. */
export const ONLINE_STALE_HEARTBEATS = 3;

/** What an agent says about itself at enrollment (values from its Hello / enroll request). */
export interface AgentInfo {
  hostname: string;
  os: string;
  arch: string;
  agentVersion: string;
}

export interface Agent extends AgentInfo {
  id: string;
  tenant: string;
  enrolledAt: number;
  /** The latest sign of life: a frame or pong while connected (recorded once per heartbeat), else the disconnect. */
  lastSeenAt: number | null;
  /** Highest batch seq acked on the agent's latest connection that acked one (see agent-link/agent-session.ts); 0 before. */
  lastAckedSeq: number;
  revokedAt: number | null;
  /** The hostname the agent reported at its latest Hello when that differs from `hostname`; null when it agrees. */
  reportedHostname: string | null;
  /** When its current connection said Hello, as the collector recorded it; null once it disconnected. */
  connectedAt: number | null;
  /** When the collector last received a batch from it, and last acked one; null before the first. */
  lastBatchAt: number | null;
  lastAckAt: number | null;
  /** The spool depth the agent last reported (its `agent` point); null before the first report. */
  spool: AgentSpool | null;
}

/** What the agent said its spool holds (fields spool_batches and spool_bytes of its `agent` point) and when. */
export interface AgentSpool {
  batches: number;
  bytes: number | null;
  reportedAt: number;
}

/**
 * One agent's link as the collector knows it, recorded by recordLive. Null for lastBatchAt, lastAckAt, lastAckedSeq
 * and spool means "nothing new on this connection": the recorded value stays.
 */
export interface AgentLive {
  /** null: the connection ended. */
  connectedAt: number | null;
  lastSeenAt: number;
  lastBatchAt: number | null;
  lastAckAt: number | null;
  lastAckedSeq: number | null;
  spool: AgentSpool | null;
}

export interface AgentStore {
  /**
   * Creates an agent of an existing tenant with a fresh id and secret. Throws StoreError `tenant_unknown` (a removed one too),
   * `invalid_argument` (an info field that is not a valid identity string: identity.ts) or `conflict` (a live agent
   * of the tenant has that hostname). Prefer Store.enrollWithToken, which also redeems.
   */
  enroll(input: AgentInfo & { tenant: string; tokenId?: string }): { agentId: string; secret: string };
  /** The agent if the id exists, the secret matches (constant time) and it is not revoked; else null. */
  authenticate(agentId: string, secret: string): Agent | null;
  get(agentId: string): Agent | null;
  /** All agents, or one tenant's, ordered by tenant then hostname. */
  list(tenant?: string): Agent[];
  /** Up to `limit` agents with an id after `afterId` ('' for the first page), by id: a large fleet read in steps. */
  page(afterId: string, limit: number): Agent[];
  /**
   * Records a sign of life, the version if given, reportedHostname if given (null: the agent agrees with its bound
   * name) and connectedAt if given (a Hello). Never renames. Throws StoreError `agent_unknown` or `invalid_argument`.
   */
  touch(agentId: string, update: { lastSeenAt: number; reportedHostname?: string | null; agentVersion?: string; connectedAt?: number }): void;
  /**
   * Records the live state of several agents in one transaction (one fsync for a whole fleet's heartbeat). An id
   * that names no agent is skipped. Throws `invalid_argument` for a time that is not unix ms or a seq outside
   * 0..MAX_SEQ (nothing is written then).
   */
  recordLive(records: readonly { agentId: string; live: AgentLive }[]): void;
  /**
   * Records the highest seq acked on the agent's latest connection; it may be lower than before (an agent that
   * lost its spool counts from 1 again). Throws `agent_unknown`, or `invalid_argument` outside 0..MAX_SEQ.
   */
  setLastAckedSeq(agentId: string, seq: number): void;
  /**
   * The admin's rename: binds `hostname` to the agent. Throws `agent_unknown`, `invalid_argument` or `conflict`
   * (another live agent of the tenant has it). Clears reportedHostname when the agent already said that name.
   */
  rename(agentId: string, hostname: string): Agent;
  /**
   * Idempotent (keeps the first revocation time); authenticate fails from now on. The first revocation is also
   * appended to the revocation log that revocationsAfter reads. Throws `agent_unknown`.
   */
  revoke(agentId: string): void;
  /** Position of the newest entry in the revocation log (0 when empty): where a watcher starts. */
  revocationCursor(): number;
  /** Agents revoked after `cursor` (in log order) and the cursor to pass next time. One indexed range query. */
  revocationsAfter(cursor: number): { cursor: number; agentIds: string[] };
}

interface AgentRow {
  id: string;
  tenant: string;
  hostname: string;
  os: string;
  arch: string;
  agent_version: string;
  enrolled_at: number;
  last_seen_at: number | null;
  last_acked_seq: number;
  revoked_at: number | null;
  reported_hostname: string | null;
  connected_at: number | null;
  last_batch_at: number | null;
  last_ack_at: number | null;
  spool_batches: number | null;
  spool_bytes: number | null;
  spool_reported_at: number | null;
}

const COLUMNS = `id, tenant, hostname, os, arch, agent_version, enrolled_at, last_seen_at, last_acked_seq, revoked_at, reported_hostname,
  connected_at, last_batch_at, last_ack_at, spool_batches, spool_bytes, spool_reported_at`;
const ORDER = 'ORDER BY tenant, hostname, id';
/** A well-formed hash of nothing, compared against when the agent id is unknown, so both paths hash once. */
const DUMMY_HASH = hashSecret('');

function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    tenant: row.tenant,
    hostname: row.hostname,
    os: row.os,
    arch: row.arch,
    agentVersion: row.agent_version,
    enrolledAt: row.enrolled_at,
    lastSeenAt: row.last_seen_at,
    lastAckedSeq: row.last_acked_seq,
    revokedAt: row.revoked_at,
    reportedHostname: row.reported_hostname,
    connectedAt: row.connected_at,
    lastBatchAt: row.last_batch_at,
    lastAckAt: row.last_ack_at,
    spool:
      row.spool_batches === null || row.spool_reported_at === null
        ? null
        : { batches: row.spool_batches, bytes: row.spool_bytes, reportedAt: row.spool_reported_at },
  };
}

/**
 * Whether the agent is connected, judged from the store alone (another process than the serving collector: the CLI).
 * The collector rewrites a connected agent's lastSeenAt at least once per heartbeat (its pings are answered within
 * one), so a connectedAt whose lastSeenAt is more than ONLINE_STALE_HEARTBEATS heartbeats old is a collector that
 * stopped without recording the disconnect (killed, crashed, host down): offline.
 */
export function recordedOnline(agent: Pick<Agent, 'connectedAt' | 'lastSeenAt' | 'revokedAt'>, now: number, heartbeatMs: number): boolean {
  if (agent.connectedAt === null || agent.revokedAt !== null || agent.lastSeenAt === null) return false;
  return now - agent.lastSeenAt <= ONLINE_STALE_HEARTBEATS * heartbeatMs;
}

function checkField(field: IdentityField, value: unknown): void {
  const problem = identityProblem(field, value);
  if (problem) throw new StoreError('invalid_argument', `agent ${problem}`);
}

export function validateAgentInfo(info: AgentInfo): void {
  for (const field of ['hostname', 'os', 'arch', 'agentVersion'] as const) checkField(field, info[field]);
}

function unknown(agentId: string): StoreError {
  return new StoreError('agent_unknown', `unknown agent: ${agentId}`);
}

function prepare(db: Db) {
  return {
    checkTenant: tenantCheck(db),
    insert: db.prepare(
      `INSERT INTO agents (id, tenant, secret_hash, hostname, hostname_key, os, arch, agent_version, token_id, enrolled_at)
       VALUES (@id, @tenant, @hash, @hostname, @key, @os, @arch, @agentVersion, @tokenId, @enrolledAt)`,
    ),
    liveHolder: db.prepare('SELECT id FROM agents WHERE tenant = ? AND hostname_key = ? AND revoked_at IS NULL AND id != ? LIMIT 1').pluck(),
    rename: db.prepare(
      `UPDATE agents SET hostname = @hostname, hostname_key = @key,
       reported_hostname = CASE WHEN @agrees THEN NULL ELSE reported_hostname END WHERE id = @id`,
    ),
    unkeyed: db.prepare('SELECT id, hostname FROM agents WHERE hostname_key IS NULL'),
    setKey: db.prepare('UPDATE agents SET hostname_key = ? WHERE id = ?'),
    byId: db.prepare(`SELECT ${COLUMNS} FROM agents WHERE id = ?`),
    withHash: db.prepare(`SELECT ${COLUMNS}, secret_hash FROM agents WHERE id = ?`),
    listAll: db.prepare(`SELECT ${COLUMNS} FROM agents ${ORDER}`),
    listTenant: db.prepare(`SELECT ${COLUMNS} FROM agents WHERE tenant = ? ${ORDER}`),
    page: db.prepare(`SELECT ${COLUMNS} FROM agents WHERE id > ? ORDER BY id LIMIT ?`),
    touch: db.prepare(
      `UPDATE agents SET last_seen_at = @lastSeenAt, agent_version = coalesce(@agentVersion, agent_version),
       reported_hostname = CASE WHEN @reportedKnown = 1 THEN @reportedHostname ELSE reported_hostname END,
       connected_at = coalesce(@connectedAt, connected_at) WHERE id = @id`,
    ),
    live: db.prepare(
      `UPDATE agents SET connected_at = @connectedAt, last_seen_at = @lastSeenAt,
       last_batch_at = coalesce(@lastBatchAt, last_batch_at), last_ack_at = coalesce(@lastAckAt, last_ack_at),
       last_acked_seq = coalesce(@lastAckedSeq, last_acked_seq),
       spool_batches = CASE WHEN CAST(@spoolAt AS BIGINT) IS NULL THEN spool_batches ELSE @spoolBatches END,
       spool_bytes = CASE WHEN CAST(@spoolAt AS BIGINT) IS NULL THEN spool_bytes ELSE @spoolBytes END,
       spool_reported_at = coalesce(@spoolAt, spool_reported_at) WHERE id = @id`,
    ),
    ack: db.prepare('UPDATE agents SET last_acked_seq = ? WHERE id = ?'),
    revoke: db.prepare('UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    logRevocation: db.prepare('INSERT INTO agent_revocations (agent_id, revoked_at) VALUES (?, ?)'),
    newestRevocation: db.prepare('SELECT coalesce(max(seq), 0) FROM agent_revocations').pluck(),
    revocationsAfter: db.prepare('SELECT seq, agent_id FROM agent_revocations WHERE seq > ? ORDER BY seq LIMIT 1000'),
  };
}

type Statements = ReturnType<typeof prepare>;
type EnrollInput = Parameters<AgentStore['enroll']>[0];
type TouchUpdate = Parameters<AgentStore['touch']>[1];

/** Throws `conflict` when a live agent of the tenant other than `self` holds the hostname. */
function checkHostnameFree(s: Statements, tenant: string, hostname: string, self = ''): void {
  const holder = s.liveHolder.get(tenant, hostnameKey(hostname), self) as string | undefined;
  if (!holder) return;
  throw new StoreError('conflict', `hostname ${hostname} is already bound to agent ${holder} of tenant ${tenant}: revoke that agent or rename one of them`);
}

function enroll(s: Statements, now: () => number, input: EnrollInput): { agentId: string; secret: string } {
  validateAgentInfo(input);
  checkField('tenant', input.tenant);
  s.checkTenant(input.tenant);
  checkHostnameFree(s, input.tenant, input.hostname);
  const agentId = newAgentId();
  const secret = newSecret();
  const { tenant, hostname, os, arch, agentVersion } = input;
  s.insert.run({
    id: agentId,
    tenant,
    hash: hashSecret(secret),
    hostname,
    key: hostnameKey(hostname),
    os,
    arch,
    agentVersion,
    tokenId: input.tokenId ?? null,
    enrolledAt: now(),
  });
  return { agentId, secret };
}

function rename(s: Statements, get: (agentId: string) => Agent | null, agentId: string, hostname: string): Agent {
  checkField('hostname', hostname);
  const agent = get(agentId);
  if (!agent) throw unknown(agentId);
  checkHostnameFree(s, agent.tenant, hostname, agentId);
  const key = hostnameKey(hostname);
  const agrees = agent.reportedHostname !== null && hostnameKey(agent.reportedHostname) === key;
  s.rename.run({ id: agentId, hostname, key, agrees: agrees ? 1 : 0 });
  return get(agentId)!;
}

/**
 * Rows enrolled before hostname keys existed get theirs, at the first open after the upgrade (later opens find
 * none, with one read). Rows written since always carry their key, so nothing can race this.
 */
function fillHostnameKeys(db: Db, s: Statements): void {
  const rows = s.unkeyed.all() as { id: string; hostname: string }[];
  if (rows.length === 0) return;
  db.transaction(() => {
    for (const row of rows) s.setKey.run(hostnameKey(row.hostname), row.id);
  })();
}

function authenticate(s: Statements, agentId: string, secret: string): Agent | null {
  if (!isAgentId(agentId) || !isSecret(secret)) return null;
  const row = s.withHash.get(agentId) as (AgentRow & { secret_hash: Buffer }) | undefined;
  const matches = secretMatches(secret, row?.secret_hash ?? DUMMY_HASH);
  return row && matches && row.revoked_at === null ? toAgent(row) : null;
}

function touch(s: Statements, agentId: string, { lastSeenAt, reportedHostname, agentVersion, connectedAt }: TouchUpdate): void {
  checkTime('lastSeenAt', lastSeenAt);
  if (connectedAt !== undefined) checkTime('connectedAt', connectedAt);
  if (reportedHostname != null) checkField('hostname', reportedHostname);
  if (agentVersion !== undefined) checkField('agentVersion', agentVersion);
  const params = {
    id: agentId,
    lastSeenAt,
    agentVersion: agentVersion ?? null,
    reportedKnown: reportedHostname === undefined ? 0 : 1,
    reportedHostname: reportedHostname ?? null,
    connectedAt: connectedAt ?? null,
  };
  if (s.touch.run(params).changes === 0) throw unknown(agentId);
}

function checkTime(what: string, ms: number | null): void {
  if (ms !== null && !Number.isSafeInteger(ms)) throw new StoreError('invalid_argument', `${what} must be unix ms`);
}

function checkSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_SEQ) {
    throw new StoreError('invalid_argument', `seq must be an integer from 0 to ${MAX_SEQ}`);
  }
}

function setLastAckedSeq(s: Statements, agentId: string, seq: number): void {
  checkSeq(seq);
  if (s.ack.run(seq, agentId).changes === 0) throw unknown(agentId);
}

function checkCount(what: string, n: number | null): void {
  if (n !== null && (!Number.isSafeInteger(n) || n < 0)) throw new StoreError('invalid_argument', `${what} must be a whole number >= 0`);
}

/** The statement's parameters for one agent's live state, checked. */
function liveParams(agentId: string, live: AgentLive) {
  checkTime('connectedAt', live.connectedAt);
  checkTime('lastSeenAt', live.lastSeenAt);
  checkTime('lastBatchAt', live.lastBatchAt);
  checkTime('lastAckAt', live.lastAckAt);
  if (live.lastAckedSeq !== null) checkSeq(live.lastAckedSeq);
  if (live.spool) {
    checkCount('spool.batches', live.spool.batches);
    checkCount('spool.bytes', live.spool.bytes);
    checkTime('spool.reportedAt', live.spool.reportedAt);
  }
  const { connectedAt, lastSeenAt, lastBatchAt, lastAckAt, lastAckedSeq, spool } = live;
  return {
    id: agentId,
    connectedAt,
    lastSeenAt,
    lastBatchAt,
    lastAckAt,
    lastAckedSeq,
    spoolAt: spool?.reportedAt ?? null,
    spoolBatches: spool?.batches ?? null,
    spoolBytes: spool?.bytes ?? null,
  };
}

/** Statements are prepared once here; the returned methods are plain closures, safe to pass around unbound. */
export function createAgentStore(db: Db, now: () => number): AgentStore {
  const s = prepare(db);
  fillHostnameKeys(db, s);
  const get = (agentId: string): Agent | null => {
    const row = s.byId.get(agentId) as AgentRow | undefined;
    return row ? toAgent(row) : null;
  };
  // IMMEDIATE: the write lock is held from the hostname check to the write, so two processes cannot both find a
  // name free and take it. Inside another transaction (enrollWithToken) these become savepoints.
  const enrollTx = db.transaction((input: EnrollInput) => enroll(s, now, input));
  const renameTx = db.transaction((agentId: string, hostname: string) => rename(s, get, agentId, hostname));
  // PostgreSQL: the whole chunk in one statement (one round trip, not one per agent: at 10,000 agents a statement per
  // agent held the event loop for tens of milliseconds per chunk). SQLite: a statement per agent, in one transaction.
  const liveAll =
    dialectOf(db) === 'postgres'
      ? db.prepare(`UPDATE agents a SET connected_at = x."connectedAt", last_seen_at = x."lastSeenAt",
         last_batch_at = coalesce(x."lastBatchAt", a.last_batch_at), last_ack_at = coalesce(x."lastAckAt", a.last_ack_at),
         last_acked_seq = coalesce(x."lastAckedSeq", a.last_acked_seq),
         spool_batches = CASE WHEN x."spoolAt" IS NULL THEN a.spool_batches ELSE x."spoolBatches" END,
         spool_bytes = CASE WHEN x."spoolAt" IS NULL THEN a.spool_bytes ELSE x."spoolBytes" END,
         spool_reported_at = coalesce(x."spoolAt", a.spool_reported_at)
         FROM json_to_recordset(CAST(@rows AS json)) AS x(id text, "connectedAt" bigint, "lastSeenAt" bigint, "lastBatchAt" bigint,
           "lastAckAt" bigint, "lastAckedSeq" bigint, "spoolAt" bigint, "spoolBatches" bigint, "spoolBytes" bigint)
         WHERE a.id = x.id`)
      : null;
  const recordLiveTx = db.transaction((params: ReturnType<typeof liveParams>[]) => {
    if (liveAll) liveAll.run({ rows: JSON.stringify(params) });
    else for (const p of params) s.live.run(p);
  });
  return {
    enroll: (input) => enrollTx.immediate(input),
    authenticate: (agentId, secret) => authenticate(s, agentId, secret),
    get,
    list: (tenant) => ((tenant === undefined ? s.listAll.all() : s.listTenant.all(tenant)) as AgentRow[]).map(toAgent),
    page: (afterId, limit) => (s.page.all(afterId, limit) as AgentRow[]).map(toAgent),
    touch: (agentId, update) => touch(s, agentId, update),
    setLastAckedSeq: (agentId, seq) => setLastAckedSeq(s, agentId, seq),
    recordLive: (records) => {
      // Every record is checked before the transaction opens, so a bad one writes nothing and holds no lock.
      const params = records.map((r) => liveParams(r.agentId, r.live));
      if (params.length > 0) recordLiveTx(params);
    },
    rename: (agentId, hostname) => renameTx.immediate(agentId, hostname),
    revoke: db.transaction((agentId: string) => {
      const at = now();
      if (s.revoke.run(at, agentId).changes === 1) s.logRevocation.run(agentId, at);
      else if (!get(agentId)) throw unknown(agentId);
    }),
    revocationCursor: () => s.newestRevocation.get() as number,
    revocationsAfter: (cursor) => {
      const rows = s.revocationsAfter.all(cursor) as { seq: number; agent_id: string }[];
      return { cursor: rows.at(-1)?.seq ?? cursor, agentIds: rows.map((r) => r.agent_id) };
    },
  };
}
