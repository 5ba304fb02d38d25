// A local Autotask PSA REST v1.0 for connector tests: zone discovery, the entities' field information and the ticket
// endpoints the connector uses, over an in-memory ticket table. What it enforces, as far as the sources below say:
// - ZoneInformation?user=<user> (no credentials): the zone's URL for a known user, {"url": ".../ATServicesRest/"};
// - every other call: ApiIntegrationCode, UserName and Secret headers, else 401;
// - GET Tickets/entityInformation/fields and TicketNotes/entityInformation/fields: {"fields": [...]}, each field with
//   name, dataType, length, isRequired, isQueryable, isPickList and picklistValues ({value (a string), label,
//   isDefaultValue, sortOrder, parentValue, isActive, isSystem}); the picklists are this instance's, and every write
//   below is checked against the same table, so a value or a length the connector sends is refused exactly when the
//   field information it could have read says so;
// - POST Tickets: companyID, title, status, priority and queueID required; picklist values must exist in the
//   field's picklist; strings no longer than the field's length (externalID 50, title 255, description 8000);
//   dueDateTime required unless the instance's ticket category supplies a default due date, and a date when given;
//   UDFs only by a defined name. A failure answers HTTP 500 {"errors":[...]} as Autotask documents for failed
//   operations; success answers {"itemId": n};
// - POST Tickets/query and Companies/query: {"filter":[{"op":"eq","field":...,"value":...}]} (tickets on externalID
//   or, with "udf": true, a defined UDF; companies on id); answers {"items":[...],"pageDetails":{...}};
// - POST Tickets/{id}/Notes: ticketID matching the path, title and description required (this instance requires
//   note titles, a ticket-category setting), noteType and publish values of TicketNotes' picklists, lengths as above;
// - PATCH Tickets: {"id", fields}; only status, priority (picklist values) and resolution are accepted here;
// - GET Tickets/{id}: {"item": {...}} (the REST GET of one entity), the ticket without its notes; an unknown id
//   answers 404 here (what Autotask answers for one is not in the sources).
// Paths are matched without regard to case (Autotask's own samples use both atservicesrest/v1.0 and ATServicesRest).
//
// Sources: https://github.com/AutotaskDevelopment/REST-Postman (Autotask's Postman collection, 2020.10.29:
// zoneInformation, headers, Tickets/entityinformation/fields "to get Ticket Status picklist values", a ticket create
// that sends dueDateTime, Tickets/{id}/Notes, PATCH, UDF filters);
// https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/TicketsEntity.htm (URLs incl.
// Tickets/entityInformation/fields; creatorType and lastActivityPersonType not queryable);
// https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/TicketNotesEntity.htm (titles required by the
// category setting; publish "All Autotask Users" shows in the outsourced copy);
// https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/General/Picklists.htm (the picklistValues elements);
// https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_EntityInformationCall.htm;
// https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Basic_Query_Calls.htm;
// https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Creating_Resources_POST.htm.
// Field lengths and required flags: the SOAP field list as read by getFieldInfo (github.com/moldypenguins/AutotaskNET
// Entities/Ticket.cs: ExternalID Length:50, Title 255, Description 8000, Resolution 32000, DueDateTime Required;
// Entities/TicketNote.cs: Title 250, Description 32000, NoteType and Publish required picklists). "dueDateTime is
// required." is the refusal reported by a Datto Autotask tenant whose categories set no due date
// (github.com/WYRE-AI/autotask-mcp pull request 288). Picklist examples: statuses New 1 and Complete 5 (the Postman
// collection queries status 5 as Complete), the four built-in priorities (Task_Ticket_Priorities.htm), publish 1
// "All Autotask Users" / 2 "Internal Only" / 4 "Internal & Co-Managed" and note types 1-3 as instances answer them.
// The wording of the length refusal, the pageDetails fields and the 401 body are not from those pages.
import type { AutotaskSettings } from '../../../../collector/src/desks/connectors/autotask.js';
import { reply, startFakeDesk, type FakeAnswer, type FakeDesk, type FakeRequest } from './fake-desk.js';

export const ZONE_PATH = '/atservicesrest/v1.0/zoneinformation';
export const API_PATH = '/atservicesrest/v1.0/';

