// Autotask (Datto) PSA REST v1.0: one ticket per Watchpost ticket in a configured queue and company, ticket notes
// for updates, priority changes on escalation, Complete with a resolution, reopen by status. The API lives in one
// of several zones; the zone's URL is asked once per connector (ZoneInformation) and kept, and so are the picklists
// of Tickets and TicketNotes (entityInformation/fields), from which labels in the settings are turned into ids.
//
// Sources read (with the search tool), and what each settled:
// - Autotask's own Postman collection, https://github.com/AutotaskDevelopment/REST-Postman (2020.10.29 collection):
//   zoneInformation?user=<user> answers {"url":"https://webservicesN.autotask.net/ATServicesRest/",...}; headers
//   ApiIntegrationCode, UserName, Secret; POST Tickets {companyID, QueueID, dueDateTime, priority, status, title};
//   POST Tickets/{id}/Notes {TicketID, Description, NoteType, Publish, Title}; PATCH <Entity> {id, <fields>};
//   "Query tickets field information to get Ticket Status picklist values" (GET tickets/entityinformation/fields);
//   UDF filters {"op":"eq","field":<udf>,"udf":true,"value":...}; status 5 = Complete.
// - Tickets entity, https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/TicketsEntity.htm
//   (Tickets/query (GET, POST); Tickets (PUT, POST, PATCH); Tickets/entityInformation/fields (GET); children include
//   TicketNotes; can have UDFs; times are UTC).
// - TicketNotes entity, https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/TicketNotesEntity.htm
//   (note titles may be required by the ticket category, so one is always sent; notes published to "All Autotask
//   Users" are shown in the outsourced copy of the ticket).
// - Using notes, https://ww5.autotask.net/help/content/3_features/1_SharedFeatures/Notes/NOTES_MAIN.htm: "Notes
//   published to All Autotask Users are visible to customers. Notes published to Internal Users ... are never
//   visible to your customers." Instances answer the TicketNotes publish picklist as 1 "All Autotask Users", then
//   internal values whose labels vary ("Internal Only", "Internal Users Only", "Internal Project Team") and
//   "Internal & Co-Managed" (visible to a co-managing MSP's users). So a note's publish is not a fixed id: by default
//   it is the active publish value whose label starts with "Internal" and is not the co-managed one.
// - Picklists, https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/General/Picklists.htm, and the
//   entityInformation call, https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_EntityInformationCall.htm:
//   GET <Entity>/entityInformation/fields answers each field with its picklistValues, each {value (a string), label,
//   isDefaultValue, sortOrder, parentValue, isActive, isSystem}. Statuses, priorities, queues, note types and publish
//   values are per-instance picklists (priorities can be renamed and added, Task_Ticket_Priorities.htm), so the
//   settings name them by label by default and the ids are read; a setting may still give an id, sent as it is.
// - Field lengths and required fields (the REST pages' field tables did not come through; these are the field list
//   getFieldInfo answers, as generated into github.com/moldypenguins/AutotaskNET Entities/Ticket.cs and
//   TicketNote.cs): Ticket ExternalID string Length 50, Title 255, Description 8000, Resolution 32000, DueDateTime
//   Required; TicketNote Title 250, Description 32000, NoteType and Publish required picklists.
// - dueDateTime: required on create unless the ticket category (or the API user's default category) supplies a due
//   date and time; such tenants get HTTP 500 "dueDateTime is required." on every create
//   (github.com/WYRE-AI/autotask-mcp pull request 288, seen against a Datto Autotask tenant; API-only categories set
//   "priority and due date as required", https://ww1.autotask.net/help/Content/4_Admin/2FeaturesSettings/_Categories/API_only_Ticket_Categories.htm).
//   So create sends it (send_due_date, default on): the resolve target's due time, as UTC.
// - Basic query calls, https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Basic_Query_Calls.htm
//   (filter expressions, querying with POST).
// - Creating resources, https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Creating_Resources_POST.htm
//   (create answers {"itemId": n}; UDFs written as "userDefinedFields":[{"name","value"}]; a failed operation
//   usually answers HTTP 500 {"errors":[...]}, sometimes 4xx). Consequence: a 500 whose body has a non-empty
//   `errors` array is a refusal (a bad queue id, a missing field) and is failed with those errors, through
//   request()'s refine hook; a 500 without them (an HTML error page, an empty body) is a server fault and stays
//   retryable, since losing a ticket to a transient 500 is worse than retrying it.
// - API thread limiting, https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/General/ThreadLimiting.htm:
//   "Any integrations developed following the Autotask 2023.1 release have a thread limit of three per object
//   endpoint and tracking identifier"; ZoneInformation is not limited. So the type's defaultConcurrency is 3, and a
//   delivery (or the desk test) sends its requests one after another: a desk never has more requests in flight than
//   deliveries, which the dispatcher holds to the desk's concurrency.
//
// Correlation: the key goes in the ticket's `externalID` string field and is searched with a POST Tickets/query
// filter on it; with `correlation_udf` set it goes in that ticket UDF instead (filter with "udf": true, the way
// Autotask's own ATES integrations correlate alerts). externalID holds 50 characters and a key is
// `watchpost-<tenant>-<id>`, which a long tenant slug takes past that: such a key is stored (and searched) as
// `wp-<first 12 hex of sha256(tenant)>-<id>`, the same for every delivery of the ticket, so a retry after a lost
// answer finds the ticket it created. The full key stays in the description.
import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorType, DeskCheck, DeskEvent, DeskTicket } from '../contract.js';
import { excerpt, request, type DeliveryFailure } from '../http.js';
import { checkAnswer, done, inOrder, isRecord, lacking, priorityMap, refused, ticketingDesk, type DeskOps, type Step } from '../desk-flow.js';
import { clip, noteText, noteTitle, resolutionText, ticketDescription, titleLine } from '../desk-text.js';
import type { ReadTicket } from '../inbound/contract.js';

