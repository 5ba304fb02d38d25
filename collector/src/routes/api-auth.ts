// Who is calling the API: a stored API key (`wpk_…`, looked up by its id, secret compared in constant time) or the
// bootstrap adminKey (digests compared in constant time, so neither lengths nor contents leak). With neither
// configured the API is disabled. Never logs the presented key.
//
// Guessing is braked per source IP: every failed attempt takes a token from the address's bucket
// (FAILED_ATTEMPT_BURST at most, refilled at FAILED_ATTEMPTS_PER_SECOND). An address with an empty bucket is answered
// 429 with Retry-After before its key is even looked at, a right key included: answering a right key would keep
// the guessing going at full speed, with 429 meaning "wrong". Requests with a right key take nothing from the
// bucket, so a busy client is never slowed. The source IP is the socket's peer (trustProxy is off): behind a
// proxy every client shares its address, so limit at the proxy too.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, type ApiKeyInfo, type ApiKeyStore } from '../store/index.js';
import type { CollectorMetrics } from '../metrics.js';
import { httpErrors } from '../errors.js';
import { MAX_TRACKED_IPS } from '../http/ip-rate-limit.js';
import { createKeyedLimiter } from '../http/token-bucket.js';
import { pathOf } from '../http/request-log.js';

/** Failed attempts one source IP may make at once before it is answered 429. */
export const FAILED_ATTEMPT_BURST = 20;
/** Then one more every 5 s: about 17,000 guesses a day at most, instead of thousands a second. */
export const FAILED_ATTEMPTS_PER_SECOND = 0.2;

/** Who made a request: the API key's id ('bootstrap' for adminKey), the holder's name, the key's scope. */
export type Caller = Pick<ApiKeyInfo, 'id' | 'name' | 'tenant' | 'role'>;

export const BOOTSTRAP_CALLER: Caller = { id: 'bootstrap', name: 'bootstrap', tenant: null, role: 'admin' };

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
const SHA256_PREFIX = 'sha256:';

/** The bootstrap key's SHA-256, from its plaintext or from its "sha256:<hex>" form; null when none is set. */
export function bootstrapKeyDigest(adminKey: string): Buffer | null {
  if (!adminKey) return null;
  return adminKey.startsWith(SHA256_PREFIX) ? Buffer.from(adminKey.slice(SHA256_PREFIX.length), 'hex') : digest(adminKey);
}

export interface ApiAuthDeps {
  adminKey: string;
  apiKeys: ApiKeyStore;
  metrics: CollectorMetrics;
  now?: () => number;
}

/** The caller of a request with a right key; throws 401 (api_disabled, unauthorized) or 429. */
export function createApiAuth(deps: ApiAuthDeps): (request: FastifyRequest, reply: FastifyReply) => Promise<Caller> {
  const expected = bootstrapKeyDigest(deps.adminKey);
  const failures = createKeyedLimiter({ ratePerSecond: FAILED_ATTEMPTS_PER_SECOND, burst: FAILED_ATTEMPT_BURST }, { maxKeys: MAX_TRACKED_IPS, now: deps.now });
  const identify = (authorization: string | undefined): Caller | null => {
    const presented = bearerToken(authorization);
    if (!presented) return null;
    const stored = deps.apiKeys.authenticate(presented);
    if (stored) return { id: stored.id, name: stored.name, tenant: stored.tenant, role: stored.role };
    return expected && timingSafeEqual(digest(presented), expected) ? BOOTSTRAP_CALLER : null;
  };
  return async (request, reply) => {
    if (!expected && deps.apiKeys.activeCount() === 0) throw httpErrors.apiDisabled();
    const budget = failures.peek(request.ip);
    if (!budget.ok) {
      const retryAfterSeconds = Math.max(1, Math.ceil(budget.retryAfterMs / 1000));
      deps.metrics.reject('rate_limited');
      request.log.warn({ ip: request.ip, url: pathOf(request.url), retryAfterSeconds }, 'API request refused: too many failed API key attempts');
      reply.header('retry-after', String(retryAfterSeconds));
      throw httpErrors.rateLimited(retryAfterSeconds);
    }
    const caller = identify(request.headers.authorization);
    if (caller) return caller;
    failures.take(request.ip);
    deps.metrics.reject('api_key_refused');
    request.log.warn({ ip: request.ip, url: pathOf(request.url) }, 'API request refused: bad API key');
    throw httpErrors.unauthorized();
  };
}