export interface AtPick {
  value: number;
  label: string;
  isActive?: boolean;
  isDefaultValue?: boolean;
  isSystem?: boolean;
}

export interface AtPicklists {
  status: AtPick[];
  priority: AtPick[];
  queueID: AtPick[];
  noteType: AtPick[];
  publish: AtPick[];
}

/** Picklists as a freshly provisioned instance answers them (see the sources above). */
export const AT_PICKLISTS: AtPicklists = {
  status: [
    { value: 1, label: 'New', isDefaultValue: true, isSystem: true },
    { value: 5, label: 'Complete', isSystem: true },
    { value: 7, label: 'Waiting Customer', isSystem: true },
    { value: 8, label: 'In Progress' },
    { value: 9, label: 'Waiting Materials', isActive: false },
  ],
  priority: [
    { value: 1, label: 'High' },
    { value: 2, label: 'Medium', isDefaultValue: true },
    { value: 3, label: 'Low' },
    { value: 4, label: 'Critical' },
  ],
  queueID: [
    { value: 29683, label: 'Level I Support' },
    { value: 29684, label: 'Monitoring Alert' },
  ],
  noteType: [
    { value: 1, label: 'Task Summary', isDefaultValue: true, isSystem: true },
    { value: 2, label: 'Task Detail', isSystem: true },
    { value: 3, label: 'Task Notes', isSystem: true },
  ],
  publish: [
    { value: 1, label: 'All Autotask Users', isDefaultValue: true, isSystem: true },
    { value: 2, label: 'Internal Only', isSystem: true },
    { value: 4, label: 'Internal & Co-Managed', isSystem: true },
  ],
};

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
  dueDateTime: string | null;
  resolution: string | null;
  userDefinedFields: Array<{ name: string; value: string }>;
  notes: AtNote[];
  /** Set by a test that changes the ticket "in Autotask" (lastActivityDate, lastActivityResourceID of the REST entity). */
  lastActivityDate?: string;
  lastActivityResourceID?: number;
}

export interface AtInstance {
  username: string;
  secret: string;
  integrationCode: string;
  companies: Array<{ id: number; companyName: string }>;
  picklists: AtPicklists;
  udfs: string[];
  /** Whether the ticket category of API-created tickets supplies a default due date and time; when it does not,
   *  Autotask refuses a create without dueDateTime. */
  categoryDueDate: boolean;
}

export interface FakeAutotask extends FakeDesk {
  tickets: AtTicket[];
  instance: AtInstance;
}

interface AtField {
  name: string;
  dataType: 'integer' | 'string' | 'datetime' | 'boolean';
  length: number;
  isRequired: boolean;
  isReadOnly: boolean;
  isQueryable: boolean;
  isReference: boolean;
  referenceEntityType: string;
  isPickList: boolean;
  picklistValues: Array<Record<string, unknown>> | null;
  picklistParentValueField: string;
  isSupportedWebhookField: boolean;
}

const errors = (...messages: string[]): FakeAnswer => reply(500, { errors: messages });
const int = (v: unknown): v is number => Number.isSafeInteger(v);
const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function field(name: string, dataType: AtField['dataType'], over: Partial<AtField> = {}): AtField {
  return {
    name,
    dataType,
    length: 0,
    isRequired: false,
    isReadOnly: false,
    isQueryable: true,
    isReference: false,
    referenceEntityType: '',
    isPickList: false,
    picklistValues: null,
    picklistParentValueField: '',
    isSupportedWebhookField: false,
    ...over,
  };
}

const picklist = (name: string, values: AtPick[], required: boolean): AtField =>
  field(name, 'integer', {
    isRequired: required,
    isPickList: true,
    picklistValues: values.map((v, i) => ({
      value: String(v.value),
      label: v.label,
      isDefaultValue: v.isDefaultValue ?? false,
      sortOrder: i + 1,
      parentValue: '',
      isActive: v.isActive ?? true,
      isSystem: v.isSystem ?? false,
    })),
  });

