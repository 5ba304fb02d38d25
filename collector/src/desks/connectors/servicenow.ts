// ServiceNow: incidents over the Table API with Basic auth. Impact and urgency (1 high .. 3 low) are sent, never
// priority: ServiceNow computes priority from the two through its priority lookup rules, and writing it directly
// fights them. Updates are work notes (internal), resolution is state 6 with close_code and close_notes.
//
// Read: https://www.servicenow.com/docs/r/api-reference/rest-apis/c_TableAPI.html (GET /now/table/{tableName} with
// sysparm_query, sysparm_limit, sysparm_fields; POST answers 201 {result}; PATCH /now/table/{tableName}/{sys_id}),
// https://docs.servicenow.com/bundle/geneva-servicenow-platform/page/integrate/inbound_rest/reference/r_TableAPI-GET.html
// ("If part of the query is invalid, such as an invalid field name, the instance ignores the invalid part": so a
// found record's correlation_id is compared to the key before it is trusted),
// https://docs.servicenow.com/bundle/london-it-service-management/page/product/incident-management/concept/c_IncidentManagementStateModel.html
// (states New 1, In Progress 2, On Hold 3, Resolved 6, Closed 7),
// https://www.servicenow.com/docs/r/it-service-management/incident-management/resolve-and-close-an-incident.html
// (Resolution code and notes when resolving).
//
// Correlation: the incident's own correlation_id field (with correlation_display "Watchpost"), made for exactly
// this: an external system's id of the record. NOT CONFIRMED: close code values are per instance (recent ones ship
// "Solution provided"; older ones "Solved (Permanently)"), so close_code is a setting; and whether close_code and
// close_notes are enforced for API writes depends on the instance's data policies.
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorType, DeskEvent } from '../contract.js';
import { basicAuth } from '../auth.js';
import { apiCalls, deliverTo, done, isRecord, lacking, type DeskOps } from '../desk-flow.js';
import { noteText, resolutionText, ticketDescription, titleLine } from '../desk-text.js';

export const SHORT_DESCRIPTION_MAX = 160;

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
    caller_id: Type.Optional(Type.String({ minLength: 1, description: 'caller (sys_user sys_id or user name)' })),
    assignment_group: Type.Optional(Type.String({ minLength: 1, description: 'assignment group (sys_id or name)' })),
    category: Type.Optional(Type.String({ minLength: 1, description: 'incident category value, e.g. hardware' })),
    impact_map: Type.Optional(LevelMap('impact')),
    urgency_map: Type.Optional(LevelMap('urgency')),
    close_code: Type.Optional(Type.String({ minLength: 1, default: 'Solution provided', description: 'close_code when resolving' })),
    resolved_state: Type.Optional(Type.String({ pattern: '^[0-9]+$', default: '6', description: 'incident state that resolves (6 Resolved)' })),
    reopen_state: Type.Optional(Type.String({ pattern: '^[0-9]+$', default: '1', description: 'incident state of a reopened incident (1 New)' })),
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

/** The body of POST /api/now/table/incident: impact and urgency, never priority. */
export function serviceNowIncident(event: DeskEvent, s: ServiceNowSettings): Record<string, string> {
  const t = event.ticket;
  return {
    short_description: titleLine(t.title, SHORT_DESCRIPTION_MAX),
    description: ticketDescription(t),
    ...levels(t, s),
    correlation_id: t.correlationKey,
    correlation_display: s.correlation_display ?? 'Watchpost',
    ...(s.caller_id ? { caller_id: s.caller_id } : {}),
    ...(s.assignment_group ? { assignment_group: s.assignment_group } : {}),
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
      return { state: s.reopen_state ?? '1', work_notes };
    case 'reprioritize':
      return { ...levels(event.ticket, s), work_notes };
    case 'note':
      return { work_notes };
  }
}

export const servicenow: ConnectorType<ServiceNowSettings> = {
  schema: Settings,
  create(s, deps) {
    const base = trim(s.url);
    const auth = basicAuth(s.username, s.password);
    const call = apiCalls(`${base}/api/now/table/incident`, { authorization: auth.header }, auth.secrets, deps);
    const patch =
      (as: Parameters<typeof serviceNowUpdate>[2]) =>
      (id: string, e: DeskEvent, { signal }: { signal: AbortSignal }) =>
        call('PATCH', `/${encodeURIComponent(id)}`, 'incident update', signal, serviceNowUpdate(e, s, as), 'json-or-empty');

    const ops: DeskOps = {
      async find(key, { signal }) {
        const query = new URLSearchParams({
          sysparm_query: `correlation_id=${key}^ORDERBYsys_created_on`,
          sysparm_limit: '1',
          sysparm_fields: 'sys_id,number,correlation_id',
        });
        const answer = await call('GET', `?${query}`, 'incident search', signal);
        if (!answer.ok) return answer;
        const json = answer.value.json;
        const first = isRecord(json) && Array.isArray(json.result) ? json.result[0] : undefined;
        return done(isRecord(first) && first.correlation_id === key && typeof first.sys_id === 'string' ? first.sys_id : null);
      },
      async create(e, { signal }) {
        const answer = await call('POST', '', 'incident create', signal, serviceNowIncident(e, s));
        if (!answer.ok) return answer;
        const json = answer.value.json;
        const id = isRecord(json) && isRecord(json.result) && typeof json.result.sys_id === 'string' ? json.result.sys_id : null;
        return id ? done(id) : lacking('incident create', 'result.sys_id', answer.value, auth.secrets);
      },
      note: patch('note'),
      reprioritize: patch('reprioritize'),
      resolve: patch('resolve'),
      reopen: patch('reopen'),
      link: (id) => `${base}/nav_to.do?uri=incident.do?sys_id=${id}`,
    };
    return { deliver: (event, ctx) => deliverTo(ops, event, ctx) };
  },
};