export const ZONE_DISCOVERY_URL = 'https://webservices.autotask.net/atservicesrest/v1.0/ZoneInformation';
export const TITLE_MAX = 255;
export const DESCRIPTION_MAX = 8000;
export const EXTERNAL_ID_MAX = 50;
/** Requests in flight per endpoint and integration that Autotask allows integrations made since 2023.1. */
export const AUTOTASK_CONCURRENCY = 3;
export const DEFAULT_PRIORITIES = { P1: 'Critical', P2: 'High', P3: 'Medium', P4: 'Low' } as const;
export const DEFAULT_STATUS = { new: 'New', complete: 'Complete' } as const;
export const DEFAULT_NOTE_TYPE = 1;
/** The desk test's search value: shaped like a correlation key but ending in a letter, where every key ends in its
 *  ticket's number, so no ticket holds it. */
export const PROBE_KEY = 'watchpost-desks-test-none';

/** A picklist setting: the value's id, or its label as the instance shows it. */
const Pick = (description: string, options: { default?: number | string; examples?: Array<number | string> } = {}) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })], { description, ...options });
const Id = (description: string, options: { examples?: number[] } = {}) => Type.Integer({ minimum: 0, description, ...options });

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
    status_new: Type.Optional(Pick('status of a new ticket: picklist label or id', { default: DEFAULT_STATUS.new })),
    status_complete: Type.Optional(Pick('status of a resolved ticket: picklist label or id', { default: DEFAULT_STATUS.complete })),
    status_reopened: Type.Optional(Pick('status of a reopened ticket: picklist label or id (default: status_new)')),
    priority_map: Type.Optional(
      priorityMap((p) => Type.Optional(Pick(`priority label or id for ${p}`)), {
        default: { ...DEFAULT_PRIORITIES },
        description: 'Watchpost priority -> Autotask priority (picklist label or id)',
      }),
    ),
    correlation_udf: Type.Optional(Type.String({ minLength: 1, description: 'ticket UDF holding the correlation key (default: the externalID field)' })),
    send_due_date: Type.Optional(
      Type.Boolean({
        default: true,
        description: "send dueDateTime on create (the resolve target's due time); needed unless the ticket category sets a default due date",
      }),
    ),
    note_type: Type.Optional(Pick('TicketNotes noteType: picklist label or id', { default: DEFAULT_NOTE_TYPE })),
    note_publish: Type.Optional(
      Pick('TicketNotes publish: picklist label or id (default: the internal-only value; "All Autotask Users" is visible to customers)'),
    ),
  },
  { additionalProperties: true },
);
export type AutotaskSettings = Static<typeof Settings>;
type PickSetting = number | string;

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

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The correlation key as Tickets.externalID holds it: the key itself when it fits the field's 50 characters, else
 *  `wp-<first 12 hex of sha256(tenant)>-<id>` (at most 32 characters), derived from the key alone so the search
 *  before a create and every later delivery use the same value. */
