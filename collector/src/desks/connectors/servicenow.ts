// ServiceNow: incidents over the Table API with Basic auth. Impact and urgency (1 high .. 3 low) are sent, never
// priority: ServiceNow computes priority from the two through its priority lookup rules, and writing it directly
// fights them. Updates are work notes (internal), resolution is state 6 with close_code and close_notes, reopening is
// state 2, and a Closed incident, which cannot be reopened, is followed by a new incident linked to it.
//
// Read: https://www.servicenow.com/docs/r/api-reference/rest-apis/c_TableAPI.html (GET /now/table/{tableName} with
// sysparm_query, sysparm_limit, sysparm_fields; GET /now/table/{tableName}/{sys_id}; POST answers 201 {result}; PATCH
// /now/table/{tableName}/{sys_id}; sysparm_input_display_value: "Treats input values as display values" for every
// field of the write, default false "stores them in the database without manipulation"),
// https://docs.servicenow.com/bundle/geneva-servicenow-platform/page/integrate/inbound_rest/reference/r_TableAPI-GET.html
// ("If part of the query is invalid, such as an invalid field name, the instance ignores the invalid part": so a
// found record's correlation_id is compared to the key before it is trusted, and `desks test` checks the field is
// queryable), KB0534905 (https://support.servicenow.com/kb_view.do?sysparm_article=KB0534905: "The REST API inserts
// and updates values as given in requests"),
// KB0564465 (https://support.servicenow.com/kb_view.do?sysparm_article=KB0564465: states New 1, In Progress 2, On
// Hold 3, Resolved 6, Closed 7, Canceled 8),
// https://www.servicenow.com/docs/r/it-service-management/incident-management/reopening-incident.html ("Once an
// incident is reopened, the state of the incident is then changed from Resolved to In Progress"; "If the incident is
// already closed, you cannot reopen that incident", ServiceNow's own answer being a new incident copied from it),
// https://www.servicenow.com/docs/r/it-service-management/incident-management/copy-incident-or-create-child-incident.html
// (Parent Incident, parent_incident in the Table API's incident examples, links a new incident to the one it
// comes from), https://www.servicenow.com/docs/r/api-reference/business-rules-classic/c_TaskActiveStateMgmtBusRule.html
// (active turns false when the state enters one of the table's close states: Closed and Canceled for incidents),
// https://www.servicenow.com/docs/r/it-service-management/incident-management/resolve-and-close-an-incident.html
// (Resolution code and notes when resolving), and for statuses
// https://www.servicenow.com/docs/r/xanadu/api-reference/rest-api-explorer/r_RESTAPIHTTPResponseCodes.html (200, 201,
// 204, 400, 401, 403 "ACL failures, or business rule or data policy constraints", 404, 405, 406, 415, 500, 502, 503:
// no 409) and https://www.servicenow.com/docs/r/xanadu/api-reference/rest-api-explorer/inbound-REST-API-rate-limiting.html
// (a rate limit answers 429 with Retry-After in seconds): the shared classification (network, 429 and 5xx retried
// after Retry-After, any other 4xx failed) already fits, so no refine.
//
// Reference fields (caller_id -> sys_user, assignment_group -> sys_user_group) store a sys_id. A name written
// without sysparm_input_display_value is stored as given: a reference to no record, so the incident silently has no
// caller and no group. The names in the settings are therefore looked up once per desk (sys_user by sys_id,
// user_name or name; sys_user_group by sys_id or name) and the sys_id is written, rather than sending
// sysparm_input_display_value=true: that flag turns every field of the write into a display value (the choice
// fields impact, urgency and state would be read as labels, dates in the integration user's time zone), sys_user's
// display value is the full name and not the user_name the setting usually holds, and a name that matches nothing
// would leave the field empty without an error. Looked up, an unknown or ambiguous name fails the delivery naming
// the setting, and `desks test` finds it before the first alert.
//
// Correlation: the incident's own correlation_id field (with correlation_display "Watchpost"), made for exactly
// this: an external system's id of the record. A new incident that follows a closed one carries the same key, so
// the search takes the newest incident with it. NOT CONFIRMED: close code values are per instance (recent ones ship
// "Solution provided"; older ones "Solved (Permanently)"), so close_code is a setting; whether close_code and
// close_notes are enforced for API writes depends on the instance's data policies; what the Table API does with a
// write to a Closed incident (ignored or refused: the connector reads the state before reopening and never writes
// it there) and whether a closed incident still takes a work note (added when it does; a refusal is logged).
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorDeps, ConnectorType, DeliveryContext, DeskCheck, DeskEvent } from '../contract.js';
import type { ReadTicket } from '../inbound/contract.js';
import { basicAuth } from '../auth.js';
import { apiCalls, deliverTo, done, isRecord, lacking, refused, type DeskOps, type Step } from '../desk-flow.js';
import { noteText, resolutionText, ticketDescription, titleLine } from '../desk-text.js';

