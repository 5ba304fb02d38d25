// Random identifiers, credential secrets, their hashes and their string forms.
//
// Why SHA-256 and not bcrypt/scrypt/argon2: every secret here is 32 bytes from the OS CSPRNG, so there is no
// dictionary to try and brute force over 2^256 is out of reach whatever the hash costs. Slow password hashes
// exist to protect low-entropy human passwords; for random API tokens a single fast hash is the standard
// (GitHub and Stripe store their tokens this way) and it keeps authentication cheap on the hot path (every
// agent reconnect). A leaked database therefore yields no usable credential.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_BYTES = 32;
export const TOKEN_ID_BYTES = 8;
export const AGENT_ID_BYTES = 16;
export const TOKEN_PREFIX = 'wpe_';
export const CREDENTIAL_PREFIX = 'wpa_';
export const AGENT_ID_PREFIX = 'ag_';
export const API_KEY_PREFIX = 'wpk_';

/** base64url of SECRET_BYTES bytes, without padding: 43 characters. */
const SECRET_RE = /^[A-Za-z0-9_-]{43}$/;
const TOKEN_RE = new RegExp(`^${TOKEN_PREFIX}([0-9a-f]{${TOKEN_ID_BYTES * 2}})_([A-Za-z0-9_-]{43})$`);
const API_KEY_RE = new RegExp(`^${API_KEY_PREFIX}([0-9a-f]{${TOKEN_ID_BYTES * 2}})_([A-Za-z0-9_-]{43})$`);
const AGENT_ID_RE = new RegExp(`^${AGENT_ID_PREFIX}[0-9a-f]{${AGENT_ID_BYTES * 2}}$`);
const CREDENTIAL_RE = new RegExp(`^${CREDENTIAL_PREFIX}(${AGENT_ID_PREFIX}[0-9a-f]{${AGENT_ID_BYTES * 2}})\\.([A-Za-z0-9_-]{43})$`);
/** `Authorization: Bearer <credential>`, the scheme in any case. */
const BEARER_RE = /^Bearer\s+(.+)$/i;
/** Longer than any valid header value; anything past it is rejected before a regex sees it. */
const MAX_CREDENTIAL_HEADER_LENGTH = 256;

export function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function newTokenId(): string {
  return randomBytes(TOKEN_ID_BYTES).toString('hex');
}

export function newAgentId(): string {
  return AGENT_ID_PREFIX + randomBytes(AGENT_ID_BYTES).toString('hex');
}

export function isAgentId(id: string): boolean {
  return AGENT_ID_RE.test(id);
}

export function isSecret(secret: string): boolean {
  return SECRET_RE.test(secret);
}

/** SHA-256 of the secret's UTF-8 bytes; stored as a 32-byte BLOB. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time comparison of a presented secret against a stored hash. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const presented = hashSecret(secret);
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash);
}

/**
 * Enrollment token: `wpe_<16 hex id>_<43 base64url secret>`. The id is the row key, so redeeming is one
 * indexed lookup; only the secret's hash is stored. The id is hex so the `_` separator stays unambiguous even
 * though base64url secrets may contain `_`.
 */
export function formatEnrollmentToken(id: string, secret: string): string {
  return `${TOKEN_PREFIX}${id}_${secret}`;
}

export function parseEnrollmentToken(token: string): { id: string; secret: string } | null {
  const m = TOKEN_RE.exec(token.trim());
  return m?.[1] !== undefined && m[2] !== undefined ? { id: m[1], secret: m[2] } : null;
}

/**
 * Agent credential as the agent sends it in `Authorization: Bearer wpa_<agentId>.<secret>`, e.g.
 * `wpa_ag_0123456789abcdef0123456789abcdef.<43 base64url chars>`. `.` separates because neither part can
 * contain it.
 */
export function formatAgentCredential(agentId: string, secret: string): string {
  return `${CREDENTIAL_PREFIX}${agentId}.${secret}`;
}

/**
 * The credential of an Authorization header value `Bearer <credential>` (scheme case-insensitive, whitespace around
 * the credential ignored), or null. The one reader of the bearer header: API keys, agent credentials and enrollment
 * tokens all arrive in it.
 */
export function bearerToken(header: string | undefined): string | null {
  return BEARER_RE.exec(header?.trim() ?? '')?.[1]?.trim() || null;
}

/**
 * Parses either the bare credential or a whole Authorization header value (`Bearer <credential>`, see bearerToken).
 * Returns null for anything else; never throws, since the input is hostile.
 */
export function parseAgentCredential(header: string): { agentId: string; secret: string } | null {
  if (header.length > MAX_CREDENTIAL_HEADER_LENGTH) return null;
  const m = CREDENTIAL_RE.exec(bearerToken(header) ?? header.trim());
  return m?.[1] !== undefined && m[2] !== undefined ? { agentId: m[1], secret: m[2] } : null;
}

/** Admin API key: `wpk_<16 hex id>_<43 base64url secret>`, shaped like an enrollment token and for the same reasons. */
export function formatApiKey(id: string, secret: string): string {
  return `${API_KEY_PREFIX}${id}_${secret}`;
}

export function parseApiKey(key: string): { id: string; secret: string } | null {
  if (key.length > MAX_CREDENTIAL_HEADER_LENGTH) return null;
  const m = API_KEY_RE.exec(key.trim());
  return m?.[1] !== undefined && m[2] !== undefined ? { id: m[1], secret: m[2] } : null;
}
