// Jira Service Management Cloud: a customer request per ticket, internal comments for updates, workflow
// transitions (chosen by name, like Alertmanager's resolve_transition / reopen_transition) to resolve and reopen,
// and the priority field on escalation. Basic auth with an Atlassian account's email and API token.
//
// Read, and what each settled:
// - https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/ : POST
//   /rest/servicedeskapi/request {serviceDeskId, requestTypeId, requestFieldValues} -> issueKey, where
//   requestFieldValues must hold the fields the request type requires and may hold only fields it has; POST
//   /rest/servicedeskapi/request/{issueIdOrKey}/comment {body, public}.
// - https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-servicedesk/ : GET
//   /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId} (the request type) and .../field
//   -> {requestTypeFields: [{fieldId, name, required, visible, ...}]}; hidden fields are listed to service desk
//   administrators only. The servicedeskapi's error body is {errorMessage, i18nErrorMessage: {i18nKey, parameters}}
//   (its OpenAPI ErrorResponse); a field the request type lacks answers 400 "... The field 'labels' is not valid for
//   this request type '<name>'." (as a JSM answer in a public client's test fixture reads). A stock request type
//   ("Get IT help": summary, description) has neither Labels nor Priority, so both are sent with the request only
//   when its field list has them (visible), and otherwise set on the issue right after the create.
// - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/ : PUT /rest/api/3/issue/{key}
//   {update: {labels: [{add: key}]}} adds one label and keeps the others (an add, not a set: no read first),
//   {fields: {priority: {name}}} sets the priority; both need the field on the issue's edit screen, else 400
//   "Field '...' cannot be set. It is not on the appropriate screen, or unknown."; GET/POST .../transitions.
//   Its OpenAPI (https://developer.atlassian.com/cloud/jira/platform/swagger-v3.v3.json) gives edit issue and
//   transition issue a 409 "the issue could not be updated due to a conflicting update", and
//   https://developer.atlassian.com/cloud/jira/platform/change-notice-update-in-simultaneous-transitions-issue-api/
//   says an app receiving 409 "should employ a retry mechanism": every 409 here is retryable (request()'s refine).
// - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/ and
//   https://developer.atlassian.com/changelog/#CHANGE-2046 : GET /rest/api/3/search/jql (the old /rest/api/3/search
//   answers 410); only ids come back unless `fields` is given; results are eventually consistent.
// - https://support.atlassian.com/jira-software-cloud/docs/search-syntax-for-text-fields/ : text ~ "\"phrase\""
//   finds the words of the phrase in that order in any text field (summary, description, comments); JQL joins
//   clauses with OR in parentheses (https://support.atlassian.com/jira-software-cloud/docs/use-advanced-search-with-jira-query-language-jql/).
// - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/ : GET /rest/api/3/myself.
// - https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/ (email:API token) and
//   https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/ : an API
//   token with scopes (service accounts have only those) is used at https://api.atlassian.com/ex/jira/{cloudId},
//   not at the site; browse links stay on the site (https://<site>.atlassian.net/browse/KEY).
//
// Correlation: a label equal to the correlation key (labels take no spaces; the key has none), searched with JQL
// `labels = "<key>"`; the key is also in the description ("(key <key>)", desk-text.ts), or at the end of the
// summary when the request type has no description. The label is set in the create when the request type has
// Labels, else by the edit just after it, so between the two the issue has no label: when the create's answer is
// lost, a label search alone would miss it on the retry. So the one search is `labels = "<key>" OR text ~
// "\"<key>\""`: a labelled hit wins; else a hit whose summary or description carries "(key <key>)" exactly is
// taken (the phrase also matches the key's words elsewhere) and labelled (and its priority set) then. When
// the create's answer arrived and the edit after it did not work, the key goes back with the result (contract.ts),
// and the edit is done again before the next delivery to that key (the retry) in this process.
// NOT CONFIRMED: the default transition names ("Resolve", "Reopen": workflows differ; a missing name answers
// failed listing the available ones); that hidden request type fields cannot be set in the create (they are
// left out; the edit sets labels instead); that Jira Cloud's text search matches the key as a phrase (its words
// split at the hyphens); the exact texts of servicedeskapi errors other than the one above. The search is
// eventually consistent, so a retry seconds after a lost create answer may still miss the issue.
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorDeps, ConnectorType, DeliveryContext, DeliveryResult, DeskCheck, DeskEvent, DeskTicket } from '../contract.js';
import type { ReadTicket } from '../inbound/contract.js';
import { basicAuth } from '../auth.js';
import { excerpt } from '../http.js';
import { apiCalls, deliverTo, done, inOrder, isRecord, lacking, refused, type ApiCall, type DeskOps, type Step } from '../desk-flow.js';
import { noteText, ticketDescription, titleLine } from '../desk-text.js';

