// POST /api/v1/enroll: an agent exchanges an enrollment token for its own credential. The token is the
// authentication here, so this route is outside the admin key; the body is validated before anything is read.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../store/index.js';
import type { CollectorMetrics } from '../metrics.js';
import { formatAgentCredential } from '../store/index.js';
import { httpErrors } from '../errors.js';
import type { IpRateLimitHook } from '../ip-rate-limit.js';

const EnrollBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 512 }),
    hostname: Type.String({ minLength: 1, maxLength: 255 }),
    os: Type.String({ maxLength: 32 }),
    arch: Type.String({ maxLength: 32 }),
    agentVersion: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: false },
);

const EnrollReply = Type.Object({
  agentId: Type.String(),
  tenant: Type.String(),
  credential: Type.String(),
});

export const ENROLL_PATH = '/api/v1/enroll';

export function registerEnroll(app: FastifyInstance, deps: { store: Store; metrics: CollectorMetrics; ipRateLimit: IpRateLimitHook }): void {
  app.post<{ Body: Static<typeof EnrollBody> }>(
    ENROLL_PATH,
    // The rate limit runs in onRequest, before the body is even parsed.
    { onRequest: deps.ipRateLimit, schema: { body: EnrollBody, response: { 200: EnrollReply } } },
    async (request) => {
      const { token, ...agent } = request.body;
      const result = deps.store.enrollWithToken(token, agent);
      deps.metrics.enrollments.inc({ result: result.ok ? 'ok' : result.reason });
      if (!result.ok) {
        request.log.warn({ ip: request.ip, reason: result.reason, hostname: agent.hostname }, 'enrollment refused');
        throw httpErrors.enrollRefused(result.reason);
      }
      request.log.info({ agentId: result.agentId, tenant: result.tenant, hostname: agent.hostname }, 'agent enrolled');
      return { agentId: result.agentId, tenant: result.tenant, credential: formatAgentCredential(result.agentId, result.secret) };
    },
  );
}