export const SHORT_DESCRIPTION_MAX = 160;
/** States of a Closed and a Canceled incident: both inactive, neither can be reopened. */
const CLOSED_STATES: ReadonlySet<string> = new Set(['7', '8']);
/** Records a reference lookup reads: enough to tell a unique match from an ambiguous one. */
const LOOKUP_LIMIT = 10;

const Level = (dflt: '1' | '2' | '3') => Type.Union([Type.Literal('1'), Type.Literal('2'), Type.Literal('3')], { default: dflt });
const LevelMap = (what: string) =>
  Type.Object(
    { high: Level('1'), medium: Level('2'), low: Level('3') },
    { additionalProperties: false, description: `Watchpost ${what} -> ServiceNow ${what} (1 High, 2 Medium, 3 Low)` },
  );

const Settings = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'the instance', examples: ['https://acme.service-now.com'] }),
    username: Type.String({ minLength: 1, description: 'integration user (roles: itil or sn_incident_write)', examples: ['watchpost'] }),
    password: Type.String({ minLength: 1, description: 'its password (write it as ${ENV_VAR})', examples: ['${SERVICENOW_PASSWORD}'] }),
    caller_id: Type.Optional(Type.String({ minLength: 1, description: 'caller: a sys_user sys_id, user name or full name (looked up, its sys_id written)' })),
    assignment_group: Type.Optional(
      Type.String({ minLength: 1, description: 'assignment group: a sys_user_group sys_id or name (looked up, its sys_id written)' }),
    ),
    category: Type.Optional(Type.String({ minLength: 1, description: 'incident category value, e.g. hardware' })),
    impact_map: Type.Optional(LevelMap('impact')),
    urgency_map: Type.Optional(LevelMap('urgency')),
    close_code: Type.Optional(Type.String({ minLength: 1, default: 'Solution provided', description: 'close_code when resolving' })),
    resolved_state: Type.Optional(Type.String({ pattern: '^[0-9]+$', default: '6', description: 'incident state that resolves (6 Resolved)' })),
    reopen_state: Type.Optional(
      Type.String({ pattern: '^[0-9]+$', default: '2', description: "incident state of a reopened incident (2 In Progress, as ServiceNow's own Reopen sets)" }),
    ),
    correlation_display: Type.Optional(
      Type.String({ minLength: 1, default: 'Watchpost', description: 'correlation_display of the incidents Watchpost opens' }),
    ),
  },
  { additionalProperties: true },
);
export type ServiceNowSettings = Static<typeof Settings>;

const DEFAULT_LEVELS = { high: '1', medium: '2', low: '3' } as const;
const trim = (url: string): string => url.replace(/\/+$/, '');
const levels = (t: DeskEvent['ticket'], s: ServiceNowSettings) => ({
  impact: (s.impact_map ?? DEFAULT_LEVELS)[t.impact],
  urgency: (s.urgency_map ?? DEFAULT_LEVELS)[t.urgency],
});

/** The settings that name a record of another table, the table, and the fields a name may match, most specific first. */
const REFERENCES = {
  assignment_group: { table: 'sys_user_group', keys: ['sys_id', 'name'] },
  caller_id: { table: 'sys_user', keys: ['sys_id', 'user_name', 'name'] },
} as const;
type ReferenceSetting = keyof typeof REFERENCES;
/** The sys_ids of the settings' reference fields, as looked up. */
export type ResolvedReferences = Partial<Record<ReferenceSetting, string>>;

