// What a person does to a ticket through the API (acknowledge, give a resolution plan, resolve), and the current
// alerts. Actions go through the alert engine so the ticket's history, SLA clocks and InfluxDB points move
// together; the acting admin key id is recorded as who did it.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AlertEngine, TicketAction } from '../alerting/engine.js';
import { httpErrors } from '../errors.js';
import type { Store } from '../store/index.js';
import { adminKeyCheck } from './api.js';
import { isoOrNull } from './iso.js';
import { ticketView } from './tickets.js';

const Params = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const PlanBody = Type.Object({ plan: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false });
const NoteBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false });
const ResolveBody = Type.Union([Type.Object({ note: Type.Optional(Type.String({ maxLength: 4000 })) }, { additionalProperties: false }), Type.Null()]);
const AlertsQuery = Type.Object(
  { tenant: Type.Optional(Type.String()), host: Type.Optional(Type.String()), state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')])) },
  { additionalProperties: false },
);

export interface TicketActionDeps {
  store: Store;
  engine: AlertEngine;
  adminKey: string;
  now?: () => number;
}

export function registerTicketActions(app: FastifyInstance, deps: TicketActionDeps): void {
  const onRequest = adminKeyCheck(deps.adminKey, deps.store.apiKeys);
  const now = deps.now ?? Date.now;
  const act = (id: number, action: TicketAction, by: string) => {
    const ticket = deps.store.tickets.get(id);
    if (!ticket) throw httpErrors.ticketUnknown(id);
    if (ticket.status === 'resolved') throw httpErrors.ticketResolved(id);
    return ticketView(deps.engine.act(id, action, by)!, now());
  };
  type WithId = { Params: Static<typeof Params> };
  app.post<WithId>('/api/v1/tickets/:id/ack', { onRequest, schema: { params: Params } }, async (request) =>
    act(request.params.id, { kind: 'ack' }, request.adminKeyId ?? 'api'),
  );
  app.post<WithId & { Body: Static<typeof PlanBody> }>('/api/v1/tickets/:id/plan', { onRequest, schema: { params: Params, body: PlanBody } }, async (request) =>
    act(request.params.id, { kind: 'plan', text: request.body.plan }, request.adminKeyId ?? 'api'),
  );
  app.post<WithId & { Body: Static<typeof NoteBody> }>('/api/v1/tickets/:id/notes', { onRequest, schema: { params: Params, body: NoteBody } }, async (request) => {
    const ticket = deps.store.tickets.get(request.params.id);
    if (!ticket) throw httpErrors.ticketUnknown(request.params.id);
    return ticketView(deps.engine.act(ticket.id, { kind: 'note', text: request.body.text }, request.adminKeyId ?? 'api')!, now());
  });
  app.post<WithId & { Body: Static<typeof ResolveBody> }>('/api/v1/tickets/:id/resolve', { onRequest, schema: { params: Params, body: ResolveBody } }, async (request) => {
    const note = request.body?.note;
    return act(request.params.id, { kind: 'resolve', ...(note ? { note } : {}) }, request.adminKeyId ?? 'api');
  });
  app.get<{ Querystring: Static<typeof AlertsQuery> }>('/api/v1/alerts', { onRequest, schema: { querystring: AlertsQuery } }, async (request) => {
    const { tenant, host, state } = request.query;
    const alerts = deps.engine
      .alerts()
      .filter(([key]) => (!tenant || key.tenant === tenant) && (!host || key.host === host))
      .map(([key, r]) => ({
        ...key,
        state: r.status === 'inactive' ? 'resolved' : r.status,
        level: r.level,
        impact: r.impact,
        summary: r.summary,
        ...(r.value !== undefined ? { value: r.value } : {}),
        activeSince: isoOrNull(r.activeSince),
        firingSince: isoOrNull(r.firingSince),
        resolvedAt: isoOrNull(r.resolvedAt),
        ticketed: r.ticketed,
        heldUntil: isoOrNull(r.heldUntil),
      }))
      .filter((a) => !state || a.state === state);
    return { alerts };
  });
}
