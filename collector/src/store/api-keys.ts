// API keys: revocable bearer keys for /api/v1/*, each named after the person or system that holds it (the name
// is shown as who acted: acknowledgedBy, createdBy) and scoped: `admin` reaches every tenant and route; a tenant
// key reaches one tenant, with the role `read` (look) or `operate` (look, and act on its tickets, maintenance
// windows and silences). The plaintext key exists only in create()'s return value; the table holds the SHA-256 of
// its secret (see secrets.ts for why a fast hash is right here). A key is found by the id embedded in it, then its
// secret is compared in constant time, like enrollment tokens.
import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { formatApiKey, hashSecret, newSecret, newTokenId, parseApiKey, secretMatches } from './secrets.js';
import { tenantCheck } from './tenants.js';

export const MAX_API_KEY_NAME_LENGTH = 100;

export const TENANT_ROLES = ['read', 'operate'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];
export type ApiKeyRole = 'admin' | TenantRole;

/** A key as listed: never the secret nor its hash. `tenant` is null exactly when `role` is 'admin'. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  tenant: string | null;
  role: ApiKeyRole;
  createdAt: number;
  revokedAt: number | null;
}

/** An admin key (no tenant, no role), or a key for one tenant with its role. */
export type NewApiKeyScope = { tenant?: undefined; role?: undefined } | { tenant: string; role: TenantRole };
export type NewApiKey = { name: string } & NewApiKeyScope;

export interface ApiKeyStore {
  /**
   * Returns the plaintext key, the only time it exists. Throws StoreError `invalid_argument` for a bad name (empty,
   * too long, control characters) or a tenant without a role of TENANT_ROLES (or a role without a tenant), and
   * `tenant_unknown` (a removed one too).
   */
  create(input: NewApiKey): { key: string; id: string };
  /** The key's info if it exists, the secret matches and it is not revoked; else null. Never throws for bad input. */
  authenticate(key: string): ApiKeyInfo | null;
  /** Idempotent (keeps the first revocation time). Throws StoreError `api_key_unknown`. */
  revoke(id: string): void;
  /** Oldest first. */
  list(): ApiKeyInfo[];
  /** Keys not revoked: with none and no bootstrap key the API is disabled. */
  activeCount(): number;
}

interface ApiKeyRow {
  id: string;
  name: string;
  tenant: string | null;
  role: ApiKeyRole;
  secret_hash: Buffer;
  created_at: number;
  revoked_at: number | null;
}

const DUMMY_HASH = hashSecret('');
// The name ends up in ticket events, desk deliveries and logs: one line of printable text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const toInfo = (row: Omit<ApiKeyRow, 'secret_hash'>): ApiKeyInfo => ({
  id: row.id,
  name: row.name,
  tenant: row.tenant,
  role: row.role,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

function validName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed === '' || trimmed.length > MAX_API_KEY_NAME_LENGTH || CONTROL.test(trimmed)) {
    throw new StoreError('invalid_argument', `API key name must be 1-${MAX_API_KEY_NAME_LENGTH} characters without control characters`);
  }
  return trimmed;
}

function validScope(input: NewApiKey): { tenant: string | null; role: ApiKeyRole } {
  if (input.tenant === undefined && input.role === undefined) return { tenant: null, role: 'admin' };
  if (typeof input.tenant !== 'string' || !(TENANT_ROLES as readonly unknown[]).includes(input.role)) {
    throw new StoreError('invalid_argument', `a tenant API key needs a tenant and a role (${TENANT_ROLES.join(' or ')}); an admin key has neither`);
  }
  return { tenant: input.tenant, role: input.role! };
}

export function createApiKeyStore(db: Db, now: () => number): ApiKeyStore {
  const insert = db.prepare('INSERT INTO api_keys (id, name, tenant, role, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const checkTenant = tenantCheck(db);
  const byId = db.prepare('SELECT * FROM api_keys WHERE id = ?');
  const revoke = db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?');
  const all = db.prepare('SELECT id, name, tenant, role, created_at, revoked_at FROM api_keys ORDER BY created_at, id');
  const active = db.prepare('SELECT count(*) FROM api_keys WHERE revoked_at IS NULL').pluck();
  return {
    create(input) {
      const name = validName(input.name);
      const { tenant, role } = validScope(input);
      if (tenant !== null) checkTenant(tenant);
      const id = newTokenId();
      const secret = newSecret();
      insert.run(id, name, tenant, role, hashSecret(secret), now());
      return { key: formatApiKey(id, secret), id };
    },
    authenticate(key) {
      const parsed = parseApiKey(key);
      if (!parsed) return null;
      const row = byId.get(parsed.id) as ApiKeyRow | undefined;
      const matches = secretMatches(parsed.secret, row?.secret_hash ?? DUMMY_HASH);
      return row && matches && row.revoked_at === null ? toInfo(row) : null;
    },
    revoke(id) {
      if (revoke.run(now(), id).changes === 0) throw new StoreError('api_key_unknown', `unknown API key: ${id}`);
    },
    list: () => (all.all() as ApiKeyRow[]).map(toInfo),
    activeCount: () => active.get() as number,
  };
}
