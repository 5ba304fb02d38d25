// Admin API keys: named, revocable bearer keys for /api/v1/*. The plaintext key exists only in create()'s return
// value; the table holds the SHA-256 of its secret (see secrets.ts for why a fast hash is right here). A key is
// found by the id embedded in it, then its secret is compared in constant time, like enrollment tokens.
import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { formatApiKey, hashSecret, newSecret, newTokenId, parseApiKey, secretMatches } from './secrets.js';

export const MAX_API_KEY_NAME_LENGTH = 100;

/** A key as listed: never the secret nor its hash. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface ApiKeyStore {
  /** Returns the plaintext key, the only time it exists. Throws StoreError `invalid_argument` for a bad name. */
  create(input: { name: string }): { key: string; id: string };
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
  secret_hash: Buffer;
  created_at: number;
  revoked_at: number | null;
}

const DUMMY_HASH = hashSecret('');
const toInfo = (row: Omit<ApiKeyRow, 'secret_hash'>): ApiKeyInfo => ({ id: row.id, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at });

export function createApiKeyStore(db: Db, now: () => number): ApiKeyStore {
  const insert = db.prepare('INSERT INTO api_keys (id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)');
  const byId = db.prepare('SELECT * FROM api_keys WHERE id = ?');
  const revoke = db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?');
  const all = db.prepare('SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY created_at, id');
  const active = db.prepare('SELECT count(*) FROM api_keys WHERE revoked_at IS NULL').pluck();
  return {
    create({ name }) {
      const trimmed = typeof name === 'string' ? name.trim() : '';
      if (trimmed === '' || trimmed.length > MAX_API_KEY_NAME_LENGTH) {
        throw new StoreError('invalid_argument', `API key name must be 1-${MAX_API_KEY_NAME_LENGTH} characters`);
      }
      const id = newTokenId();
      const secret = newSecret();
      insert.run(id, trimmed, hashSecret(secret), now());
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