export function externalIdOf(key: string): string {
  if (key.length <= EXTERNAL_ID_MAX) return key;
  const parts = /^watchpost-(.+)-(\d+)$/.exec(key);
  return parts ? `wp-${sha256(parts[1]!).slice(0, 12)}-${parts[2]}` : `wp-${sha256(key).slice(0, 40)}`;
}

/** Tickets.dueDateTime for a new ticket: the resolve target's due time, else the latest of its other targets, as
 *  UTC to the second; undefined when the ticket has no SLA target. */
export function dueDateTime(t: DeskTicket): string | undefined {
  const resolve = t.sla.find((s) => s.target === 'resolve');
  const due = resolve ? resolve.dueAt : t.sla.length ? Math.max(...t.sla.map((s) => s.dueAt)) : undefined;
  return due === undefined ? undefined : new Date(due).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An active picklist value. */
interface PickValue {
  id: number;
  label: string;
}
/** What the connector reads of one field of an entity's field information. */
interface FieldInfo {
  isQueryable: boolean;
  values: PickValue[];
}
type Entity = 'Tickets' | 'TicketNotes';

/** The fields of an entityInformation/fields answer, by lower-case name, each with its active picklist values. */
function readFields(list: unknown[]): Map<string, FieldInfo> {
  const fields = new Map<string, FieldInfo>();
  for (const f of list) {
    if (!isRecord(f) || typeof f.name !== 'string') continue;
    const values: PickValue[] = [];
    for (const v of Array.isArray(f.picklistValues) ? f.picklistValues : []) {
      if (!isRecord(v) || v.isActive === false || typeof v.label !== 'string') continue;
      // Autotask answers picklist values as strings ("1"); an id is sent back as the integer.
      const id = typeof v.value === 'number' ? v.value : typeof v.value === 'string' && /^\d+$/.test(v.value.trim()) ? Number(v.value) : NaN;
      if (Number.isSafeInteger(id)) values.push({ id, label: v.label });
    }
    fields.set(f.name.toLowerCase(), { isQueryable: f.isQueryable !== false, values });
  }
  return fields;
}

/** The value a setting names: by id, or by label (case and surrounding spaces aside). */
const lookup = (values: readonly PickValue[], setting: PickSetting): PickValue | undefined =>
  typeof setting === 'number' ? values.find((v) => v.id === setting) : values.find((v) => v.label.trim().toLowerCase() === setting.trim().toLowerCase());
const listed = (values: readonly PickValue[]): string => values.map((v) => `${v.id} ${v.label}`).join(', ') || 'none';
const named = (setting: PickSetting): string => (typeof setting === 'number' ? `value ${setting}` : `value labelled "${setting}"`);
/** The internal-only publish value: a label starting "Internal" that is not "Internal & Co-Managed". */
const internalOf = (values: readonly PickValue[]): PickValue | undefined =>
  values.find((v) => /^\s*internal\b/i.test(v.label) && !/co-?managed/i.test(v.label));

/** The connection to one instance: its zone (asked once), authenticated calls, and the entities' field information
 *  (read once). Shared by the delivery's calls (ops) and the inbound poll's ticket read (readTicket). */
function session(settings: AutotaskSettings, deps: { fetch: typeof fetch; now: () => number }) {
  const secrets = [settings.secret, settings.integration_code];
  const headers = { ApiIntegrationCode: settings.integration_code, UserName: settings.username, Secret: settings.secret };
  const refine = (status: number, _text: string, json: unknown) => autotaskRefusal(status, json, secrets);
  const send = async (method: string, url: string, what: string, signal: AbortSignal, body?: unknown, expect?: 'json-or-empty', auth = true) =>
    checkAnswer(
      await request({ method, url, ...(auth ? { headers } : {}), body, signal, fetch: deps.fetch, now: deps.now, secrets, refine }),
      what,
      secrets,
      expect,
    );
  let zone: string | null = null;
  const fieldCache = new Map<Entity, Map<string, FieldInfo>>();

  /** The zone's base URL, asked once; a failed ask is not kept, so the next delivery asks again. */
  async function base(signal: AbortSignal): Promise<Step<string>> {
    if (zone !== null) return done(zone);
    const url = new URL(settings.zone_discovery_url ?? ZONE_DISCOVERY_URL);
    url.searchParams.set('user', settings.username);
    const answer = await send('GET', url.href, 'zone discovery', signal, undefined, undefined, false);
    if (!answer.ok) return answer;
    const found = (answer.value.json as { url?: unknown }).url;
    if (typeof found !== 'string' || !/^https?:\/\//.test(found)) return lacking('zone discovery', 'url', answer.value, secrets);
    zone = zoneBase(found);
    return done(zone);
  }
  async function call(method: string, path: string, what: string, signal: AbortSignal, body?: unknown, expect?: 'json-or-empty') {
    const root = await base(signal);
    return root.ok ? send(method, root.value + path, what, signal, body, expect) : root;
  }
  /** An entity's field information, read once per connector; a failed read is not kept. Picklist values added in
   *  Autotask later are seen after the collector reloads its desks. */
  async function fieldsOf(entity: Entity, signal: AbortSignal): Promise<Step<Map<string, FieldInfo>>> {
    const cached = fieldCache.get(entity);
    if (cached) return done(cached);
    const what = `${entity} field information`;
    const answer = await call('GET', `${entity}/entityInformation/fields`, what, signal);
    if (!answer.ok) return answer;
    const list = (answer.value.json as { fields?: unknown }).fields;
    if (!Array.isArray(list)) return lacking(what, 'fields', answer.value, secrets);
    const fields = readFields(list);
    fieldCache.set(entity, fields);
    return done(fields);
  }
  return { secrets, call, fieldsOf, base };
}

const valuesOf = (fields: Map<string, FieldInfo>, field: string): PickValue[] => fields.get(field.toLowerCase())?.values ?? [];

function ops(settings: AutotaskSettings, deps: { fetch: typeof fetch; now: () => number }): DeskOps {
  const { secrets, call, fieldsOf, base } = session(settings, deps);
  const udf = settings.correlation_udf;

  /** The id a picklist setting names: an id as it is (the desk refuses one it lacks), a label looked up among the
   *  field's active values. `key` names the setting in the reason when the label is not there. */
  async function pick(key: string, setting: PickSetting, entity: Entity, field: string, signal: AbortSignal): Promise<Step<number>> {
    if (typeof setting === 'number') return done(setting);
    const fields = await fieldsOf(entity, signal);
    if (!fields.ok) return fields;
    const values = valuesOf(fields.value, field);
    const hit = lookup(values, setting);
    return hit ? done(hit.id) : refused(`${key}: ${entity}.${field} has no active ${named(setting)} (active: ${listed(values)})`);
  }
  /** A note's publish value: the setting's, else the instance's internal-only value. */
  async function publish(signal: AbortSignal): Promise<Step<number>> {
    if (settings.note_publish !== undefined) return pick('note_publish', settings.note_publish, 'TicketNotes', 'publish', signal);
    const fields = await fieldsOf('TicketNotes', signal);
    if (!fields.ok) return fields;
    const values = valuesOf(fields.value, 'publish');
    const hit = internalOf(values);
    return hit ? done(hit.id) : refused(`note_publish: TicketNotes.publish has no internal-only value (active: ${listed(values)}); name one`);
  }

  /** The status settings, each with the key that names it: a reopened ticket takes status_new unless told. */
  const statusSetting = (which: 'new' | 'complete' | 'reopened'): [string, PickSetting] =>
    which === 'complete'
      ? ['status_complete', settings.status_complete ?? DEFAULT_STATUS.complete]
      : [`status_${which}`, (which === 'reopened' ? settings.status_reopened : undefined) ?? settings.status_new ?? DEFAULT_STATUS.new];
  const status = (which: 'new' | 'complete' | 'reopened', signal: AbortSignal) => pick(...statusSetting(which), 'Tickets', 'status', signal);
  const prioritySetting = (p: DeskTicket['priority']): PickSetting => settings.priority_map?.[p] ?? DEFAULT_PRIORITIES[p];
  const priority = (p: DeskTicket['priority'], signal: AbortSignal) => pick(`priority_map.${p}`, prioritySetting(p), 'Tickets', 'priority', signal);

  /** Autotask ids are integers; anything else stored as this ticket's id would fail the same way forever. */
  const onTicket = (id: string, use: (n: number) => Promise<Step<unknown>>): Promise<Step<unknown>> =>
    /^\d+$/.test(id) ? use(Number(id)) : Promise.resolve(refused(`not an Autotask ticket id: "${id}"`));
  const update = (id: string, fields: object, signal: AbortSignal) =>
    onTicket(id, (n) => call('PATCH', 'Tickets', 'ticket update', signal, { id: n, ...fields }, 'json-or-empty'));
  /** Sets a picklist field of the ticket (with `also` beside it): its id is read first, so a label becomes an id. */
  const setPicked = (id: string, field: 'status' | 'priority', read: (signal: AbortSignal) => Promise<Step<number>>, signal: AbortSignal, also = {}) =>
    onTicket(id, async () => {
      const value = await read(signal);
      return value.ok ? update(id, { [field]: value.value, ...also }, signal) : value;
    });
  const note = (id: string, event: DeskEvent, signal: AbortSignal) =>
    onTicket(id, async (n) => {
      const noteType = await pick('note_type', settings.note_type ?? DEFAULT_NOTE_TYPE, 'TicketNotes', 'noteType', signal);
      if (!noteType.ok) return noteType;
      const published = await publish(signal);
      if (!published.ok) return published;
      const body = {
        ticketID: n,
        title: noteTitle(event),
        description: clip(noteText(event), DESCRIPTION_MAX),
        noteType: noteType.value,
        publish: published.value,
      };
      return call('POST', `Tickets/${n}/Notes`, 'ticket note', signal, body, 'json-or-empty');
    });
  const idOf = (v: unknown): string | null => (Number.isSafeInteger(v) ? String(v) : null);
  const correlationFilter = (key: string) =>
    udf ? { op: 'eq', field: udf, udf: true, value: key } : { op: 'eq', field: 'externalID', value: externalIdOf(key) };

  /** The desk test's findings about picklist settings: each value found among the field's active values. */
  function picklistCheck(check: string, entity: Entity, field: string, fields: Map<string, FieldInfo>, wanted: Array<[string, PickSetting]>): DeskCheck {
    const values = valuesOf(fields, field);
    const found = wanted.map(([key, setting]) => [key, setting, lookup(values, setting)] as const);
    const missing = found.filter(([, , hit]) => !hit);
    if (missing.length)
      return {
        check,
        ok: false,
        detail: `${missing.map(([key, setting]) => `${key}: no active ${named(setting)}`).join('; ')} in ${entity}.${field} (active: ${listed(values)})`,
      };
    return { check, ok: true, detail: found.map(([key, , hit]) => `${key} ${hit!.id} "${hit!.label}"`).join(', ') };
  }

  return {
    async find(key, ctx) {
      const answer = await call('POST', 'Tickets/query', 'ticket search', ctx.signal, { filter: [correlationFilter(key)] });
      if (!answer.ok) return answer;
      const items = (answer.value.json as { items?: unknown }).items;
      if (!Array.isArray(items)) return lacking('ticket search', 'items', answer.value, secrets);
      if (items.length === 0) return done(null);
      const id = idOf((items[0] as { id?: unknown } | null)?.id);
      return id === null ? lacking('ticket search', 'ticket id', answer.value, secrets) : done(id);
    },
    async create(event, ctx) {
      const t = event.ticket;
      const state = await status('new', ctx.signal);
      if (!state.ok) return state;
      const prio = await priority(t.priority, ctx.signal);
      if (!prio.ok) return prio;
      const due = settings.send_due_date === false ? undefined : dueDateTime(t);
      const body = {
        companyID: settings.company_id,
        title: titleLine(`[${t.priority}] ${t.title}`, TITLE_MAX),
        description: clip(ticketDescription(t), DESCRIPTION_MAX),
        status: state.value,
        priority: prio.value,
        queueID: settings.queue_id,
        ...(due ? { dueDateTime: due } : {}),
        ...(udf ? { userDefinedFields: [{ name: udf, value: t.correlationKey }] } : { externalID: externalIdOf(t.correlationKey) }),
      };
      const answer = await call('POST', 'Tickets', 'ticket create', ctx.signal, body);
      if (!answer.ok) return answer;
      const id = idOf((answer.value.json as { itemId?: unknown }).itemId);
      return id === null ? lacking('ticket create', 'itemId', answer.value, secrets) : done(id);
    },
    note: (id, event, ctx) => note(id, event, ctx.signal),
    reprioritize: (id, event, ctx) =>
      inOrder(
        () => setPicked(id, 'priority', (signal) => priority(event.ticket.priority, signal), ctx.signal),
        () => note(id, event, ctx.signal),
      ),
    resolve: (id, event, ctx) =>
      setPicked(id, 'status', (signal) => status('complete', signal), ctx.signal, { resolution: clip(resolutionText(event), DESCRIPTION_MAX) }),
    reopen: (id, event, ctx) =>
      inOrder(
        () => setPicked(id, 'status', (signal) => status('reopened', signal), ctx.signal),
        () => note(id, event, ctx.signal),
      ),

    /** `desks test`: the zone, the credentials (a read of Tickets' field information), the queue, the company, the
     *  picklist settings, and the correlation field (a search for a value no ticket holds answers no tickets). Reads
     *  only, one at a time; a zone or credential failure ends the test, since nothing after it can answer. */
    async test(signal) {
      const checks: DeskCheck[] = [];
      const add = (check: string, ok: boolean, detail: string): void => void checks.push({ check, ok, detail });
      try {
        const root = await base(signal);
        add('zone', root.ok, root.ok ? `zone ${root.value}` : root.result.reason);
        if (!root.ok) return checks;
        const tickets = await fieldsOf('Tickets', signal);
        add('authentication', tickets.ok, tickets.ok ? `${settings.username} read Tickets/entityInformation/fields` : tickets.result.reason);
        if (!tickets.ok) return checks;
        const fields = tickets.value;

        const queues = valuesOf(fields, 'queueID');
        const queue = lookup(queues, settings.queue_id);
        add(
          'queue',
          !!queue,
          queue ? `queueID ${queue.id} "${queue.label}"` : `queueID ${settings.queue_id} is not an active queue (active: ${listed(queues)})`,
        );

        const company = await call('POST', 'Companies/query', 'company lookup', signal, { filter: [{ op: 'eq', field: 'id', value: settings.company_id }] });
        const found = company.ok ? (company.value.json as { items?: unknown }).items : undefined;
        const first = Array.isArray(found) && isRecord(found[0]) ? found[0] : undefined;
        add(
          'company',
          !!first,
          !company.ok
            ? company.result.reason
            : first
              ? `companyID ${settings.company_id} "${String(first.companyName ?? '')}"`
              : `companyID ${settings.company_id} was not found (or the API user may not see it)`,
        );

        checks.push(picklistCheck('statuses', 'Tickets', 'status', fields, (['new', 'complete', 'reopened'] as const).map(statusSetting)));
        const levels = ['P1', 'P2', 'P3', 'P4'] as const;
        checks.push(
          picklistCheck(
            'priorities',
            'Tickets',
            'priority',
            fields,
            levels.map((p) => [`priority_map.${p}`, prioritySetting(p)]),
          ),
        );

        const notes = await fieldsOf('TicketNotes', signal);
        if (!notes.ok) add('notes', false, notes.result.reason);
        else {
          const type = picklistCheck('notes', 'TicketNotes', 'noteType', notes.value, [['note_type', settings.note_type ?? DEFAULT_NOTE_TYPE]]);
          const internal = internalOf(valuesOf(notes.value, 'publish'));
          const published =
            settings.note_publish !== undefined
              ? picklistCheck('notes', 'TicketNotes', 'publish', notes.value, [['note_publish', settings.note_publish]])
              : internal
                ? { check: 'notes', ok: true, detail: `note_publish ${internal.id} "${internal.label}" (internal only)` }
                : { check: 'notes', ok: false, detail: `TicketNotes.publish has no internal-only value (active: ${listed(valuesOf(notes.value, 'publish'))})` };
          add('notes', type.ok && published.ok, `${type.detail}; ${published.detail}`);
        }

        const field = fields.get('externalid');
        if (!udf && (!field || !field.isQueryable)) add('correlation', false, 'Tickets has no queryable externalID field');
        else {
          const search = await call('POST', 'Tickets/query', 'ticket search', signal, { filter: [correlationFilter(PROBE_KEY)] });
          const items = search.ok ? (search.value.json as { items?: unknown }).items : undefined;
          const where = udf ? `UDF "${udf}"` : 'externalID';
          add(
            'correlation',
            Array.isArray(items) && items.length === 0,
            !search.ok
              ? search.result.reason
              : !Array.isArray(items)
                ? `ticket search: the answer has no items: ${excerpt(search.value.text, secrets)}`
                : items.length
                  ? `a search of ${where} for a value no ticket holds answered ${items.length} tickets: the filter is not applied`
                  : `${where} is searchable (a search for a value no ticket holds answered none)`,
          );
        }
      } catch (error) {
        add('unexpected error', false, excerpt((error as Error).message, secrets));
      }
      return checks;
    },
  };
}

/**
 * The inbound poll's read of one ticket (desks/inbound/poll.ts): GET Tickets/{id}, which answers {"item": {...}}
 * (Autotask's REST GET of one entity), with the Tickets status picklist so a status id can be shown and matched by
 * its label. The picklist is read once per reader; when it cannot be read the ids are used as they are.
 */
export function readTicket(settings: AutotaskSettings, deps: { fetch: typeof fetch; now: () => number }): ReadTicket {
  const s = session(settings, deps);
  return async (id, signal) => {
    if (!/^\d+$/.test(id)) return refused(`not an Autotask ticket id: "${id}"`);
    const answer = await s.call('GET', `Tickets/${id}`, 'ticket read', signal);
    if (!answer.ok) return answer;
    const fields = await s.fieldsOf('Tickets', signal);
    return done({ answer: answer.value.json, ...(fields.ok ? { statuses: valuesOf(fields.value, 'status') } : {}) });
  };
}

export const autotask: ConnectorType<AutotaskSettings> = { ...ticketingDesk(Settings, ops), defaultConcurrency: AUTOTASK_CONCURRENCY };
