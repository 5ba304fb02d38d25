// GET /api/v1/tickets and GET /api/v1/tickets/:id (any API key; a tenant key sees its tenant's tickets only):
// tickets with their SLA clocks, each clock's standing computed at request time, times as ISO strings. Changing a
// ticket (ack, plan, resolve) goes through the alert engine, not through here.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import {
  byStatus,
  slaStanding,
  TICKET_STATUS_FILTERS,
  type SlaClockRow,
  type SlaStanding,
  type Ticket,
  type TicketEvent,
  type TicketStatusFilter,
} from '../tickets/model.js';
import { MAX_LIST_LIMIT, type Store } from '../store/index.js';
import { httpErrors } from '../errors.js';
import { listTenant, sees } from './access.js';
import { iso, isoOrNull } from './iso.js';

/** Unix ms -> ISO text, null kept (distributes over `number | null`). */
type Iso<V> = V extends number ? string : V;
/** The API's form of a stored row: its times (`at`, `...At`) as ISO text (iso.ts), the rest as it is. */
type IsoTimes<T> = { [K in keyof T]: K extends 'at' | `${string}At` ? Iso<T[K]> : T[K] };

export type SlaClockView = IsoTimes<SlaClockRow> & { standing: SlaStanding };
/** The API's form of a ticket: the stored ticket with its times as ISO text and each clock's standing. */
export type TicketView = Omit<IsoTimes<Ticket>, 'sla'> & { sla: SlaClockView[] };
export type TicketEventView = Omit<IsoTimes<TicketEvent>, 'ticketId'>;

/** The API's form of a ticket; `now` decides each clock's standing. */
export function ticketView(t: Ticket, now: number): TicketView {
  return {
    ...t,
    openedAt: iso(t.openedAt),
    updatedAt: iso(t.updatedAt),
    acknowledgedAt: isoOrNull(t.acknowledgedAt),
    planAt: isoOrNull(t.planAt),
    resolvedAt: isoOrNull(t.resolvedAt),
    sla: t.sla.map((c) => ({
      ...c,
      startedAt: iso(c.startedAt),
      dueAt: iso(c.dueAt),
      warnAt: iso(c.warnAt),
      metAt: isoOrNull(c.metAt),
      approachedAt: isoOrNull(c.approachedAt),
      breachedAt: isoOrNull(c.breachedAt),
      standing: slaStanding(c, now),
    })),
  };
}

export function ticketEventView(e: TicketEvent): TicketEventView {
  return { id: e.id, at: iso(e.at), kind: e.kind, detail: e.detail, data: e.data };
}

/** The CLI's --status choices; absent is `all` here (the CLI defaults to unresolved). */
const StatusFilter = Type.Union(TICKET_STATUS_FILTERS.map((s) => Type.Literal(s)));
const ListQuery = Type.Object(
  {
    status: Type.Optional(StatusFilter),
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIST_LIMIT })),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'only tickets with a smaller id: the last id of the previous page' })),
  },
  { additionalProperties: false },
);
const TicketParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export interface TicketRouteDeps {
  store: Store;
  /** The clock for SLA standings; default Date.now. */
  now?: () => number;
}

export function registerTicketRoutes(app: FastifyInstance, deps: TicketRouteDeps): void {
  const now = deps.now ?? Date.now;
  const config = { access: 'read' } as const;
  app.get<{ Querystring: Static<typeof ListQuery> }>('/api/v1/tickets', { config, schema: { querystring: ListQuery } }, async (request) => {
    const { status, host, limit, before } = request.query;
    const tenant = listTenant(request, request.query.tenant);
    const tickets = deps.store.tickets.list({
      ...byStatus((status ?? 'all') as TicketStatusFilter),
      ...(tenant ? { tenant } : {}),
      ...(host ? { host } : {}),
      ...(limit ? { limit } : {}),
      ...(before ? { beforeId: before } : {}),
    });
    const t = now();
    return { tickets: tickets.map((ticket) => ticketView(ticket, t)) };
  });
  app.get<{ Params: Static<typeof TicketParams> }>('/api/v1/tickets/:id', { config, schema: { params: TicketParams } }, async (request) => {
    const ticket = deps.store.tickets.get(request.params.id);
    if (!ticket || !sees(request, ticket.tenant)) throw httpErrors.ticketUnknown(request.params.id);
    const desks = deps.store.deskOutbox.remotes(ticket.id);
    return { ...ticketView(ticket, now()), events: deps.store.tickets.events(ticket.id).map(ticketEventView), desks };
  });
}