export const JIRA_SUMMARY_MAX = 255;
/** Where API tokens with scopes are used, followed by /ex/jira/<cloud id>. */
export const ATLASSIAN_API_GATEWAY = 'https://api.atlassian.com';
/** The key `desks test` searches for: no Watchpost ticket has it, so both searches must answer nothing. */
export const UNUSED_KEY = 'watchpost-desks-test-unused';

const Settings = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://',
      description: 'the Jira site: browse links, and the API unless cloud_id is set',
      examples: ['https://acme.atlassian.net'],
    }),
    email: Type.String({
      minLength: 3,
      description: 'Atlassian account of the integration (an agent of the service desk; a service account works too)',
      examples: ['watchpost@msp.example.net'],
    }),
    api_token: Type.String({ minLength: 1, description: 'API token of that account (write it as ${ENV_VAR})', examples: ['${JIRA_API_TOKEN}'] }),
    cloud_id: Type.Optional(
      Type.String({
        pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
        description: "the site's cloud id: set it for an API token with scopes (service accounts), which works at api_gateway_url/ex/jira/<cloud_id> only",
      }),
    ),
    api_gateway_url: Type.Optional(
      Type.String({ pattern: '^https?://', default: ATLASSIAN_API_GATEWAY, description: 'the gateway for tokens with scopes (used with cloud_id)' }),
    ),
    service_desk_id: Type.String({ pattern: '^[0-9]+$', description: 'serviceDeskId', examples: ['1'] }),
    request_type_id: Type.String({
      pattern: '^[0-9]+$',
      description: 'requestTypeId; only the fields it has are sent with the request (labels and priority otherwise go on the issue after it)',
      examples: ['10'],
    }),
    project_key: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z0-9_]*$', description: 'narrows the searches by label and by text to this project' })),
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
    priority_on_create: Type.Optional(
      Type.Boolean({
        default: true,
        description: 'set the priority of a new request: in the request when its request type has Priority, else on the issue right after',
      }),
    ),
    public_comments: Type.Optional(Type.Boolean({ default: false, description: 'comments visible to customers' })),
  },
  { additionalProperties: true },
);
export type JiraSettings = Static<typeof Settings>;

