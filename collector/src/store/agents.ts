// Enrolled agents and their credentials. The credential secret is returned once, at enrollment; the table holds
// its SHA-256 (see secrets.ts). Live connection state is not stored: the collector tracks it in memory.
import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { hashSecret, isAgentId, isSecret, newAgentId, newSecret, secretMatches } from './secrets.js';

export const MAX_HOSTNAME_LENGTH = 255;
export const MAX_INFO_FIELD_LENGTH = 64;
/** Seqs are uint32 on the wire (proto Batch.seq). */
export const MAX_SEQ = 0xffff_ffff;

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
  lastSeenAt: number | null;
  /** Highest batch seq written to InfluxDB for this agent; 0 before the first. Never decreases. */
  lastAckedSeq: number;
  revokedAt: number | null;
}

export interface AgentStore {
  /**
   * Creates an agent of an existing tenant with a fresh id and secret. Throws StoreError `tenant_unknown` or
   * `invalid_argument` (empty or oversized info field). Prefer Store.enrollWithToken, which also redeems.
   */
  enroll(input: AgentInfo & { tenant: string; tokenId?: string }): { agentId: string; secret: string };
  /** The agent if the id exists, the secret matches (constant time) and it is not revoked; else null. */
  authenticate(agentId: string, secret: string): Agent | null;
  get(agentId: string): Agent | null;
  /** All agents, or one tenant's, ordered by tenant then hostname. */
  list(tenant?: string): Agent[];
  /** Up to `limit` agents with an id after `afterId` ('' for the first page), by id: a large fleet read in steps. */
  page(afterId: string, limit: number): Agent[];
  /** Records a sign of life, and the hostname/version if they changed. Throws StoreError `agent_unknown`. */
  touch(agentId: string, update: { lastSeenAt: number; hostname?: string; agentVersion?: string }): void;
  /** Raises lastAckedSeq to seq (a lower seq, e.g. a replayed batch, leaves it). Throws `agent_unknown`. */
  setLastAckedSeq(agentId: string, seq: number): void;
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
}

const COLUMNS = 'id, tenant, hostname, os, arch, agent_version, enrolled_at, last_seen_at, last_acked_seq, revoked_at';
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
  };
}

function checkField(name: string, value: string, max: number): void {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new StoreError('invalid_argument', `agent ${name} must be 1-${max} characters`);
  }
}

export function validateAgentInfo(info: AgentInfo): void {
  checkField('hostname', info.hostname, MAX_HOSTNAME_LENGTH);
  checkField('os', info.os, MAX_INFO_FIELD_LENGTH);
  checkField('arch', info.arch, MAX_INFO_FIELD_LENGTH);
  checkField('agentVersion', info.agentVersion, MAX_INFO_FIELD_LENGTH);
}

function unknown(agentId: string): StoreError {
  return new StoreError('agent_unknown', `unknown agent: ${agentId}`);
}

