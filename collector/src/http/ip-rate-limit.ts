// Per-source-IP rate limit for the two unauthenticated entry points that cost real work: WebSocket upgrades
// (a credential check) and enrollments (an IMMEDIATE SQLite transaction). One bucket per IP, shared by both, in
// a bounded map. The source IP is the socket's peer (trustProxy is off): behind a proxy, limit at the proxy, or
// let a TCP balancer name the client in a PROXY protocol header (agents.proxyProtocol: proxy-listener.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CollectorMetrics } from '../metrics.js';
import { createKeyedLimiter, type BucketRule, type KeyedLimiter } from './token-bucket.js';
import { httpErrors } from '../errors.js';

/** Source IPs remembered at once; beyond it the least recently seen is forgotten (see createKeyedLimiter). */
export const MAX_TRACKED_IPS = 10_000;

export type IpRateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function createIpRateLimit(rule: BucketRule, metrics: CollectorMetrics, now?: () => number): { hook: IpRateLimitHook; limiter: KeyedLimiter } {
  const limiter = createKeyedLimiter(rule, { maxKeys: MAX_TRACKED_IPS, now });
  const hook: IpRateLimitHook = async (request, reply) => {
    const result = limiter.take(request.ip);
    if (result.ok) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    metrics.reject('rate_limited');
    request.log.warn({ ip: request.ip, url: request.routeOptions.url, retryAfterSeconds }, 'request refused: rate limited');
    reply.header('retry-after', String(retryAfterSeconds));
    throw httpErrors.rateLimited(retryAfterSeconds);
  };
  return { hook, limiter };
}
