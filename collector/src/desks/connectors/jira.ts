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
// search being eventually consistent means a retry seconds after a lost create answer may not see the issue yet.
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorType, DeskEvent } from '../contract.js';
import { request, type HttpOutcome } from '../http.js';
import { accepted, basicAuth, clip, deliverTo, done, isRecord, jsonAnswer, noteText, ticketFacts, type Step } from './desk-api.js';

export const JIRA_SUMMARY_MAX = 255;

const Settings = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'the Jira site, e.g. https://acme.atlassian.net' }),
    email: Type.String({ minLength: 3, description: 'Atlassian account of the integration (an agent of the service desk)' }),
    api_token: Type.String({ minLength: 1, description: 'API token of that account (write it as ${ENV_VAR})' }),
    service_desk_id: Type.String({ pattern: '^[0-9]+$', description: 'serviceDeskId' }),
    request_type_id: Type.String({ pattern: '^[0-9]+$', description: 'requestTypeId (its form must accept Labels)' }),
    project_key: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z0-9_]*$', description: 'narrows the label search to this project' })),
    resolve_transition: Type.Optional(Type.String({ minLength: 1, default: 'Resolve', description: 'transition name that resolves' })),
    reopen_transition: Type.Optional(Type.String({ minLength: 1, default: 'Reopen', description: 'transition name that reopens' })),
    resolution: Type.Optional(Type.String({ minLength: 1, description: 'resolution name set with the resolve transition (e.g. Done), when its screen has it' })),
    priority_map: Type.Optional(
      Type.Object(
        { P1: Type.String({ default: 'Highest' }), P2: Type.String({ default: 'High' }), P3: Type.String({ default: 'Medium' }), P4: Type.String({ default: 'Low' }) },
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
      summary: clip(t.title, JIRA_SUMMARY_MAX),
      description: ticketFacts(t),
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
    const call = (method: string, path: string, signal: AbortSignal, body?: unknown): Promise<HttpOutcome> =>
      request({ method, url: `${base}${path}`, headers: { authorization: auth.header }, body, signal, fetch: deps.fetch, now: deps.now, secrets: auth.secrets });
    const issue = (key: string) => `/rest/api/3/issue/${encodeURIComponent(key)}`;
    const comment = async (key: string, body: string, signal: AbortSignal): Promise<Step<unknown>> =>
      accepted(await call('POST', `/rest/servicedeskapi/request/${encodeURIComponent(key)}/comment`, signal, { body, public: s.public_comments ?? false }), 'comment', auth.secrets);

    /** Moves the issue by the named transition; when it is not offered, the issue may already be there (a retry). */
    async function transition(key: string, name: string, wantDone: boolean, signal: AbortSignal, fields?: object): Promise<Step<unknown>> {
      const json = jsonAnswer(await call('GET', `${issue(key)}/transitions`, signal), 'transitions', auth.secrets);
      if (!json.ok) return json;
      const offered = (isRecord(json.value) && Array.isArray(json.value.transitions) ? json.value.transitions : []).filter(
        (t): t is Transition => isRecord(t) && typeof t.id === 'string' && typeof t.name === 'string',
      );
      const chosen = offered.find((t) => t.name.toLowerCase() === name.toLowerCase());
      if (chosen) return accepted(await call('POST', `${issue(key)}/transitions`, signal, { transition: { id: chosen.id }, ...(fields ? { fields } : {}) }), 'transition', auth.secrets);
      const now = jsonAnswer(await call('GET', `${issue(key)}?fields=status`, signal), 'issue status', auth.secrets);
      if (!now.ok) return now;
      const status = isRecord(now.value) && isRecord(now.value.fields) && isRecord(now.value.fields.status) ? now.value.fields.status : {};
      const category = isRecord(status.statusCategory) ? status.statusCategory.key : undefined;
      if ((category === 'done') === wantDone) return done(null);
      const names = offered.map((t) => t.name).join(', ') || 'none';
      return { ok: false, result: { kind: 'failed', reason: `${key}: transition "${name}" is not offered from status "${String(status.name)}" (offered: ${names})` } };
    }

    return {
      deliver: (event, ctx) =>
        deliverTo(
          {
            async find(key, { signal }) {
              const query = new URLSearchParams({ jql: jiraKeyQuery(key, s.project_key), fields: 'summary', maxResults: '1' });
              const json = jsonAnswer(await call('GET', `/rest/api/3/search/jql?${query}`, signal), 'issue search', auth.secrets);
              if (!json.ok) return json;
              const first = isRecord(json.value) && Array.isArray(json.value.issues) ? json.value.issues[0] : undefined;
              return done(isRecord(first) && typeof first.key === 'string' ? first.key : null);
            },
            async create(e, { signal }) {
              const json = jsonAnswer(await call('POST', '/rest/servicedeskapi/request', signal, jiraRequest(e, s)), 'request create', auth.secrets);
              if (!json.ok) return json;
              const key = isRecord(json.value) ? json.value.issueKey : undefined;
              return typeof key === 'string' ? done(key) : { ok: false, result: { kind: 'failed', reason: 'request create: the answer has no issueKey' } };
            },
            async apply(e, key, { signal }) {
              switch (e.kind) {
                case 'resolved': {
                  const said = await comment(key, `Resolved: ${noteText(e)}`, signal);
                  return said.ok ? transition(key, s.resolve_transition ?? 'Resolve', true, signal, s.resolution ? { resolution: { name: s.resolution } } : undefined) : said;
                }
                case 'reopened': {
                  const moved = await transition(key, s.reopen_transition ?? 'Reopen', false, signal);
                  return moved.ok ? comment(key, `Reopened: ${noteText(e)}`, signal) : moved;
                }
                case 'escalated':
                case 'deescalated': {
                  const name = (s.priority_map ?? DEFAULT_PRIORITIES)[e.ticket.priority];
                  const changed = accepted(await call('PUT', issue(key), signal, { fields: { priority: { name } } }), 'priority update', auth.secrets);
                  return changed.ok ? comment(key, noteText(e), signal) : changed;
                }
                default:
                  return comment(key, noteText(e), signal);
              }
            },
            link: (key) => `${base}/browse/${key}`,
          },
          event,
          ctx,
        ),
    };
  },
};