/** The body of POST /api/now/table/incident: impact and urgency, never priority; references as sys_ids. */
export function serviceNowIncident(event: DeskEvent, s: ServiceNowSettings, refs: ResolvedReferences = {}): Record<string, string> {
  const t = event.ticket;
  return {
    short_description: titleLine(t.title, SHORT_DESCRIPTION_MAX),
    description: ticketDescription(t),
    ...levels(t, s),
    correlation_id: t.correlationKey,
    correlation_display: s.correlation_display ?? 'Watchpost',
    ...(refs.caller_id ? { caller_id: refs.caller_id } : {}),
    ...(refs.assignment_group ? { assignment_group: refs.assignment_group } : {}),
    ...(s.category ? { category: s.category } : {}),
  };
}

/** The fields each kind of event writes to an incident the desk has: one PATCH an event, its text a work note. */
export function serviceNowUpdate(event: DeskEvent, s: ServiceNowSettings, as: 'note' | 'reprioritize' | 'resolve' | 'reopen'): Record<string, string> {
  const work_notes = noteText(event);
  switch (as) {
    case 'resolve':
      return { state: s.resolved_state ?? '6', close_code: s.close_code ?? 'Solution provided', close_notes: resolutionText(event) };
    case 'reopen':
      return { state: s.reopen_state ?? '2', work_notes };
    case 'reprioritize':
      return { ...levels(event.ticket, s), work_notes };
    case 'note':
      return { work_notes };
  }
}

/** An incident as far as the connector reads one. */
interface IncidentRef {
  sys_id: string;
  number: string;
  state: string;
  active: string;
}

const isClosed = (i: IncidentRef): boolean => i.active === 'false' || CLOSED_STATES.has(i.state);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const incidentRef = (v: unknown): IncidentRef | null =>
  isRecord(v) && typeof v.sys_id === 'string' && v.sys_id ? { sys_id: v.sys_id, number: str(v.number), state: str(v.state), active: str(v.active) } : null;
const resultList = (json: unknown): unknown[] | null => (isRecord(json) && Array.isArray(json.result) ? json.result : null);
const INCIDENT_FIELDS = 'sys_id,number,state,active';

/** The instance's Table API with the integration user's Basic auth: the delivery's calls and the inbound poll's read. */
function tableApi(s: ServiceNowSettings, deps: ConnectorDeps) {
  const base = trim(s.url);
  const auth = basicAuth(s.username, s.password);
  return { base, auth, call: apiCalls(`${base}/api/now/table`, { authorization: auth.header }, auth.secrets, deps) };
}

/** The fields the inbound poll reads of an incident (desks/inbound/servicenow.ts). */
export const POLL_FIELDS = 'sys_id,state,priority,sys_updated_by,sys_updated_on';

/** The inbound poll's read of one incident (desks/inbound/poll.ts): GET incident/{sys_id} with POLL_FIELDS, which
 *  answers {"result": {...}}. */
export function readTicket(s: ServiceNowSettings, deps: ConnectorDeps): ReadTicket {
  const { call } = tableApi(s, deps);
  return async (id, signal) => {
    if (!/^[0-9a-f]{32}$/.test(id)) return refused(`not a ServiceNow sys_id: "${id}"`);
    const answer = await call('GET', `/incident/${id}?${new URLSearchParams({ sysparm_fields: POLL_FIELDS })}`, 'incident read', signal);
    return answer.ok ? done({ answer: answer.value.json }) : answer;
  };
}

