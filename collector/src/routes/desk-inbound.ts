// POST /api/v1/desks/:desk/inbound: a service desk's own push (Jira webhook, HaloPSA webhook, ConnectWise callback,
// ServiceNow REST message, Autotask ticket webhook) telling Watchpost what a person did to a ticket in the desk. No
// API key: the desk proves the push with its vendor's signature or the shared secret of the desk's `inbound:` block
// (desks/inbound/), and the changes are applied through the ticket actions with the desk as their origin
// (desks/inbound/apply.ts).
//
// - The body is kept raw (this route's own content-type parser, any content type, INBOUND_BODY_LIMIT), because
//   signatures are over its exact bytes; it is parsed as JSON only once the push is proved.
// - Every refusal (unknown desk, a desk without `inbound:` or whose block only polls, a bad or missing signature or
//   secret) is the same 401 with nothing beyond the code, counted as `desk_push_refused`, and braked per source
//   address like bad API keys.
// - A proved push is answered 200 with what became of each change, also when it names tickets Watchpost does not
//   know (a desk sends every ticket's changes; an error answer would only make it retry).
// - Logged: the desk, the source address and the outcome counts; never the body, the headers or the query string.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AlertEngine } from '../alerting/engine.js';
import type { DeskSet } from '../desks/desks-file.js';
import { applyDeskChanges } from '../desks/inbound/apply.js';
import { InboundPayloadError } from '../desks/inbound/contract.js';
import { httpErrors } from '../errors.js';
import { MAX_TRACKED_IPS } from '../http/ip-rate-limit.js';
import { createKeyedLimiter } from '../http/token-bucket.js';
import type { CollectorMetrics } from '../metrics.js';
import type { Store } from '../store/index.js';
import { FAILED_ATTEMPT_BURST, FAILED_ATTEMPTS_PER_SECOND } from './api-auth.js';

/** Jira sends the whole issue (every field, custom ones included) with each event: larger than the API's 64 KiB. */
export const INBOUND_BODY_LIMIT = 1024 * 1024;

const Params = Type.Object({ desk: Type.String({ pattern: '^[a-z][a-z0-9_-]*$', maxLength: 100 }) });
const Query = Type.Object({ secret: Type.Optional(Type.String({ maxLength: 1024 })) }, { additionalProperties: true });

export interface DeskInboundDeps {
  store: Store;
  engine: Pick<AlertEngine, 'act'>;
  desks: () => DeskSet;
  metrics: CollectorMetrics;
  /** fetch for a vendor's key lookup (ConnectWise); default globalThis.fetch. */
  fetch?: typeof fetch;
  now?: () => number;
}

export function registerDeskInbound(app: FastifyInstance, deps: DeskInboundDeps): void {
  const now = deps.now ?? Date.now;
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const failures = createKeyedLimiter({ ratePerSecond: FAILED_ATTEMPTS_PER_SECOND, burst: FAILED_ATTEMPT_BURST }, { maxKeys: MAX_TRACKED_IPS, now });
  // A plugin of its own, so the raw-body parser serves this route only.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: INBOUND_BODY_LIMIT }, (_request, body, done) => done(null, body));
    scope.post<{ Params: Static<typeof Params>; Querystring: Static<typeof Query> }>(
      '/api/v1/desks/:desk/inbound',
      { config: { access: 'own-credential' }, bodyLimit: INBOUND_BODY_LIMIT, schema: { params: Params, querystring: Query } },
      async (request) => {
        const { desk } = request.params;
        const refuse = (): never => {
          failures.take(request.ip);
          deps.metrics.reject('desk_push_refused');
          request.log.warn({ desk, ip: request.ip }, 'desk push refused: no valid signature or secret');
          throw httpErrors.pushRefused();
        };
        const budget = failures.peek(request.ip);
        if (!budget.ok) {
          deps.metrics.reject('rate_limited');
          throw httpErrors.rateLimited(Math.max(1, Math.ceil(budget.retryAfterMs / 1000)));
        }
        const desks = deps.desks();
        const inbound = desks.inbound?.(desk);
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        if (!inbound || inbound.push === false) return refuse();
        const querySecret = request.query.secret;
        const proved = await inbound.vendor.verify(
          { headers: request.headers, rawBody, ...(querySecret !== undefined ? { querySecret } : {}) },
          inbound.settings,
          inbound.url,
          { fetch: fetchFn, now },
        );
        if (!proved) return refuse();
        let body: unknown;
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          throw httpErrors.invalidArgument('the body is not JSON');
        }
        let changes;
        try {
          changes = inbound.vendor.parse(body, inbound.settings, now());
        } catch (error) {
          if (error instanceof InboundPayloadError) throw httpErrors.invalidArgument(error.message);
          throw error;
        }
        const results = applyDeskChanges(
          { store: deps.store, now, act: (id, action, by, source) => deps.engine.act(id, action, by, source), route: (d, tenant) => desks.route(d, tenant) },
          desk,
          changes,
        );
        const counts: Record<string, number> = {};
        for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
        request.log.info({ desk, ip: request.ip, changes: results.length, ...counts }, 'desk push applied');
        return { desk, changes: results };
      },
    );
  });
}
