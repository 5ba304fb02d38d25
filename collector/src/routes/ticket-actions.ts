// What a person does to a ticket through the API (acknowledge, give a resolution plan, note, resolve, reopen, set
// the priority with a reason: admin keys and operate keys of the ticket's tenant), and the current alerts (any key;
// a tenant key sees its tenant's). Actions go through the alert engine so the ticket's history, SLA clocks and
// InfluxDB points move together; the name of the API key's holder is recorded as who did it. Another tenant's
// ticket answers 404, like an unknown one. Resolving a ticket whose alert still fires answers a `warning` (and
// `stillFiring`): the engine reopens the ticket if the alert still fires at the end of the reopen window.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PRIORITIES } from '../alerting/contract.js';
import type { AlertEngine } from '../alerting/engine.js';
import { stillFiringWarning, type TicketAction } from '../tickets/actions.js';
import { httpErrors } from '../errors.js';
import type { Store } from '../store/index.js';
import { actor, listTenant, sees } from './access.js';
import { isoOrNull } from './iso.js';
import { ticketView } from './tickets.js';

const Params = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const PlanBody = Type.Object({ plan: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false });
const NoteBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false });
const ResolveBody = Type.Union([Type.Object({ note: Type.Optional(Type.String({ maxLength: 4000 })) }, { additionalProperties: false }), Type.Null()]);
/** Why a person reopens a ticket or changes its priority: required, and more than blanks. */
const Reason = Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S' });
const ReopenBody = Type.Object({ reason: Reason }, { additionalProperties: false });
const PriorityBody = Type.Object({ priority: Type.Union(PRIORITIES.map((p) => Type.Literal(p))), reason: Reason }, { additionalProperties: false });
const AlertsQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String()),
    host: Type.Optional(Type.String()),
    state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')])),
  },
  { additionalProperties: false },
);

export interface TicketActionDeps {
  store: Store;
  engine: AlertEngine;
  now?: () => number;
}

export function registerTicketActions(app: FastifyInstance, deps: TicketActionDeps): void {
  const now = deps.now ?? Date.now;
  const ticketOf = (request: FastifyRequest, id: number) => {
    const ticket = deps.store.tickets.get(id);
    if (!ticket || !sees(request, ticket.tenant)) throw httpErrors.ticketUnknown(id);
    return ticket;
  };
  const act = (request: FastifyRequest, id: number, action: TicketAction) => {
    const ticket = ticketOf(request, id);
    if (action.kind === 'reopen') {
      if (ticket.status !== 'resolved') throw httpErrors.ticketNotResolved(id);
      const other = deps.store.tickets.findOpen(ticket.tenant, ticket.agentId, ticket.ruleId);
      if (other) throw httpErrors.ticketSuperseded(id, other.id);
    } else if (ticket.status === 'resolved' && action.kind !== 'note') throw httpErrors.ticketResolved(id);
    const next = deps.engine.act(ticket.id, action, actor(request))!;
    const firing = action.kind === 'resolve' ? deps.engine.stillFiring(next) : null;
    const view = ticketView(next, now());
    if (!firing) return view;
    const instances = firing.instances.map((f) => ({ instance: f.instance, summary: f.summary }));
    return { ...view, warning: stillFiringWarning(firing), stillFiring: { instances, reopensAt: isoOrNull(firing.reopensAt) } };
  };
  type WithId = { Params: Static<typeof Params> };
  const operate = { access: 'operate' } as const;
  app.post<WithId>('/api/v1/tickets/:id/ack', { config: operate, schema: { params: Params } }, async (request) =>
    act(request, request.params.id, { kind: 'ack' }),
  );
  app.post<WithId & { Body: Static<typeof PlanBody> }>(
    '/api/v1/tickets/:id/plan',
    { config: operate, schema: { params: Params, body: PlanBody } },
    async (request) => act(request, request.params.id, { kind: 'plan', text: request.body.plan }),
  );
  // A note is added to a resolved ticket too.
  app.post<WithId & { Body: Static<typeof NoteBody> }>(
    '/api/v1/tickets/:id/notes',
    { config: operate, schema: { params: Params, body: NoteBody } },
    async (request) => act(request, request.params.id, { kind: 'note', text: request.body.text }),
  );
  app.post<WithId & { Body: Static<typeof ResolveBody> }>(
    '/api/v1/tickets/:id/resolve',
    { config: operate, schema: { params: Params, body: ResolveBody } },
    async (request) => {
      const note = request.body?.note;
      return act(request, request.params.id, { kind: 'resolve', ...(note ? { note } : {}) });
    },
  );
  // A reopen is a new response obligation: acknowledgement and plan cleared, every SLA clock from now.
  app.post<WithId & { Body: Static<typeof ReopenBody> }>(
    '/api/v1/tickets/:id/reopen',
    { config: operate, schema: { params: Params, body: ReopenBody } },
    async (request) => act(request, request.params.id, { kind: 'reopen', note: `reopened by ${actor(request)}: ${request.body.reason}` }),
  );
  // A technician's priority: due times recomputed, the desks told (escalated or deescalated) with the reason.
  app.post<WithId & { Body: Static<typeof PriorityBody> }>(
    '/api/v1/tickets/:id/priority',
    { config: operate, schema: { params: Params, body: PriorityBody } },
    async (request) => act(request, request.params.id, { kind: 'priority', priority: request.body.priority, reason: request.body.reason.trim() }),
  );
  app.get<{ Querystring: Static<typeof AlertsQuery> }>(
    '/api/v1/alerts',
    { config: { access: 'read' }, schema: { querystring: AlertsQuery } },
    async (request) => {
      const { host, state } = request.query;
      const tenant = listTenant(request, request.query.tenant);
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
    },
  );
}