export const servicenow: ConnectorType<ServiceNowSettings> = {
  schema: Settings,
  create(s, deps) {
    const { base, auth, call } = tableApi(s, deps);
    const link = (id: string) => `${base}/nav_to.do?uri=incident.do?sys_id=${id}`;
    const resolved = new Map<ReferenceSetting, string>();
    /** The incident a reopen opened in place of a closed one, per delivery: deliver() answers it as the remote id. */
    const successors = new WeakMap<DeliveryContext, string>();

    /** The sys_id of the record a reference setting names: exactly one match on the most specific field that has one. */
    async function lookup(setting: ReferenceSetting, signal: AbortSignal): Promise<Step<string>> {
      const given = s[setting]!;
      const { table, keys } = REFERENCES[setting];
      const query = new URLSearchParams({
        sysparm_query: keys.map((k) => `${k}=${given}`).join('^OR'),
        sysparm_fields: keys.join(','),
        sysparm_limit: String(LOOKUP_LIMIT),
      });
      const answer = await call('GET', `/${table}?${query}`, `${setting} lookup`, signal);
      if (!answer.ok) return answer;
      const rows = resultList(answer.value.json);
      if (!rows) return lacking(`${setting} lookup`, 'result', answer.value, auth.secrets);
      for (const key of keys) {
        const hits = rows.filter((r): r is Record<string, unknown> => isRecord(r) && r[key] === given && typeof r.sys_id === 'string');
        if (hits.length === 1) return done(hits[0]!.sys_id as string);
        if (hits.length > 1) return refused(`${setting} "${given}": ${hits.length} ${table} records have that ${key}; give the sys_id of the one meant`);
      }
      return refused(`${setting} "${given}": no ${table} record has that ${keys.join(', ')} (or the integration user cannot read ${table})`);
    }

    async function references(signal: AbortSignal): Promise<Step<ResolvedReferences>> {
      const refs: ResolvedReferences = {};
      for (const setting of Object.keys(REFERENCES) as ReferenceSetting[]) {
        if (!s[setting]) continue;
        let id = resolved.get(setting);
        if (!id) {
          const found = await lookup(setting, signal);
          if (!found.ok) return found;
          resolved.set(setting, (id = found.value));
        }
        refs[setting] = id;
      }
      return done(refs);
    }

    /** The newest incident holding the key (a closed incident's successor carries its key), checked against it. */
    async function newest(key: string, signal: AbortSignal): Promise<Step<IncidentRef | null>> {
      const query = new URLSearchParams({
        // sys_created_on has whole seconds; number breaks a tie between incidents created in the same second.
        sysparm_query: `correlation_id=${key}^ORDERBYDESCsys_created_on^ORDERBYDESCnumber`,
        sysparm_limit: '1',
        sysparm_fields: `${INCIDENT_FIELDS},correlation_id`,
      });
      const answer = await call('GET', `/incident?${query}`, 'incident search', signal);
      if (!answer.ok) return answer;
      const first = resultList(answer.value.json)?.[0];
      return done(isRecord(first) && first.correlation_id === key ? incidentRef(first) : null);
    }

    async function createIncident(body: Record<string, string>, signal: AbortSignal): Promise<Step<IncidentRef>> {
      const answer = await call('POST', '/incident', 'incident create', signal, body);
      if (!answer.ok) return answer;
      const made = isRecord(answer.value.json) ? incidentRef(answer.value.json.result) : null;
      return made ? done(made) : lacking('incident create', 'result.sys_id', answer.value, auth.secrets);
    }

    const patch =
      (as: Parameters<typeof serviceNowUpdate>[2]) =>
      (id: string, e: DeskEvent, { signal }: { signal: AbortSignal }) =>
        call('PATCH', `/incident/${encodeURIComponent(id)}`, 'incident update', signal, serviceNowUpdate(e, s, as), 'json-or-empty');

    /**
     * A closed incident cannot be reopened: the ticket continues in a new incident with the same key whose Parent
     * Incident is the closed one, each with a work note naming the other. A successor an earlier attempt created
     * (its answer lost) is the newest incident with the key, so it is used instead of opening another. The note on
     * the closed incident is best effort: the new incident already holds the link, and an instance may refuse any
     * write to a closed incident.
     */
    async function follow(closed: IncidentRef, e: DeskEvent, ctx: DeliveryContext): Promise<Step<unknown>> {
      const latest = await newest(e.ticket.correlationKey, ctx.signal);
      if (!latest.ok) return latest;
      let next = latest.value && latest.value.sys_id !== closed.sys_id && !isClosed(latest.value) ? latest.value : null;
      if (!next) {
        const refs = await references(ctx.signal);
        if (!refs.ok) return refs;
        const body = {
          ...serviceNowIncident(e, s, refs.value),
          parent_incident: closed.sys_id,
          work_notes: `${noteText(e)}\nFollows ${closed.number}, which is closed and cannot be reopened.`,
        };
        const made = await createIncident(body, ctx.signal);
        if (!made.ok) return made;
        next = made.value;
        ctx.log.info({ remoteId: next.sys_id, closed: closed.sys_id, key: e.ticket.correlationKey }, 'closed incident followed by a new one');
      }
      successors.set(ctx, next.sys_id);
      const work_notes = `Watchpost reopened this alert in ${next.number}: this incident is closed and cannot be reopened.`;
      const noted = await call('PATCH', `/incident/${encodeURIComponent(closed.sys_id)}`, 'closed incident note', ctx.signal, { work_notes }, 'json-or-empty');
      if (!noted.ok) ctx.log.warn({ remoteId: closed.sys_id, reason: noted.result.reason }, 'the closed incident took no note of its successor');
      return done();
    }

    const ops: DeskOps = {
      async find(key, { signal }) {
        const found = await newest(key, signal);
        return found.ok ? done(found.value?.sys_id ?? null) : found;
      },
      async create(e, { signal }) {
        const refs = await references(signal);
        if (!refs.ok) return refs;
        const made = await createIncident(serviceNowIncident(e, s, refs.value), signal);
        return made.ok ? done(made.value.sys_id) : made;
      },
      note: patch('note'),
      reprioritize: patch('reprioritize'),
      resolve: patch('resolve'),
      async reopen(id, e, ctx) {
        const query = new URLSearchParams({ sysparm_fields: INCIDENT_FIELDS });
        const answer = await call('GET', `/incident/${encodeURIComponent(id)}?${query}`, 'incident read', ctx.signal);
        if (!answer.ok) return answer;
        const current = isRecord(answer.value.json) ? incidentRef(answer.value.json.result) : null;
        if (!current) return lacking('incident read', 'result.sys_id', answer.value, auth.secrets);
        if (isClosed(current)) return follow(current, e, ctx);
        const reopened = await patch('reopen')(id, e, ctx);
        if (!reopened.ok) return reopened;
        // Closed between the read and the write: the instance answers the record as it stays.
        const after = isRecord(reopened.value.json) ? incidentRef(reopened.value.json.result) : null;
        return after && isClosed(after) ? follow(after, e, ctx) : done();
      },
      link,
      async test(signal) {
        const checks: DeskCheck[] = [];
        const read = await call('GET', `/incident?${new URLSearchParams({ sysparm_limit: '1', sysparm_fields: 'sys_id' })}`, 'incident read', signal);
        checks.push(
          read.ok
            ? { check: 'auth', ok: true, detail: `signed in as ${s.username}; the incident table answers` }
            : { check: 'auth', ok: false, detail: read.result.reason },
        );
        if (!read.ok) return checks;
        for (const setting of Object.keys(REFERENCES) as ReferenceSetting[]) {
          if (!s[setting]) continue;
          const found = await lookup(setting, signal);
          checks.push(
            found.ok
              ? { check: setting, ok: true, detail: `"${s[setting]}" is ${REFERENCES[setting].table} ${found.value}` }
              : { check: setting, ok: false, detail: found.result.reason },
          );
        }
        // No ticket's key holds an underscore (tenant ids take lowercase letters, digits and '-'; ticket ids are
        // numbers), so where the field is queryable this search answers no incident.
        const probe = `watchpost-desks_test_${deps.now()}`;
        const query = new URLSearchParams({ sysparm_query: `correlation_id=${probe}`, sysparm_limit: '1', sysparm_fields: 'sys_id,correlation_id' });
        const search = await call('GET', `/incident?${query}`, 'incident search', signal);
        const rows = search.ok ? resultList(search.value.json) : null;
        checks.push(
          !search.ok
            ? { check: 'correlation_id', ok: false, detail: search.result.reason }
            : !rows
              ? { check: 'correlation_id', ok: false, detail: 'incident search: the answer has no result list' }
              : rows.length === 0
                ? { check: 'correlation_id', ok: true, detail: 'a search by correlation_id answers only matching incidents' }
                : {
                    check: 'correlation_id',
                    ok: false,
                    detail:
                      'the instance ignored correlation_id in the query and answered other incidents: searches by key would miss, and retries open duplicates',
                  },
        );
        return checks;
      },
    };
    return {
      async deliver(event, ctx) {
        // A context of this delivery's own, so the successor a reopen opened is found for this delivery only.
        const own: DeliveryContext = { ...ctx };
        const result = await deliverTo(ops, event, own);
        const next = successors.get(own);
        return next ? { ...result, remoteId: next, remoteUrl: link(next) } : result;
      },
      test: (signal) => ops.test!(signal),
    };
  },
};
