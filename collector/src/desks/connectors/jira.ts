// Jira Service Management Cloud: a customer request per ticket, internal comments for updates, workflow
// transitions (chosen by name, like Alertmanager's resolve_transition / reopen_transition) to resolve and reopen,
// and the priority field on escalation. Basic auth with an Atlassian account's email and API token.
//
// Read: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/ (POST
// /rest/servicedeskapi/request with serviceDeskId, requestTypeId, requestFieldValues -> issueKey; POST
// /rest/servicedeskapi/request/{issueIdOrKey}/comment {body, public}),
// https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/ and
// https://developer.atlassian.com/changelog/#CHANGE-2046 (GET /rest/api/3/search/jql replaces /rest/api/3/search,
// which now answers 410; only ids come back unless `fields` is given; results are eventually consistent),
// https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/ (GET/POST
// /rest/api/3/issue/{key}/transitions, PUT /rest/api/3/issue/{key} fields.priority),
// https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/ (email:API token).
//
// Correlation: a label equal to the correlation key (labels take no spaces; the key has none), searched with JQL
// `labels = "<key>"`. The request type must accept the Labels field (it may be hidden on the portal form); a
// request type without it answers 400, which names the field. NOT CONFIRMED: the default transition names
// ("Resolve", "Reopen": workflows differ; a missing name answers failed listing the available ones), and the new
// search being eventually consistent means a retry seconds after a lost create answer may not see the issue yet
// (when the create's answer did arrive and a later step failed, the key goes back with the retryable result and
// the retry does not search at all: desks/desk-flow.ts).
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorType, DeskEvent } from '../contract.js';
import { basicAuth } from '../auth.js';
import { apiCalls, deliverTo, done, inOrder, isRecord, lacking, refused, type DeskOps, type Step } from '../desk-flow.js';
import { noteText, ticketDescription, titleLine } from '../desk-text.js';

export const JIRA_SUMMARY_MAX = 255;

const Settings = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'the Jira site', examples: ['https://acme.atlassian.net'] }),
    email: Type.String({
      minLength: 3,
      description: 'Atlassian account of the integration (an agent of the service desk)',
      examples: ['watchpost@msp.example.net'],
    }),
    api_token: Type.String({ minLength: 1, description: 'API token of that account (write it as ${ENV_VAR})', examples: ['${JIRA_API_TOKEN}'] }),
    service_desk_id: Type.String({ pattern: '^[0-9]+$', description: 'serviceDeskId', examples: ['1'] }),
    request_type_id: Type.String({ pattern: '^[0-9]+$', description: 'requestTypeId (its form must accept Labels)', examples: ['10'] }),
    project_key: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z0-9_]*$', description: 'narrows the label search to this project' })),
    resolve_transition: Type.Optional(Type.String({ minLength: 1, default: 'Resolve', description: 'transition name that resolves' })),
    reopen_transition: Type.Optional(Type.String({ minLength: 1, default: 'Reopen', description: 'transition name that reopens' })),
    resolution: Type.Optional(
      Type.String({ minLength: 1, description: 'resolution name set with the resolve transition (e.g. Done), when its screen has it' }),
    ),
    priority_map: Type.Optional(
      Type.Object(
        {
          P1: Type.String({ default: 'Highest' }),
          P2: Type.String({ default: 'High' }),
          P3: Type.String({ default: 'Medium' }),
          P4: Type.String({ default: 'Low' }),
        },
        { additionalProperties: false, description: 'Watchpost priority -> Jira priority name' },
      ),
    ),
    priority_on_create: Type.Optional(Type.Boolean({ default: true, description: 'send the priority with the request (its form must accept Priority)' })),
    public_comments: Type.Optional(Type.Boolean({ default: false, description: 'comments visible to customers' })),
  },
  { additionalProperties: true },
);
export type JiraSettings = Static<typeof Settings>;

export const DEFAULT_PRIORITIES = { P1: 'Highest', P2: 'High', P3: 'Medium', P4: 'Low' } as const;
const trim = (url: string): string => url.replace(/\/+$/, '');

/** The JQL that finds the issue carrying this key (oldest first, should there ever be two). */
export function jiraKeyQuery(key: string, projectKey?: string): string {
  const label = `labels = "${key.replace(/["\\]/g, '')}"`;
  return `${projectKey ? `project = "${projectKey}" AND ` : ''}${label} ORDER BY created ASC`;
}