function ticketFields(p: AtPicklists): AtField[] {
  return [
    field('id', 'integer', { isRequired: true, isReadOnly: true }),
    field('companyID', 'integer', { isRequired: true, isReference: true, referenceEntityType: 'Company' }),
    field('title', 'string', { length: 255, isRequired: true }),
    field('description', 'string', { length: 8000 }),
    picklist('status', p.status, true),
    picklist('priority', p.priority, true),
    picklist('queueID', p.queueID, false),
    field('externalID', 'string', { length: 50 }),
    field('dueDateTime', 'datetime', { isRequired: true }),
    field('resolution', 'string', { length: 32000 }),
    field('creatorType', 'integer', { isReadOnly: true, isQueryable: false }),
  ];
}

function noteFields(p: AtPicklists): AtField[] {
  return [
    field('id', 'integer', { isRequired: true, isReadOnly: true }),
    field('ticketID', 'integer', { isRequired: true, isReference: true, referenceEntityType: 'Ticket' }),
    field('title', 'string', { length: 250, isRequired: true }),
    field('description', 'string', { length: 32000, isRequired: true }),
    picklist('noteType', p.noteType, true),
    picklist('publish', p.publish, true),
  ];
}

/** Refusals for strings longer than their field allows and picklist values the field does not have. */
function fieldErrors(fields: AtField[], body: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const v = body[f.name];
    if (v === undefined || v === null) continue;
    if (f.dataType === 'string' && typeof v === 'string' && f.length > 0 && v.length > f.length)
      out.push(`${f.name}: value exceeds the maximum length of ${f.length} characters (${v.length}).`);
    if (f.isPickList && !f.picklistValues!.some((p) => p.value === String(v))) out.push(`Value ${String(v)} does not exist for ${f.name}.`);
  }
  return out;
}

/** The instance the connector tests, the contract suite and the inbound poll tests run against: its API user, one
 *  company, the picklists of a fresh instance and a "Watchpost Key" UDF. */
export const AT_TEST_INSTANCE: AtInstance = {
  username: 'watchpost-api@acme-msp.example',
  secret: 'at-secret-9b8c7d6e',
  integrationCode: 'INTEGRATIONCODE27CHARSXXXXX',
  companies: [{ id: 175, companyName: 'Acme Corp' }],
  picklists: AT_PICKLISTS,
  udfs: ['Watchpost Key'],
  // The tenants this connector must serve: their ticket category sets no default due date.
  categoryDueDate: false,
};

/** Connector settings for a fake started with AT_TEST_INSTANCE, pointing at its zone discovery. */
export const atTestSettings = (at: { url: string }): AutotaskSettings => ({
  username: AT_TEST_INSTANCE.username,
  secret: AT_TEST_INSTANCE.secret,
  integration_code: AT_TEST_INSTANCE.integrationCode,
  zone_discovery_url: `${at.url}/atservicesrest/v1.0/ZoneInformation`,
  company_id: 175,
  queue_id: 29683,
});

