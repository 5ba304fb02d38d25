// How requests appear in the collector's log: by method and path, never with the query string. No route takes a
// secret in its URL, but people paste tokens and keys into URLs by mistake (`?token=…`), and a log line is read by
// more people, and kept longer, than the secret should be. Every log line that names a request's URL uses pathOf.
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';

/** The URL without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Fastify's request serializer, minus the query string. */
function serializeRequest(request: FastifyRequest) {
  return { method: request.method, url: pathOf(request.url), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort };
}

type LoggerOption = FastifyServerOptions['logger'];

/** The logger options with the request serializer (a caller's options, else level and redaction from config). */
export function loggerOptions(given: LoggerOption, level: string): LoggerOption {
  if (given === false) return false;
  const base = typeof given === 'object' && given !== null ? given : { level, redact: ['req.headers.authorization'] };
  return { ...base, serializers: { ...base.serializers, req: serializeRequest } };
}

/**
 * Fastify's own "Route GET:/x?token=… not found" puts the whole URL in the log line and the answer; this one
 * names the path only.
 */
export function registerNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const route = `${request.method}:${pathOf(request.url)}`;
    request.log.info({ route }, 'route not found');
    return reply.code(404).send({ error: 'not_found', message: `Route ${route} not found` });
  });
}
