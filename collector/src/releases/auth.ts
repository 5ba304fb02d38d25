// Who may download releases and deployment scripts: an enrolled agent (its credential, as at the WebSocket
// upgrade) or the holder of a valid enrollment token (checked, not consumed: the deployment script downloads the
// agent before the agent enrolls with the same token). Both arrive as `Authorization: Bearer ...`.
import type { FastifyRequest } from 'fastify';
import { bearerToken, parseAgentCredential, type Store } from '../store/index.js';
import { httpErrors } from '../errors.js';
import { pathOf } from '../http/request-log.js';

export type Reader = { kind: 'agent'; agentId: string; tenant: string } | { kind: 'token'; tokenId: string; tenant: string; token: string };

/** The enrollment token's reader; throws 401 naming why a token is refused. */
export function tokenReader(store: Store, request: FastifyRequest): Extract<Reader, { kind: 'token' }> {
  const presented = bearerToken(request.headers.authorization);
  if (!presented) throw httpErrors.credentialRequired();
  const result = store.tokens.check(presented);
  if (!result.ok) {
    request.log.warn({ ip: request.ip, reason: result.reason, url: pathOf(request.url) }, 'request refused: enrollment token');
    throw httpErrors.tokenRefused(result.reason);
  }
  return { kind: 'token', tokenId: result.tokenId, tenant: result.tenant, token: presented };
}

/** An agent credential's reader, else the enrollment token's; throws 401. */
export function agentOrTokenReader(store: Store, request: FastifyRequest): Reader {
  const credential = parseAgentCredential(request.headers.authorization ?? '');
  if (credential) {
    const agent = store.agents.authenticate(credential.agentId, credential.secret);
    if (agent) return { kind: 'agent', agentId: agent.id, tenant: agent.tenant };
    request.log.warn({ ip: request.ip, agentId: credential.agentId, url: pathOf(request.url) }, 'request refused: unknown or revoked agent credential');
    throw httpErrors.credentialRequired();
  }
  return tokenReader(store, request);
}