export async function startFakeAutotask(instance: AtInstance): Promise<FakeAutotask> {
  const tickets: AtTicket[] = [];

  function create(b: Record<string, unknown>): FakeAnswer {
    const missing = ['companyID', 'status', 'priority', 'queueID'].filter((f) => !int(b[f]));
    if (!text(b.title)) missing.push('title');
    if (b.dueDateTime === undefined && !instance.categoryDueDate) missing.push('dueDateTime');
    if (missing.length) return errors(...missing.map((f) => `${f} is required.`));
    const { companyID, status, priority, queueID } = b as Record<string, number>;
    if (!instance.companies.some((c) => c.id === companyID)) return errors(`Value ${companyID} does not exist for companyID.`);
    const refused = fieldErrors(ticketFields(instance.picklists), b);
    if (refused.length) return errors(...refused);
    if (b.dueDateTime !== undefined && (typeof b.dueDateTime !== 'string' || Number.isNaN(Date.parse(b.dueDateTime))))
      return errors(`dueDateTime: ${JSON.stringify(b.dueDateTime)} is not a date.`);
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
      dueDateTime: typeof b.dueDateTime === 'string' ? b.dueDateTime : null,
      resolution: null,
      userDefinedFields: udfs as Array<{ name: string; value: string }>,
      notes: [],
    };
    tickets.push(ticket);
    return reply(200, { itemId: ticket.id });
  }

  const page = (items: unknown[]): FakeAnswer =>
    reply(200, { items, pageDetails: { count: items.length, requestCount: 500, prevPageUrl: null, nextPageUrl: null } });

  function oneFilter(b: Record<string, unknown>): { field: unknown; value: unknown; udf: boolean } | string {
    const filter = b.filter as Array<{ op?: unknown; field?: unknown; value?: unknown; udf?: unknown }> | undefined;
    if (!Array.isArray(filter) || filter.length !== 1) return 'This fake understands exactly one filter expression.';
    const f = filter[0]!;
    if (f.op !== 'eq') return 'This fake understands only "eq".';
    return { field: f.field, value: f.value, udf: f.udf === true };
  }

  function query(b: Record<string, unknown>): FakeAnswer {
    const f = oneFilter(b);
    if (typeof f === 'string') return errors(f);
    if (typeof f.value !== 'string') return errors('This fake understands only "eq" on a string.');
    if (f.udf ? !instance.udfs.includes(String(f.field)) : f.field !== 'externalID') return errors(`Field ${String(f.field)} cannot be queried.`);
    const hits = tickets.filter((t) => (f.udf ? t.userDefinedFields.some((u) => u.name === f.field && u.value === f.value) : t.externalID === f.value));
    return page(hits.map(({ notes: _notes, ...t }) => t));
  }

  function companies(b: Record<string, unknown>): FakeAnswer {
    const f = oneFilter(b);
    if (typeof f === 'string') return errors(f);
    if (f.field !== 'id' || !int(f.value)) return errors('This fake understands only "eq" on id.');
    return page(instance.companies.filter((c) => c.id === f.value).map((c) => ({ ...c, isActive: true })));
  }

  function note(ticket: AtTicket, b: Record<string, unknown>): FakeAnswer {
    if (b.ticketID !== ticket.id) return errors('ticketID does not match the parent ticket.');
    if (!text(b.title)) return errors('title is required (Require titles on ticket notes).');
    if (!text(b.description) || !int(b.noteType) || !int(b.publish)) return errors('description, noteType and publish are required.');
    const refused = fieldErrors(noteFields(instance.picklists), b);
    if (refused.length) return errors(...refused);
    ticket.notes.push({ title: b.title, description: b.description, noteType: b.noteType, publish: b.publish });
    return reply(200, { itemId: ticket.notes.length });
  }

  function update(b: Record<string, unknown>): FakeAnswer {
    const ticket = tickets.find((t) => t.id === b.id);
    if (!ticket) return errors(`Ticket ${String(b.id)} not found.`);
    const { id: _id, ...fields } = b;
    for (const [name, value] of Object.entries(fields))
      if (!['status', 'priority', 'resolution'].includes(name) || (name === 'resolution' ? typeof value !== 'string' : !int(value)))
        return errors(`Cannot set ${name} to ${JSON.stringify(value)}.`);
    const refused = fieldErrors(ticketFields(instance.picklists), fields);
    if (refused.length) return errors(...refused);
    Object.assign(ticket, fields);
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
    if (r.method === 'GET' && rest === 'tickets/entityinformation/fields') return reply(200, { fields: ticketFields(instance.picklists) });
    if (r.method === 'GET' && rest === 'ticketnotes/entityinformation/fields') return reply(200, { fields: noteFields(instance.picklists) });
    if (rest === 'tickets' && r.method === 'POST') return create(body);
    if (rest === 'tickets' && r.method === 'PATCH') return update(body);
    if (rest === 'tickets/query' && r.method === 'POST') return query(body);
    if (rest === 'companies/query' && r.method === 'POST') return companies(body);
    const one = /^tickets\/(\d+)$/.exec(rest);
    if (one && r.method === 'GET') {
      const found = tickets.find((t) => t.id === Number(one[1]));
      if (!found) return reply(404, { errors: [`Ticket ${one[1]} not found.`] });
      const { notes: _notes, ...item } = found;
      return reply(200, { item });
    }
    const m = /^tickets\/(\d+)\/notes$/.exec(rest);
    const ticket = m ? tickets.find((t) => t.id === Number(m[1])) : undefined;
    if (m && ticket && r.method === 'POST') return note(ticket, body);
    return reply(404, { errors: [`${r.method} ${r.path} not found`] });
  }

  const desk = await startFakeDesk(handle);
  return Object.assign(desk, { tickets, instance });
}