export const DEFAULT_PRIORITIES = { P1: 'Highest', P2: 'High', P3: 'Medium', P4: 'Low' } as const;
const trim = (url: string): string => url.replace(/\/+$/, '');
const bare = (key: string): string => key.replace(/["\\]/g, '');
const inProject = (projectKey?: string): string => (projectKey ? `project = "${projectKey}" AND ` : '');

/** The JQL that finds the issue carrying this key: as a label, or (not labelled yet) as a phrase in its text;
 *  oldest first, should there ever be two. One query, so a find is one request. */
export function jiraKeyQuery(key: string, projectKey?: string): string {
  const k = bare(key);
  return `${inProject(projectKey)}(labels = "${k}" OR text ~ "\\"${k}\\"") ORDER BY created ASC`;
}

/** How the key appears in the description (desk-text.ts ticketDescription) and, without one, in the summary. */
export const keyMarker = (key: string): string => `(key ${key})`;

/** One field of the request type's form, as GET .../requesttype/{id}/field lists it. */
export interface RequestTypeField {
  id: string;
  name: string;
  required: boolean;
  visible: boolean;
}

/** The fields a create may send: those of the request type that are not hidden. */
const settableOf = (fields: readonly RequestTypeField[]): ReadonlySet<string> => new Set(fields.filter((f) => f.visible).map((f) => f.id));

/** The body of POST /rest/servicedeskapi/request: only fields the request type has (`settable`). */
export function jiraRequest(event: DeskEvent, s: JiraSettings, settable: ReadonlySet<string>): Record<string, unknown> {
  const t = event.ticket;
  const values: Record<string, unknown> = {};
  if (settable.has('summary')) values.summary = titleLine(t.title, JIRA_SUMMARY_MAX, settable.has('description') ? '' : ` ${keyMarker(t.correlationKey)}`);
  if (settable.has('description')) values.description = ticketDescription(t);
  if (settable.has('labels')) values.labels = [t.correlationKey];
  if (settable.has('priority') && (s.priority_on_create ?? true)) values.priority = { name: priorityName(s, t) };
  return { serviceDeskId: s.service_desk_id, requestTypeId: s.request_type_id, requestFieldValues: values };
}

const priorityName = (s: JiraSettings, t: DeskTicket): string => (s.priority_map ?? DEFAULT_PRIORITIES)[t.priority];

/** What a new issue still needs after a create whose request type lacked Labels or Priority. */
interface AfterCreate {
  label?: string;
  priority?: string;
}

/** The fields set on the issue after the create: those the request type cannot take (priority only when set on create). */
function setAfterCreate(s: JiraSettings, settable: ReadonlySet<string>): Array<'labels' | 'priority'> {
  return [
    ...(settable.has('labels') ? [] : (['labels'] as const)),
    ...((s.priority_on_create ?? true) && !settable.has('priority') ? (['priority'] as const) : []),
  ];
}

function afterCreate(t: DeskTicket, s: JiraSettings, settable: ReadonlySet<string>): AfterCreate {
  const later = setAfterCreate(s, settable);
  return { ...(later.includes('labels') ? { label: t.correlationKey } : {}), ...(later.includes('priority') ? { priority: priorityName(s, t) } : {}) };
}

/** The text of a description: a string, or Atlassian Document Format (what the platform API v3 answers). */
function plainText(node: unknown): string {
  if (typeof node === 'string') return node;
  if (!isRecord(node)) return '';
  if (typeof node.text === 'string') return node.text;
  const parts = Array.isArray(node.content) ? node.content.map(plainText) : [];
  return parts.join(node.type === 'paragraph' || node.type === 'heading' ? '' : '\n');
}

/** Whether a search hit's summary or description carries this exact key (a phrase search also matches the key's
 *  words elsewhere, and watchpost-acme-42 is a prefix of watchpost-acme-420). */
function carriesKey(fields: unknown, key: string): boolean {
  if (!isRecord(fields)) return false;
  const marker = keyMarker(key);
  return (typeof fields.summary === 'string' && fields.summary.includes(marker)) || plainText(fields.description).includes(marker);
}

function readFields(json: unknown): RequestTypeField[] | null {
  const list = isRecord(json) && Array.isArray(json.requestTypeFields) ? json.requestTypeFields : null;
  if (!list) return null;
  return list
    .filter((f): f is Record<string, unknown> => isRecord(f) && typeof f.fieldId === 'string')
    .map((f) => ({ id: f.fieldId as string, name: typeof f.name === 'string' ? f.name : '', required: f.required === true, visible: f.visible !== false }));
}

type Transition = { id: string; name: string };
type Hit = { key: string; fields: unknown };
/** What the search asks for: labels to tell a labelled hit, summary and description to check a text hit. */
const SEARCH_FIELDS = 'summary,description,labels';
/** Hits read per search: the text half may also match other issues that quote the key. */
const SEARCH_MAX = 20;

/** The site's API (or the gateway's, with cloud_id) with the account's Basic auth: the delivery's calls and the
 *  inbound poll's read. */
function jiraApi(s: JiraSettings, deps: ConnectorDeps) {
  const site = trim(s.url);
  const base = s.cloud_id ? `${trim(s.api_gateway_url ?? ATLASSIAN_API_GATEWAY)}/ex/jira/${s.cloud_id}` : site;
  const auth = basicAuth(s.email, s.api_token);
  const refine = (status: number, text: string) =>
    status === 409 ? { kind: 'retryable' as const, reason: `HTTP 409 (a conflicting update): ${excerpt(text, auth.secrets)}` } : undefined;
  const call: ApiCall = apiCalls(base, { authorization: auth.header }, auth.secrets, deps, refine);
  return { site, base, auth, call };
}

/** The fields the inbound poll reads of an issue (desks/inbound/jira.ts). */
export const POLL_FIELDS = 'status,priority,resolution,updated';

/** The inbound poll's read of one issue (desks/inbound/poll.ts): GET /rest/api/3/issue/{key}?fields=POLL_FIELDS. */
export function readTicket(s: JiraSettings, deps: ConnectorDeps): ReadTicket {
  const { call } = jiraApi(s, deps);
  return async (key, signal) => {
    const answer = await call('GET', `/rest/api/3/issue/${encodeURIComponent(key)}?fields=${POLL_FIELDS}`, 'issue read', signal);
    return answer.ok ? done({ answer: answer.value.json }) : answer;
  };
}

export const jira: ConnectorType<JiraSettings> = {
  schema: Settings,
  create(s, deps) {
    const { site, base, auth, call } = jiraApi(s, deps);
    const issue = (key: string) => `/rest/api/3/issue/${encodeURIComponent(key)}`;
    const requestType = `/rest/servicedeskapi/servicedesk/${encodeURIComponent(s.service_desk_id)}/requesttype/${encodeURIComponent(s.request_type_id)}`;
    const link = (key: string) => `${site}/browse/${key}`;
    const remote = (key: string) => ({ remoteId: key, remoteUrl: link(key) });
    const comment = (key: string, e: DeskEvent, signal: AbortSignal) =>
      call(
        'POST',
        `/rest/servicedeskapi/request/${encodeURIComponent(key)}/comment`,
        'comment',
        signal,
        { body: noteText(e), public: s.public_comments ?? false },
        'json-or-empty',
      );

    // The request type's fields, read once per connector (a desks file reload makes a new one); a refused create
    // forgets them, so a request type changed since is read again.
    let form: RequestTypeField[] | null = null;
    async function fields(signal: AbortSignal): Promise<Step<RequestTypeField[]>> {
      if (form) return done(form);
      const answer = await call('GET', `${requestType}/field`, 'request type fields', signal);
      if (!answer.ok) return answer;
      const read = readFields(answer.value.json);
      if (!read) return lacking('request type fields', 'requestTypeFields', answer.value, auth.secrets);
      form = read;
      return done(read);
    }

    // Labels and priorities a created issue still needs, by issue key: set again before the next delivery to that key.
    const owed = new Map<string, AfterCreate>();

    /** Sets what the create could not (label first: it is what the search finds). A failure keeps the rest owed
     *  and carries the key, so the dispatcher stores it and the retry comes back to this issue. */
    async function finish(key: string, need: AfterCreate, signal: AbortSignal): Promise<Step<void>> {
      const left = { ...need };
      const edits: Array<[keyof AfterCreate, string, object]> = [];
      if (left.label) edits.push(['label', 'label edit', { update: { labels: [{ add: left.label }] } }]);
      if (left.priority) edits.push(['priority', 'priority edit', { fields: { priority: { name: left.priority } } }]);
      for (const [part, what, body] of edits) {
        const step = await call('PUT', issue(key), what, signal, body, 'json-or-empty');
        if (!step.ok) {
          owed.set(key, left);
          return { ok: false, result: { ...step.result, ...remote(key) } };
        }
        delete left[part];
      }
      owed.delete(key);
      return done();
    }

    async function search(jql: string, fieldList: string, max: number, what: string, signal: AbortSignal): Promise<Step<Hit[]>> {
      const query = new URLSearchParams({ jql, fields: fieldList, maxResults: String(max) });
      const answer = await call('GET', `/rest/api/3/search/jql?${query}`, what, signal);
      if (!answer.ok) return answer;
      const json = answer.value.json;
      const list = isRecord(json) && Array.isArray(json.issues) ? json.issues : [];
      return done(
        list.filter((i): i is Record<string, unknown> => isRecord(i) && typeof i.key === 'string').map((i) => ({ key: i.key as string, fields: i.fields })),
      );
    }

    /** The issue labelled with the key; else one whose summary or description carries it exactly (its create's
     *  answer was lost before the label edit), which is labelled now. */
    async function find(t: DeskTicket, ctx: DeliveryContext): Promise<Step<string | null>> {
      const key = t.correlationKey;
      const found = await search(jiraKeyQuery(key, s.project_key), SEARCH_FIELDS, SEARCH_MAX, 'issue search', ctx.signal);
      if (!found.ok) return found;
      const labelsOf = (h: Hit) => (isRecord(h.fields) && Array.isArray(h.fields.labels) ? h.fields.labels : []);
      const labelled = found.value.find((h) => labelsOf(h).includes(key));
      if (labelled) return done(labelled.key);
      const hit = found.value.find((h) => carriesKey(h.fields, key));
      if (!hit) return done(null);
      ctx.log.warn({ remoteId: hit.key, key }, 'found the desk ticket by the key in its text, not by its label: labelling it');
      const got = await fields(ctx.signal);
      if (!got.ok) return { ok: false, result: { ...got.result, ...remote(hit.key) } };
      const fin = await finish(hit.key, afterCreate(t, s, settableOf(got.value)), ctx.signal);
      return fin.ok ? done(hit.key) : fin;
    }

    /** Moves the issue by the named transition; when it is not offered, the issue may already be there (a retry). */
    async function transition(key: string, name: string, wantDone: boolean, signal: AbortSignal, body?: object): Promise<Step<unknown>> {
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
          { transition: { id: chosen.id }, ...(body ? { fields: body } : {}) },
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

    // The calls for one delivery (find needs the event's ticket for the edit after a text match).
    const opsFor = (event: DeskEvent): DeskOps => ({
      find: (_key, ctx) => find(event.ticket, ctx),
      async create(e, ctx) {
        const got = await fields(ctx.signal);
        if (!got.ok) return got;
        const settable = settableOf(got.value);
        const answer = await call('POST', '/rest/servicedeskapi/request', 'request create', ctx.signal, jiraRequest(e, s, settable));
        if (!answer.ok) {
          if (answer.result.kind === 'failed') form = null;
          return answer;
        }
        const key = isRecord(answer.value.json) ? answer.value.json.issueKey : undefined;
        if (typeof key !== 'string') return lacking('request create', 'issueKey', answer.value, auth.secrets);
        const fin = await finish(key, afterCreate(e.ticket, s, settable), ctx.signal);
        if (!fin.ok) ctx.log.warn({ remoteId: key, key: e.ticket.correlationKey }, 'ticket created in desk; setting its label or priority did not work');
        return fin.ok ? done(key) : fin;
      },
      note: (key, e, { signal }) => comment(key, e, signal),
      reprioritize: (key, e, { signal }) =>
        inOrder(
          () => call('PUT', issue(key), 'priority update', signal, { fields: { priority: { name: priorityName(s, e.ticket) } } }, 'json-or-empty'),
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
      link,
    });

    /** First what an earlier create of this issue still owes: a retryable failure is answered as such; one that
     *  will not work (the edit screen lacks the field) was answered failed once already, so it is logged and dropped. */
    async function deliver(event: DeskEvent, ctx: DeliveryContext): Promise<DeliveryResult> {
      const need = ctx.remoteId ? owed.get(ctx.remoteId) : undefined;
      if (ctx.remoteId && need) {
        const fin = await finish(ctx.remoteId, need, ctx.signal).catch((error: Error) => refused(`unexpected error: ${error.message}`));
        if (!fin.ok && fin.result.kind === 'retryable') return fin.result;
        if (!fin.ok) {
          ctx.log.warn(
            { remoteId: ctx.remoteId, reason: fin.result.reason },
            'the label or priority of a created ticket is still refused; going on without it',
          );
          owed.delete(ctx.remoteId);
        }
      }
      return deliverTo(opsFor(event), event, ctx);
    }

    /** `desks test`: reads only; creates and changes nothing. */
    async function test(signal: AbortSignal): Promise<DeskCheck[]> {
      const checks: DeskCheck[] = [];
      const me = await call('GET', '/rest/api/3/myself', 'auth', signal);
      const who = me.ok && isRecord(me.value.json) ? me.value.json : {};
      checks.push(
        me.ok
          ? {
              check: 'auth',
              ok: true,
              detail: `signed in at ${base} as ${String(who.displayName ?? who.accountId ?? '?')} (${String(who.accountType ?? '?')} account)`,
            }
          : { check: 'auth', ok: false, detail: me.result.reason },
      );
      const where = `request type ${s.request_type_id}, service desk ${s.service_desk_id}`;
      const type = await call('GET', requestType, 'request type', signal);
      if (!type.ok) {
        checks.push({
          check: 'request type',
          ok: false,
          detail: `request type ${s.request_type_id} in service desk ${s.service_desk_id}: ${type.result.reason}`,
        });
      } else {
        const name = isRecord(type.value.json) ? type.value.json.name : undefined;
        checks.push({ check: 'request type', ok: true, detail: `"${String(name)}" (${where})` });
        form = null;
        const got = await fields(signal);
        checks.push(got.ok ? fieldsCheck(got.value) : { check: 'request type fields', ok: false, detail: got.result.reason });
      }
      checks.push(await searchCheck(signal));
      return checks;
    }

    /** The correlation's search (label or text) for a key no ticket has: it must parse, work and find nothing. */
    async function searchCheck(signal: AbortSignal): Promise<DeskCheck> {
      const jql = jiraKeyQuery(UNUSED_KEY, s.project_key);
      const found = await search(jql, SEARCH_FIELDS, SEARCH_MAX, 'issue search', signal);
      if (!found.ok) return { check: 'correlation search', ok: false, detail: found.result.reason };
      const n = found.value.length;
      return { check: 'correlation search', ok: n === 0, detail: `${jql} answered ${n} issues${n ? ' (expected 0)' : ''}` };
    }

    /** What the create sends and what goes on the issue after it; a required field Watchpost does not fill fails. */
    function fieldsCheck(list: readonly RequestTypeField[]): DeskCheck {
      const onCreate = s.priority_on_create ?? true;
      const fills = new Set(['summary', 'description', 'labels', ...(onCreate ? ['priority'] : [])]);
      const sent = list.filter((f) => f.visible && fills.has(f.id)).map((f) => f.id);
      const later = setAfterCreate(s, settableOf(list));
      const unfilled = list.filter((f) => f.required && f.visible && !fills.has(f.id));
      const parts = [
        list.map((f) => `${f.id}${f.required ? ' (required)' : ''}${f.visible ? '' : ' (hidden)'}`).join(', ') || 'no fields',
        `sent with the request: ${sent.join(', ') || 'nothing'}`,
        ...(later.length
          ? [`set on the issue right after the create (PUT /rest/api/3/issue/{key}, the issue's edit screen must have them): ${later.join(', ')}`]
          : []),
        ...(onCreate ? [] : ['priority: not set (priority_on_create is false)']),
        ...(unfilled.length
          ? [`required but not filled by Watchpost: ${unfilled.map((f) => `${f.id} (${f.name})`).join(', ')}: the create would answer 400`]
          : []),
      ];
      return { check: 'request type fields', ok: unfilled.length === 0, detail: parts.join('; ') };
    }

    return { deliver, test };
  },
};
