// A local Autotask PSA REST v1.0 for connector tests: zone discovery and the ticket endpoints the connector uses,
// over an in-memory ticket table. What it checks, as far as the sources below say:
// - ZoneInformation?user=<user> (no credentials): the zone's URL for a known user, {"url": ".../ATServicesRest/"};
// - every other call: ApiIntegrationCode, UserName and Secret headers, else 401;
// - POST Tickets: companyID, title, status, priority and queueID required, picklist values known to this instance,
//   UDFs only by a defined name; a failure answers HTTP 500 {"errors":[...]} as Autotask documents for failed
//   operations; success answers {"itemId": n};
// - POST Tickets/query: {"filter":[{"op":"eq","field":...,"value":...}]} on externalID or (with "udf": true) a
//   defined UDF; answers {"items":[...],"pageDetails":{...}};
// - POST Tickets/{id}/Notes: ticketID matching the path, title and description required (this instance requires
//   note titles, a ticket-category setting), noteType and publish integers;
// - PATCH Tickets: {"id", fields}; only status, priority, resolution are accepted here.
// Paths are matched without regard to case (Autotask's own samples use both atservicesrest/v1.0 and ATServicesRest).
//
// Sources: https://github.com/AutotaskDevelopment/REST-Postman (Autotask's Postman collection: zoneInformation,
// headers, ticket create, Tickets/{id}/Notes, PATCH, UDF filters);
// https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/TicketsEntity.htm;
// https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/TicketNotesEntity.htm;
// https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Basic_Query_Calls.htm;
// https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Creating_Resources_POST.htm.
// The pageDetails fields and the 401 body are not from those pages.
import { reply, startFakeDesk, type FakeAnswer, type FakeDesk, type FakeRequest } from './fake-desk.js';

export const ZONE_PATH = '/atservicesrest/v1.0/zoneinformation';
export const API_PATH = '/atservicesrest/v1.0/';

export interface AtNote {
  title: string;
  description: string;
  noteType: number;
  publish: number;
}

export interface AtTicket {
  id: number;
  companyID: number;
  title: string;
  description: string;
  status: number;
  priority: number;
  queueID: number;
  externalID: string | null;
  resolution: string | null;
  userDefinedFields: Array<{ name: string; value: string }>;
  notes: AtNote[];
}

export interface AtInstance {
  username: string;
  secret: string;
  integrationCode: string;
  companies: number[];
  queues: number[];
  statuses: number[];
  priorities: number[];
  udfs: string[];
}

export interface FakeAutotask extends FakeDesk {
  tickets: AtTicket[];
}

const errors = (...messages: string[]): FakeAnswer => reply(500, { errors: messages });
const int = (v: unknown): v is number => Number.isSafeInteger(v);
const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

