// The service-desk outbox through the API: what was delivered, what waits, and the dead-letter list, with a
// retry for a dead delivery once its cause is fixed (a mapping, a credential), and a discard for one the desk will
// never take (a dead delivery holds its ticket's later events for that desk; discarding it lets them go). Admin keys only: the outbox is the
// MSP's plumbing (its desks, their errors); a tenant key sees its ticket's desk links in GET /api/v1/tickets/:id.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { httpErrors } from '../errors.js';
import type { DeskDelivery, Store } from '../store/index.js';
import { callerOf } from './access.js';
import { iso, isoOrNull } from './iso.js';

const ListQuery = Type.Object(
  {
    state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead'), Type.Literal('discarded')])),
    desk: Type.Optional(Type.String()),
    ticket: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
const Params = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export interface DeskRouteDeps {
  store: Store;
  /** Wakes the dispatcher after a retry. */
  kick(): void;
  now?: () => number;
}

export function deliveryView(d: DeskDelivery) {
  return {
    id: d.id,
    desk: d.desk,
    ticketId: d.ticketId,
    tenant: d.ticket.tenant,
    host: d.ticket.host,
    event: d.kind,
    at: iso(d.at),
    detail: d.detail,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.state === 'pending' ? iso(d.nextAttemptAt) : null,
    lastError: d.lastError,
    finishedAt: isoOrNull(d.finishedAt),
  };
}

export function registerDeskRoutes(app: FastifyInstance, deps: DeskRouteDeps): void {
  const now = deps.now ?? Date.now;
  const config = { access: 'admin' } as const;
  app.get<{ Querystring: Static<typeof ListQuery> }>('/api/v1/desk-deliveries', { config, schema: { querystring: ListQuery } }, async (request) => {
    const { state, desk, ticket, limit } = request.query;
    const list = deps.store.deskOutbox.list({
      ...(state ? { state } : {}),
      ...(desk ? { desk } : {}),
      ...(ticket ? { ticketId: ticket } : {}),
      ...(limit ? { limit } : {}),
    });
    return { deliveries: list.map(deliveryView) };
  });
  app.post<{ Params: Static<typeof Params> }>('/api/v1/desk-deliveries/:id/retry', { config, schema: { params: Params } }, async (request) => {
    const { id } = request.params;
    const row = deps.store.deskOutbox.get(id);
    if (!row) throw httpErrors.deliveryUnknown(id);
    if (!deps.store.deskOutbox.revive(id, now())) throw httpErrors.invalidArgument(`delivery ${id} is ${row.state}, not dead`);
    request.log.info({ delivery: id, desk: row.desk, apiKeyId: callerOf(request).id }, 'dead desk delivery put back in the queue');
    deps.kick();
    return deliveryView(deps.store.deskOutbox.get(id)!);
  });
  app.post<{ Params: Static<typeof Params> }>('/api/v1/desk-deliveries/:id/discard', { config, schema: { params: Params } }, async (request) => {
    const { id } = request.params;
    const row = deps.store.deskOutbox.get(id);
    if (!row) throw httpErrors.deliveryUnknown(id);
    const by = callerOf(request);
    if (!deps.store.deskOutbox.discard(id, now(), `discarded by ${by.name}`)) throw httpErrors.invalidArgument(`delivery ${id} is ${row.state}, not dead`);
    request.log.info({ delivery: id, desk: row.desk, apiKeyId: by.id }, "dead desk delivery discarded: the ticket's later events go on");
    deps.kick();
    return deliveryView(deps.store.deskOutbox.get(id)!);
  });
}
