// POST /api/v1/enroll: an agent exchanges an enrollment token for its own credential. The token is the
// authentication here, so this route is outside the admin key; the body is validated before anything is read:
// its shape by the schema, each identity string by store/identity.ts (400 naming the field), and a hostname a live agent
// of the tenant already holds is refused with 409. A machine that re-enrolls (`enroll --force`) presents its
// current credential as `Authorization: Bearer wpa_…`: when it authenticates, the new agent replaces that one (see
// Store.enrollWithToken for why). A header, not a body field, so an older collector simply ignores it.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../store/index.js';
import type { CollectorMetrics } from '../metrics.js';
import { formatAgentCredential, identityProblem, isStoreError } from '../store/index.js';
import { httpErrors } from '../errors.js';
import type { IpRateLimitHook } from '../http/ip-rate-limit.js';

/** Generous bounds for the schema (a body stays small); store/identity.ts holds the real limits and says which failed. */
const MAX_FIELD_BYTES = 1024;

const EnrollBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 512 }),
    hostname: Type.String({ maxLength: MAX_FIELD_BYTES }),
    os: Type.String({ maxLength: MAX_FIELD_BYTES }),
    arch: Type.String({ maxLength: MAX_FIELD_BYTES }),
    agentVersion: Type.String({ maxLength: MAX_FIELD_BYTES }),
  },
  { additionalProperties: false },
);

const EnrollReply = Type.Object({
  agentId: Type.String(),
  tenant: Type.String(),
  credential: Type.String(),
});

export const ENROLL_PATH = '/api/v1/enroll';

type Body = Static<typeof EnrollBody>;

function firstProblem(body: Body): string | null {
  for (const field of ['hostname', 'os', 'arch', 'agentVersion'] as const) {
    const problem = identityProblem(field, body[field]);
    if (problem) return problem;
  }
  return null;
}

export function registerEnroll(app: FastifyInstance, deps: { store: Store; metrics: CollectorMetrics; ipRateLimit: IpRateLimitHook }): void {
  app.post<{ Body: Body }>(
    ENROLL_PATH,
    // The rate limit runs in onRequest, before the body is even parsed.
    { onRequest: deps.ipRateLimit, config: { access: 'own-credential' }, schema: { body: EnrollBody, response: { 200: EnrollReply } } },
    async (request) => {
      const { token, ...agent } = request.body;
      const previousCredential = request.headers.authorization;
      const problem = firstProblem(request.body);
      if (problem) {
        deps.metrics.enrollments.inc({ result: 'invalid' });
        request.log.warn({ ip: request.ip, problem }, 'enrollment refused: invalid agent info');
        throw httpErrors.invalidArgument(problem);
      }
      const result = enrollOrExplain(deps, request, () => deps.store.enrollWithToken(token, agent, previousCredential));
      deps.metrics.enrollments.inc({ result: result.ok ? 'ok' : result.reason });
      if (!result.ok) {
        request.log.warn({ ip: request.ip, reason: result.reason, hostname: agent.hostname }, 'enrollment refused');
        throw httpErrors.tokenRefused(result.reason);
      }
      request.log.info({ agentId: result.agentId, tenant: result.tenant, hostname: agent.hostname, replaced: result.replaced }, 'agent enrolled');
      return { agentId: result.agentId, tenant: result.tenant, credential: formatAgentCredential(result.agentId, result.secret) };
    },
  );
}

/** Runs the enrollment; a StoreError the agent can act on becomes 400/409 (counted and logged), anything else is rethrown. */
function enrollOrExplain<T>(deps: { metrics: CollectorMetrics }, request: import('fastify').FastifyRequest<{ Body: Body }>, enroll: () => T): T {
  try {
    return enroll();
  } catch (error) {
    const { hostname } = request.body;
    if (isStoreError(error, 'conflict')) {
      deps.metrics.enrollments.inc({ result: 'hostname_taken' });
      request.log.warn({ ip: request.ip, hostname, detail: error.message }, 'enrollment refused: hostname taken');
      throw httpErrors.hostnameTaken(
        `hostname ${hostname} is already bound to a live agent of this tenant: an admin revokes that agent ` +
          '(watchpost-collector agent revoke ID) or renames one of them (agent rename ID NAME); a machine re-enrolling ' +
          'itself runs enroll --force from its existing state directory, which proves its old credential',
      );
    }
    if (isStoreError(error, 'invalid_argument')) {
      deps.metrics.enrollments.inc({ result: 'invalid' });
      throw httpErrors.invalidArgument(error.message);
    }
    throw error;
  }
}