export async function startFakeAutotask(instance: AtInstance): Promise<FakeAutotask> {
  const tickets: AtTicket[] = [];

  function create(b: Record<string, unknown>): FakeAnswer {
    const missing = ['companyID', 'status', 'priority', 'queueID'].filter((f) => !int(b[f]));
    if (!text(b.title)) missing.push('title');
    if (missing.length) return errors(...missing.map((f) => `${f} is required.`));
    const { companyID, status, priority, queueID } = b as Record<string, number>;
    if (!instance.companies.includes(companyID!)) return errors(`Value ${companyID} does not exist for companyID.`);
    if (!instance.queues.includes(queueID!)) return errors(`Value ${queueID} does not exist for queueID.`);
    if (!instance.statuses.includes(status!)) return errors(`Value ${status} does not exist for status.`);
    if (!instance.priorities.includes(priority!)) return errors(`Value ${priority} does not exist for priority.`);
    const udfs = (b.userDefinedFields ?? []) as Array<{ name?: unknown; value?: unknown }>;
    if (!Array.isArray(udfs) || udfs.some((u) => !text(u.name) || !instance.udfs.includes(u.name) || typeof u.value !== 'string'))
      return errors('userDefinedFields: unknown field.');
    const ticket: AtTicket = {
      id: 7000 + tickets.length + 1,
      companyID: companyID!,
      title: b.title as string,
      description: typeof b.description === 'string' ? b.description : '',
      status: status!,
      priority: priority!,
      queueID: queueID!,
      externalID: typeof b.externalID === 'string' ? b.externalID : null,
      resolution: null,
      userDefinedFields: udfs as Array<{ name: string; value: string }>,
      notes: [],
    };
    tickets.push(ticket);
    return reply(200, { itemId: ticket.id });
  }

  function query(b: Record<string, unknown>): FakeAnswer {
    const filter = b.filter as Array<{ op?: unknown; field?: unknown; value?: unknown; udf?: unknown }> | undefined;
    if (!Array.isArray(filter) || filter.length !== 1) return errors('This fake understands exactly one filter expression.');
    const f = filter[0]!;
    if (f.op !== 'eq' || typeof f.value !== 'string') return errors('This fake understands only "eq" on a string.');
    const udf = f.udf === true;
    if (udf ? !instance.udfs.includes(String(f.field)) : f.field !== 'externalID') return errors(`Field ${String(f.field)} cannot be queried.`);
    const hits = tickets.filter((t) => (udf ? t.userDefinedFields.some((u) => u.name === f.field && u.value === f.value) : t.externalID === f.value));
    return reply(200, {
      items: hits.map(({ notes: _notes, ...t }) => t),
      pageDetails: { count: hits.length, requestCount: 500, prevPageUrl: null, nextPageUrl: null },
    });
  }

  function note(ticket: AtTicket, b: Record<string, unknown>): FakeAnswer {
    if (b.ticketID !== ticket.id) return errors('ticketID does not match the parent ticket.');
    if (!text(b.title)) return errors('title is required (Require titles on ticket notes).');
    if (!text(b.description) || !int(b.noteType) || !int(b.publish)) return errors('description, noteType and publish are required.');
    ticket.notes.push({ title: b.title, description: b.description, noteType: b.noteType, publish: b.publish });
    return reply(200, { itemId: ticket.notes.length });
  }

  function update(b: Record<string, unknown>): FakeAnswer {
    const ticket = tickets.find((t) => t.id === b.id);
    if (!ticket) return errors(`Ticket ${String(b.id)} not found.`);
    for (const [field, value] of Object.entries(b)) {
      if (field === 'id') continue;
      if (field === 'status' && int(value) && instance.statuses.includes(value)) ticket.status = value;
      else if (field === 'priority' && int(value) && instance.priorities.includes(value)) ticket.priority = value;
      else if (field === 'resolution' && typeof value === 'string') ticket.resolution = value;
      else return errors(`Cannot set ${field} to ${JSON.stringify(value)}.`);
    }
    return reply(200, { itemId: ticket.id });
  }

  function handle(r: FakeRequest, base: string): FakeAnswer {
    const path = r.path.toLowerCase();
    if (path === ZONE_PATH && r.method === 'GET') {
      if (r.query.get('user') !== instance.username) return reply(404, { errors: ['Zone information could not be determined'] });
      return reply(200, { zoneName: 'Fake Zone', url: `${base}/ATServicesRest/`, webUrl: `${base}/`, ci: 1 });
    }
    if (!path.startsWith(API_PATH)) return reply(404, { errors: ['no such path'] });
    const h = r.headers;
    if (h.apiintegrationcode !== instance.integrationCode || h.username !== instance.username || h.secret !== instance.secret)
      return reply(401, { errors: ['Unauthorized'] });
    const rest = path.slice(API_PATH.length);
    const body = (typeof r.json === 'object' && r.json !== null ? r.json : {}) as Record<string, unknown>;
    if (rest === 'tickets' && r.method === 'POST') return create(body);
    if (rest === 'tickets' && r.method === 'PATCH') return update(body);
    if (rest === 'tickets/query' && r.method === 'POST') return query(body);
    const m = /^tickets\/(\d+)\/notes$/.exec(rest);
    const ticket = m ? tickets.find((t) => t.id === Number(m[1])) : undefined;
    if (m && ticket && r.method === 'POST') return note(ticket, body);
    return reply(404, { errors: [`${r.method} ${r.path} not found`] });
  }

  const desk = await startFakeDesk(handle);
  return Object.assign(desk, { tickets });
}