/** The body of POST /rest/servicedeskapi/request. */
export function jiraRequest(event: DeskEvent, s: JiraSettings): Record<string, unknown> {
  const t = event.ticket;
  return {
    serviceDeskId: s.service_desk_id,
    requestTypeId: s.request_type_id,
    requestFieldValues: {
      summary: titleLine(t.title, JIRA_SUMMARY_MAX),
      description: ticketDescription(t),
      labels: [t.correlationKey],
      ...((s.priority_on_create ?? true) ? { priority: { name: (s.priority_map ?? DEFAULT_PRIORITIES)[t.priority] } } : {}),
    },
  };
}

type Transition = { id: string; name: string };

export const jira: ConnectorType<JiraSettings> = {
  schema: Settings,
  create(s, deps) {
    const base = trim(s.url);
    const auth = basicAuth(s.email, s.api_token);
    const call = apiCalls(base, { authorization: auth.header }, auth.secrets, deps);
    const issue = (key: string) => `/rest/api/3/issue/${encodeURIComponent(key)}`;
    const comment = (key: string, e: DeskEvent, signal: AbortSignal) =>
      call(
        'POST',
        `/rest/servicedeskapi/request/${encodeURIComponent(key)}/comment`,
        'comment',
        signal,
        { body: noteText(e), public: s.public_comments ?? false },
        'json-or-empty',
      );

    /** Moves the issue by the named transition; when it is not offered, the issue may already be there (a retry). */
    async function transition(key: string, name: string, wantDone: boolean, signal: AbortSignal, fields?: object): Promise<Step<unknown>> {
      const offer = await call('GET', `${issue(key)}/transitions`, 'transitions', signal);
      if (!offer.ok) return offer;
      const json = offer.value.json;
      const offered = (isRecord(json) && Array.isArray(json.transitions) ? json.transitions : []).filter(
        (t): t is Transition => isRecord(t) && typeof t.id === 'string' && typeof t.name === 'string',
      );
      const chosen = offered.find((t) => t.name.toLowerCase() === name.toLowerCase());
      if (chosen)
        return call(
          'POST',
          `${issue(key)}/transitions`,
          'transition',
          signal,
          { transition: { id: chosen.id }, ...(fields ? { fields } : {}) },
          'json-or-empty',
        );
      const now = await call('GET', `${issue(key)}?fields=status`, 'issue status', signal);
      if (!now.ok) return now;
      const fieldsNow = isRecord(now.value.json) && isRecord(now.value.json.fields) ? now.value.json.fields : {};
      const status = isRecord(fieldsNow.status) ? fieldsNow.status : {};
      const category = isRecord(status.statusCategory) ? status.statusCategory.key : undefined;
      if ((category === 'done') === wantDone) return done();
      const names = offered.map((t) => t.name).join(', ') || 'none';
      return refused(`${key}: transition "${name}" is not offered from status "${String(status.name)}" (offered: ${names})`);
    }

    const ops: DeskOps = {
      async find(key, { signal }) {
        const query = new URLSearchParams({ jql: jiraKeyQuery(key, s.project_key), fields: 'summary', maxResults: '1' });
        const answer = await call('GET', `/rest/api/3/search/jql?${query}`, 'issue search', signal);
        if (!answer.ok) return answer;
        const json = answer.value.json;
        const first = isRecord(json) && Array.isArray(json.issues) ? json.issues[0] : undefined;
        return done(isRecord(first) && typeof first.key === 'string' ? first.key : null);
      },
      async create(e, { signal }) {
        const answer = await call('POST', '/rest/servicedeskapi/request', 'request create', signal, jiraRequest(e, s));
        if (!answer.ok) return answer;
        const key = isRecord(answer.value.json) ? answer.value.json.issueKey : undefined;
        return typeof key === 'string' ? done(key) : lacking('request create', 'issueKey', answer.value, auth.secrets);
      },
      note: (key, e, { signal }) => comment(key, e, signal),
      reprioritize: (key, e, { signal }) =>
        inOrder(
          () =>
            call(
              'PUT',
              issue(key),
              'priority update',
              signal,
              { fields: { priority: { name: (s.priority_map ?? DEFAULT_PRIORITIES)[e.ticket.priority] } } },
              'json-or-empty',
            ),
          () => comment(key, e, signal),
        ),
      resolve: (key, e, { signal }) =>
        inOrder(
          () => comment(key, e, signal),
          () => transition(key, s.resolve_transition ?? 'Resolve', true, signal, s.resolution ? { resolution: { name: s.resolution } } : undefined),
        ),
      reopen: (key, e, { signal }) =>
        inOrder(
          () => transition(key, s.reopen_transition ?? 'Reopen', false, signal),
          () => comment(key, e, signal),
        ),
      link: (key) => `${base}/browse/${key}`,
    };
    return { deliver: (event, ctx) => deliverTo(ops, event, ctx) };
  },
};