function prepare(db: Db) {
  return {
    tenantExists: db.prepare('SELECT 1 FROM tenants WHERE id = ?').pluck(),
    insert: db.prepare(
      `INSERT INTO agents (id, tenant, secret_hash, hostname, os, arch, agent_version, token_id, enrolled_at)
       VALUES (@id, @tenant, @hash, @hostname, @os, @arch, @agentVersion, @tokenId, @enrolledAt)`,
    ),
    byId: db.prepare(`SELECT ${COLUMNS} FROM agents WHERE id = ?`),
    withHash: db.prepare(`SELECT ${COLUMNS}, secret_hash FROM agents WHERE id = ?`),
    listAll: db.prepare(`SELECT ${COLUMNS} FROM agents ${ORDER}`),
    listTenant: db.prepare(`SELECT ${COLUMNS} FROM agents WHERE tenant = ? ${ORDER}`),
    page: db.prepare(`SELECT ${COLUMNS} FROM agents WHERE id > ? ORDER BY id LIMIT ?`),
    touch: db.prepare(
      `UPDATE agents SET last_seen_at = @lastSeenAt, hostname = coalesce(@hostname, hostname),
       agent_version = coalesce(@agentVersion, agent_version) WHERE id = @id`,
    ),
    ack: db.prepare('UPDATE agents SET last_acked_seq = max(last_acked_seq, ?) WHERE id = ?'),
    revoke: db.prepare('UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    logRevocation: db.prepare('INSERT INTO agent_revocations (agent_id, revoked_at) VALUES (?, ?)'),
    newestRevocation: db.prepare('SELECT coalesce(max(seq), 0) FROM agent_revocations').pluck(),
    revocationsAfter: db.prepare('SELECT seq, agent_id FROM agent_revocations WHERE seq > ? ORDER BY seq LIMIT 1000'),
  };
}

type Statements = ReturnType<typeof prepare>;
type EnrollInput = Parameters<AgentStore['enroll']>[0];
type TouchUpdate = Parameters<AgentStore['touch']>[1];

function enroll(s: Statements, now: () => number, input: EnrollInput): { agentId: string; secret: string } {
  validateAgentInfo(input);
  if (!s.tenantExists.get(input.tenant)) throw new StoreError('tenant_unknown', `unknown tenant: ${input.tenant}`);
  const agentId = newAgentId();
  const secret = newSecret();
  const { tenant, hostname, os, arch, agentVersion } = input;
  s.insert.run({
    id: agentId, tenant, hash: hashSecret(secret), hostname, os, arch, agentVersion,
    tokenId: input.tokenId ?? null, enrolledAt: now(),
  });
  return { agentId, secret };
}

function authenticate(s: Statements, agentId: string, secret: string): Agent | null {
  if (!isAgentId(agentId) || !isSecret(secret)) return null;
  const row = s.withHash.get(agentId) as (AgentRow & { secret_hash: Buffer }) | undefined;
  const matches = secretMatches(secret, row?.secret_hash ?? DUMMY_HASH);
  return row && matches && row.revoked_at === null ? toAgent(row) : null;
}

function touch(s: Statements, agentId: string, { lastSeenAt, hostname, agentVersion }: TouchUpdate): void {
  if (!Number.isSafeInteger(lastSeenAt)) throw new StoreError('invalid_argument', 'lastSeenAt must be unix ms');
  if (hostname !== undefined) checkField('hostname', hostname, MAX_HOSTNAME_LENGTH);
  if (agentVersion !== undefined) checkField('agentVersion', agentVersion, MAX_INFO_FIELD_LENGTH);
  const params = { id: agentId, lastSeenAt, hostname: hostname ?? null, agentVersion: agentVersion ?? null };
  if (s.touch.run(params).changes === 0) throw unknown(agentId);
}

function setLastAckedSeq(s: Statements, agentId: string, seq: number): void {
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_SEQ) {
    throw new StoreError('invalid_argument', `seq must be an integer from 0 to ${MAX_SEQ}`);
  }
  if (s.ack.run(seq, agentId).changes === 0) throw unknown(agentId);
}

/** Statements are prepared once here; the returned methods are plain closures, safe to pass around unbound. */
export function createAgentStore(db: Db, now: () => number): AgentStore {
  const s = prepare(db);
  const get = (agentId: string): Agent | null => {
    const row = s.byId.get(agentId) as AgentRow | undefined;
    return row ? toAgent(row) : null;
  };
  return {
    enroll: (input) => enroll(s, now, input),
    authenticate: (agentId, secret) => authenticate(s, agentId, secret),
    get,
    list: (tenant) => ((tenant === undefined ? s.listAll.all() : s.listTenant.all(tenant)) as AgentRow[]).map(toAgent),
    page: (afterId, limit) => (s.page.all(afterId, limit) as AgentRow[]).map(toAgent),
    touch: (agentId, update) => touch(s, agentId, update),
    setLastAckedSeq: (agentId, seq) => setLastAckedSeq(s, agentId, seq),
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
