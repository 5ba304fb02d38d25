// Autotask (Datto) PSA REST v1.0: one ticket per Watchpost ticket in a configured queue and company, ticket notes
// for updates, priority changes on escalation, Complete with a resolution, reopen by status. The API lives in one
// of several zones; the zone's URL is asked once per connector (ZoneInformation) and kept.
//
// Sources read (with the search tool), and what each settled:
// - Autotask's own Postman collection, https://github.com/AutotaskDevelopment/REST-Postman (2020.10.29 collection):
//   zoneInformation?user=<user> answers {"url":"https://webservicesN.autotask.net/ATServicesRest/",...}; headers
//   ApiIntegrationCode, UserName, Secret; POST Tickets {companyID, QueueID, priority, status, title}; POST
//   Tickets/{id}/Notes {TicketID, Description, NoteType, Publish, Title}; PATCH <Entity> {id, <fields>};
//   UDF filters {"op":"eq","field":<udf>,"udf":true,"value":...}; status 5 = Complete.
// - Tickets entity, https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/TicketsEntity.htm
//   (Tickets/query (GET, POST); Tickets (PUT, POST, PATCH); children include TicketNotes; can have UDFs).
// - TicketNotes entity, https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/TicketNotesEntity.htm
//   (note titles may be required by the ticket category, so one is always sent).
// - Basic query calls, https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Basic_Query_Calls.htm
//   (filter expressions, querying with POST).
// - Creating resources, https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Creating_Resources_POST.htm
//   (create answers {"itemId": n}; UDFs written as "userDefinedFields":[{"name","value"}]; a failed operation
//   usually answers HTTP 500 {"errors":[...]}, sometimes 4xx). Consequence: a 500 whose body has a non-empty
//   `errors` array is a refusal (a bad queue id, a missing field) and is failed with those errors, through
//   request()'s refine hook; a 500 without them (an HTML error page, an empty body) is a server fault and stays
//   retryable, since losing a ticket to a transient 500 is worse than retrying it.
// - Task & ticket priorities, https://ww1.autotask.net/help/Content/4_Admin/2FeaturesSettings/ServiceDeskTickets/Tickets/Task_Ticket_Priorities.htm
//   (four built-in priorities: Critical, High, Medium, Low).
//
// Correlation: the key goes in the ticket's `externalID` string field and is searched with a POST Tickets/query
// filter on it; with `correlation_udf` set it goes in that ticket UDF instead (filter with "udf": true, the way
// Autotask's own ATES integrations correlate alerts). NOT confirmed on Autotask's pages (their field tables did not
// come through): that Tickets has `externalID` (it is in the field list of a client generated from
// Tickets/entityInformation/fields, github.com/Anteris-Dev/autotask-client TicketEntity.php) and its length; the
// priority picklist ids below (Critical 4, High 1, Medium 2, Low 3 as commonly shipped: read yours from
// Tickets/entityInformation/fields); title/description limits; what NoteType/Publish 1 mean in an instance.
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorType, DeliveryContext, DeskEvent } from '../contract.js';
import { excerpt, request, type DeliveryFailure } from '../http.js';
import { checkAnswer, done, inOrder, isRecord, lacking, priorityMap, refused, ticketingDesk, type DeskOps, type Step } from '../desk-flow.js';
import { clip, noteText, noteTitle, resolutionText, ticketDescription, titleLine } from '../desk-text.js';

export const ZONE_DISCOVERY_URL = 'https://webservices.autotask.net/atservicesrest/v1.0/ZoneInformation';
export const TITLE_MAX = 255;
export const DESCRIPTION_MAX = 8000;
export const DEFAULT_PRIORITIES = { P1: 4, P2: 1, P3: 2, P4: 3 } as const;
export const DEFAULT_STATUS = { new: 1, complete: 5 } as const;
export const DEFAULT_NOTE_TYPE = 1;
export const DEFAULT_NOTE_PUBLISH = 1;

const Id = (description: string, options: { default?: number; examples?: number[] } = {}) => Type.Integer({ minimum: 0, description, ...options });

