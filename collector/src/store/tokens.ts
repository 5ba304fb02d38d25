// Enrollment tokens: per-tenant, expiring, limited-use secrets an MSP hands to an installer. The plaintext
// token exists only in the return value of create(); the table holds its secret's SHA-256 (see secrets.ts).
import { MAX_HOSTNAME_LENGTH } from './agents.js';
import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { formatEnrollmentToken, hashSecret, newSecret, newTokenId, parseEnrollmentToken, secretMatches } from './secrets.js';
import { tenantCheck } from './tenants.js';

export const MAX_TOKEN_USES = 1_000_000;

export type RedeemFailure = 'unknown' | 'expired' | 'used_up' | 'revoked' | 'malformed';
export type RedeemResult = { ok: true; tenant: string; tokenId: string } | { ok: false; reason: RedeemFailure };

/** Who redeemed the token; recorded on the token (`lastUsedBy`) for the MSP's audit. */
export interface RedeemContext {
  hostname: string;
}

/** A token as listed: never the secret nor its hash. */
export interface TokenInfo {
  id: string;
  tenant: string;
  createdAt: number;
  expiresAt: number;
  maxUses: number;
  usesLeft: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  lastUsedBy: string | null;
}

export interface TokenStore {
  /**
   * Returns the plaintext token, the only time it exists. Throws StoreError `tenant_unknown` (a removed one too), or
   * `invalid_argument` when uses is not an integer in 1..MAX_TOKEN_USES or expiresAt is not in the future.
   */
  create(input: { tenant: string; expiresAt: number; uses: number }): { token: string; id: string };
  /**
   * Checks the token and consumes one use, atomically (one IMMEDIATE transaction, so of two redeemers of the
   * last use, on any connection, exactly one succeeds). A wrong secret for an existing id reports `unknown`, so
   * ids cannot be probed. Never throws for bad input.
   */
  redeem(token: string, context: RedeemContext): RedeemResult;
  /**
   * What redeem would answer now, without consuming a use: the deployment script and its downloads are
   * authorized by the token before the agent enrolls with it. Never throws for bad input.
   */
  check(token: string): RedeemResult;
  /** Idempotent (keeps the first revocation time). Throws StoreError `token_unknown`. */
  revoke(id: string): void;
  /** All tokens, or one tenant's, newest first. */
  list(tenant?: string): TokenInfo[];
}

interface TokenRow {
  id: string;
  tenant: string;
  secret_hash: Buffer;
  created_at: number;
  expires_at: number;
  max_uses: number;
  uses_left: number;
  revoked_at: number | null;
  last_used_at: number | null;
  last_used_by: string | null;
}

/** Compared against when the token id is unknown, so both paths cost one hash. */
const DUMMY_HASH = hashSecret('');
const INFO_COLUMNS = 'id, tenant, created_at, expires_at, max_uses, uses_left, revoked_at, last_used_at, last_used_by';

function toInfo(row: Omit<TokenRow, 'secret_hash'>): TokenInfo {
  return {
    id: row.id,
    tenant: row.tenant,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    maxUses: row.max_uses,
    usesLeft: row.uses_left,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    lastUsedBy: row.last_used_by,
  };
}

function checkCreate(input: { expiresAt: number; uses: number }, now: number): void {
  if (!Number.isInteger(input.uses) || input.uses < 1 || input.uses > MAX_TOKEN_USES) {
    throw new StoreError('invalid_argument', `token uses must be an integer from 1 to ${MAX_TOKEN_USES}`);
  }
  if (!Number.isSafeInteger(input.expiresAt) || input.expiresAt <= now) {
    throw new StoreError('invalid_argument', 'token expiry must be a time in the future (unix ms)');
  }
}

/** Why a stored token cannot be redeemed at `now`, or null if it can. Order: revoked, expired, used up. */
function refusal(row: TokenRow, now: number): RedeemFailure | null {
  if (row.revoked_at !== null) return 'revoked';
  if (now >= row.expires_at) return 'expired';
  if (row.uses_left <= 0) return 'used_up';
  return null;
}