const Settings = Type.Object(
  {
    username: Type.String({ minLength: 1, description: 'API-only user name', examples: ['watchpost-api@msp.example.net'] }),
    secret: Type.String({ minLength: 1, description: 'its secret (write it as ${ENV_VAR})', examples: ['${AUTOTASK_SECRET}'] }),
    integration_code: Type.String({
      minLength: 1,
      description: 'API tracking identifier (write it as ${ENV_VAR})',
      examples: ['${AUTOTASK_INTEGRATION_CODE}'],
    }),
    zone_discovery_url: Type.Optional(Type.String({ pattern: '^https?://', default: ZONE_DISCOVERY_URL, description: 'ZoneInformation endpoint' })),
    company_id: Id("the tenant's companyID (set it in each tenant's route)", { examples: [174] }),
    queue_id: Id('queueID of new tickets', { examples: [29683354] }),
    status_new: Type.Optional(Id('status picklist id of a new ticket', { default: DEFAULT_STATUS.new })),
    status_complete: Type.Optional(Id('status picklist id of Complete', { default: DEFAULT_STATUS.complete })),
    status_reopened: Type.Optional(Id('status picklist id of a reopened ticket (default: status_new)')),
    priority_map: Type.Optional(
      priorityMap((p) => Type.Optional(Id(`priority id for ${p}`)), { default: { ...DEFAULT_PRIORITIES }, description: 'Watchpost priority -> priority id' }),
    ),
    correlation_udf: Type.Optional(Type.String({ minLength: 1, description: 'ticket UDF holding the correlation key (default: the externalID field)' })),
    note_type: Type.Optional(Id('TicketNotes noteType picklist id', { default: DEFAULT_NOTE_TYPE })),
    note_publish: Type.Optional(Id('TicketNotes publish picklist id', { default: DEFAULT_NOTE_PUBLISH })),
  },
  { additionalProperties: true },
);
export type AutotaskSettings = Static<typeof Settings>;

/** The zone's REST base with a trailing slash: ".../ATServicesRest/" -> ".../ATServicesRest/V1.0/". */
export function zoneBase(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return /\/v1\.0$/i.test(trimmed) ? `${trimmed}/` : `${trimmed}/V1.0/`;
}

/** Autotask's refusal of an operation, answered as HTTP 500 {"errors": [...]}: failed, with the errors. A 500
 *  without them is left to the shared classifier (retryable). */
export function autotaskRefusal(status: number, json: unknown, secrets: readonly string[]): DeliveryFailure | undefined {
  const errors = isRecord(json) ? json.errors : undefined;
  if (status !== 500 || !Array.isArray(errors) || errors.length === 0) return undefined;
  return { kind: 'failed', reason: `HTTP 500, refused: ${excerpt(errors.map(String).join('; '), secrets)}` };
}

function ops(settings: AutotaskSettings, deps: { fetch: typeof fetch; now: () => number }): DeskOps {
  const secrets = [settings.secret, settings.integration_code];
  const headers = { ApiIntegrationCode: settings.integration_code, UserName: settings.username, Secret: settings.secret };
  const priorities = { ...DEFAULT_PRIORITIES, ...settings.priority_map };
  const udf = settings.correlation_udf;
  const refine = (status: number, _text: string, json: unknown) => autotaskRefusal(status, json, secrets);
  const send = async (method: string, url: string, what: string, ctx: DeliveryContext, body?: unknown, expect?: 'json-or-empty', auth = true) =>
    checkAnswer(
      await request({ method, url, ...(auth ? { headers } : {}), body, signal: ctx.signal, fetch: deps.fetch, now: deps.now, secrets, refine }),
      what,
      secrets,
      expect,
    );
  let zone: string | null = null;

  /** The zone's base URL, asked once; a failed ask is not kept, so the next delivery asks again. */
  async function base(ctx: DeliveryContext): Promise<Step<string>> {
    if (zone !== null) return done(zone);
    const url = new URL(settings.zone_discovery_url ?? ZONE_DISCOVERY_URL);
    url.searchParams.set('user', settings.username);
    const answer = await send('GET', url.href, 'zone discovery', ctx, undefined, undefined, false);
    if (!answer.ok) return answer;
    const found = (answer.value.json as { url?: unknown }).url;
    if (typeof found !== 'string' || !/^https?:\/\//.test(found)) return lacking('zone discovery', 'url', answer.value, secrets);
    zone = zoneBase(found);
    return done(zone);
  }
  async function call(method: string, path: string, what: string, ctx: DeliveryContext, body: unknown, expect?: 'json-or-empty') {
    const root = await base(ctx);
    return root.ok ? send(method, root.value + path, what, ctx, body, expect) : root;
  }
  /** Autotask ids are integers; anything else stored as this ticket's id would fail the same way forever. */
  const onTicket = (id: string, use: (n: number) => Promise<Step<unknown>>): Promise<Step<unknown>> =>
    /^\d+$/.test(id) ? use(Number(id)) : Promise.resolve(refused(`not an Autotask ticket id: "${id}"`));
  const update = (id: string, fields: object, ctx: DeliveryContext) =>
    onTicket(id, (n) => call('PATCH', 'Tickets', 'ticket update', ctx, { id: n, ...fields }, 'json-or-empty'));
  const note = (id: string, event: DeskEvent, ctx: DeliveryContext) =>
    onTicket(id, (n) => {
      const body = {
        ticketID: n,
        title: noteTitle(event),
        description: clip(noteText(event), DESCRIPTION_MAX),
        noteType: settings.note_type ?? DEFAULT_NOTE_TYPE,
        publish: settings.note_publish ?? DEFAULT_NOTE_PUBLISH,
      };
      return call('POST', `Tickets/${n}/Notes`, 'ticket note', ctx, body, 'json-or-empty');
    });
  const idOf = (v: unknown): string | null => (Number.isSafeInteger(v) ? String(v) : null);

  return {
    async find(key, ctx) {
      const filter = udf ? { op: 'eq', field: udf, udf: true, value: key } : { op: 'eq', field: 'externalID', value: key };
      const answer = await call('POST', 'Tickets/query', 'ticket search', ctx, { filter: [filter] });
      if (!answer.ok) return answer;
      const items = (answer.value.json as { items?: unknown }).items;
      if (!Array.isArray(items)) return lacking('ticket search', 'items', answer.value, secrets);
      if (items.length === 0) return done(null);
      const id = idOf((items[0] as { id?: unknown } | null)?.id);
      return id === null ? lacking('ticket search', 'ticket id', answer.value, secrets) : done(id);
    },
    async create(event, ctx) {
      const t = event.ticket;
      const body = {
        companyID: settings.company_id,
        title: titleLine(`[${t.priority}] ${t.title}`, TITLE_MAX),
        description: clip(ticketDescription(t), DESCRIPTION_MAX),
        status: settings.status_new ?? DEFAULT_STATUS.new,
        priority: priorities[t.priority],
        queueID: settings.queue_id,
        ...(udf ? { userDefinedFields: [{ name: udf, value: t.correlationKey }] } : { externalID: t.correlationKey }),
      };
      const answer = await call('POST', 'Tickets', 'ticket create', ctx, body);
      if (!answer.ok) return answer;
      const id = idOf((answer.value.json as { itemId?: unknown }).itemId);
      return id === null ? lacking('ticket create', 'itemId', answer.value, secrets) : done(id);
    },
    note,
    reprioritize: (id, event, ctx) =>
      inOrder(
        () => update(id, { priority: priorities[event.ticket.priority] }, ctx),
        () => note(id, event, ctx),
      ),
    resolve: (id, event, ctx) =>
      update(id, { status: settings.status_complete ?? DEFAULT_STATUS.complete, resolution: clip(resolutionText(event), DESCRIPTION_MAX) }, ctx),
    reopen: (id, event, ctx) =>
      inOrder(
        () => update(id, { status: settings.status_reopened ?? settings.status_new ?? DEFAULT_STATUS.new }, ctx),
        () => note(id, event, ctx),
      ),
  };
}

export const autotask: ConnectorType<AutotaskSettings> = ticketingDesk(Settings, ops);