function prepare(db: Db) {
  return {
    checkTenant: tenantCheck(db),
    insert: db.prepare(
      `INSERT INTO enrollment_tokens (id, tenant, secret_hash, created_at, expires_at, max_uses, uses_left)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    byId: db.prepare('SELECT * FROM enrollment_tokens WHERE id = ?'),
    consume: db.prepare(
      `UPDATE enrollment_tokens SET uses_left = uses_left - 1, last_used_at = ?, last_used_by = ?
       WHERE id = ? AND uses_left > 0`,
    ),
    revoke: db.prepare('UPDATE enrollment_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?'),
    listAll: db.prepare(`SELECT ${INFO_COLUMNS} FROM enrollment_tokens ORDER BY created_at DESC, id`),
    listTenant: db.prepare(`SELECT ${INFO_COLUMNS} FROM enrollment_tokens WHERE tenant = ? ORDER BY created_at DESC, id`),
  };
}

type Statements = ReturnType<typeof prepare>;

function create(s: Statements, now: () => number, input: Parameters<TokenStore['create']>[0]): { token: string; id: string } {
  const createdAt = now();
  checkCreate(input, createdAt);
  s.checkTenant(input.tenant);
  const id = newTokenId();
  const secret = newSecret();
  s.insert.run(id, input.tenant, hashSecret(secret), createdAt, input.expiresAt, input.uses, input.uses);
  return { token: formatEnrollmentToken(id, secret), id };
}

/** The token's row if it parses and its secret matches, in constant time either way; else why not. */
function lookup(s: Statements, token: string): { row: TokenRow } | { reason: 'malformed' | 'unknown' } {
  const parsed = parseEnrollmentToken(token);
  if (!parsed) return { reason: 'malformed' };
  const row = s.byId.get(parsed.id) as TokenRow | undefined;
  const matches = secretMatches(parsed.secret, row?.secret_hash ?? DUMMY_HASH);
  return row && matches ? { row } : { reason: 'unknown' };
}

function check(s: Statements, now: () => number, token: string): RedeemResult {
  const found = lookup(s, token);
  if ('reason' in found) return { ok: false, reason: found.reason };
  const reason = refusal(found.row, now());
  return reason ? { ok: false, reason } : { ok: true, tenant: found.row.tenant, tokenId: found.row.id };
}

/** The body of redeem; the caller runs it inside a transaction. */
function redeemIn(s: Statements, now: () => number, token: string, context: RedeemContext): RedeemResult {
  const found = lookup(s, token);
  if ('reason' in found) return { ok: false, reason: found.reason };
  const { row } = found;
  const at = now();
  const reason = refusal(row, at);
  if (reason) return { ok: false, reason };
  const hostname = String(context.hostname).slice(0, MAX_HOSTNAME_LENGTH);
  if (s.consume.run(at, hostname, row.id).changes !== 1) return { ok: false, reason: 'used_up' };
  return { ok: true, tenant: row.tenant, tokenId: row.id };
}

/** Statements are prepared once here; the returned methods are plain closures, safe to pass around unbound. */
export function createTokenStore(db: Db, now: () => number): TokenStore {
  const s = prepare(db);
  const redeemTx = db.transaction((token: string, context: RedeemContext) => redeemIn(s, now, token, context));
  return {
    create: (input) => create(s, now, input),
    // IMMEDIATE takes the write lock before the read, so no other connection can consume between check and
    // decrement. Inside an outer transaction (enrollWithToken) better-sqlite3 runs this as a savepoint.
    redeem: (token, context) => redeemTx.immediate(token, context),
    check: (token) => check(s, now, token),
    revoke: (id) => {
      if (s.revoke.run(now(), id).changes === 0) throw new StoreError('token_unknown', `unknown token: ${id}`);
    },
    list: (tenant) => ((tenant === undefined ? s.listAll.all() : s.listTenant.all(tenant)) as TokenRow[]).map(toInfo),
  };
}
