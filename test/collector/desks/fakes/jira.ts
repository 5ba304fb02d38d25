// A fake Jira Service Management Cloud site: customer requests limited to their request type's fields, request
// comments, the platform API's issue edit (labels, priority), JQL search by label and by text phrase, workflow
// transitions, the request type and its field list, and /myself, over an in-memory table, checking Basic
// email:token auth and body shapes. Built from:
// - https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/ (create request -> issueKey;
//   requestFieldValues holds the fields the request type has; create request comment {body, public});
// - https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-servicedesk/ (GET
//   servicedesk/{id}/requesttype/{id} and .../field -> {requestTypeFields: [{fieldId, name, required, visible,
//   validValues, jiraSchema}], canRaiseOnBehalfOf, canAddRequestParticipants}; hidden fields are listed for admins
//   only). The servicedeskapi error body is ErrorResponse {errorMessage, i18nErrorMessage: {i18nKey, parameters}}
//   (the OpenAPI model, as jira.js generates it); the text for a field the request type lacks is the one a JSM
//   answer carried in a public PHP client's test fixture: "Unable to to create request because of theses errors :
//   The field 'customfield_14304' is not valid for this request type 'support'." (typos included).
// - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/ (PUT issue: `fields` sets,
//   `update` {labels: [{add}|{remove}|{set}]} edits, a field in both is refused, a field not on the edit screen
//   answers 400 "Field 'x' cannot be set. It is not on the appropriate screen, or unknown."; 204; transitions GET
//   {transitions:[{id,name,to}]} / POST {transition:{id}} -> 204; 409 on a conflicting update),
//   https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/ (GET /rest/api/3/myself).
// - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/ and
//   https://developer.atlassian.com/changelog/#CHANGE-2046 (GET /rest/api/3/search/jql: ids only unless `fields`;
//   the old /rest/api/3/search answers 410); https://support.atlassian.com/jira-software-cloud/docs/search-syntax-for-text-fields/
//   (text ~ "\"phrase\"": the words in that order across summary, description and comments; case-insensitive).
//   This fake reads only `labels = "k"`, that phrase clause, or both as one `(... OR ...)`, with an optional project.
// - https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/ and
//   https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/ (a scoped
//   token is used at https://api.atlassian.com/ex/jira/{cloudId}; with `cloudId` set this fake is that gateway and
//   answers 401 to paths outside it, as a site does to a scoped token).
// - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-get
//   (GET issue: `fields` a comma-separated list, the navigable fields when absent; status {name, id, statusCategory
//   {id, key, name}}, priority {name, id}, resolution null or {name, id}, updated in Jira's timestamp form
//   "2026-11-23T09:05:00.000+0000").
// The workflow (Waiting for support -> Resolve -> Resolved -> Reopen, and In Progress, which a test sets in the
// table) is a small stand-in for a real one, and the
// texts of the 404s and of a missing required field are stand-ins too (no published example found).
import type { JiraSettings } from '../../../../collector/src/desks/connectors/jira.js';
import { reply, startFakeDesk, type FakeDesk, type FakeRequest } from './fake-desk.js';

export const JIRA_ACCOUNT = { email: 'watchpost@acme-msp.example', apiToken: 'ATATT3xFfGF0-jira-token-7d1e' } as const;
export const JIRA_DESK = { serviceDeskId: '4', requestTypeId: '17', project: 'ITS' } as const;
export const JIRA_PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];
export const JIRA_CLOUD_ID = '3f8c2a1e-5b7d-4e2a-9c61-0d4b8e7f2a90';

/** Connector settings for the fake site at its URL: JIRA_ACCOUNT on JIRA_DESK. */
export const jiraTestSettings = (site: { url: string }): JiraSettings => ({
  url: site.url,
  email: JIRA_ACCOUNT.email,
  api_token: JIRA_ACCOUNT.apiToken,
  service_desk_id: JIRA_DESK.serviceDeskId,
  request_type_id: JIRA_DESK.requestTypeId,
  project_key: JIRA_DESK.project,
});

/** A time as Jira's REST API writes it: "2026-11-23T09:05:00.000+0000". */
export const jiraTime = (ms: number): string => new Date(ms).toISOString().replace('Z', '+0000');

export interface JiraRequestTypeField {
  fieldId: string;
  name: string;
  required: boolean;
  visible?: boolean;
}

/** The request types of the service desk: 17 is the stock "Get IT help" (summary and description only); 21 has
 *  Labels as a hidden field (preset on the form), which this fake, like the portal form, does not take at create. */
export const JIRA_REQUEST_TYPES: Record<string, { name: string; fields: JiraRequestTypeField[] }> = {
  '17': {
    name: 'Get IT help',
    fields: [
      { fieldId: 'summary', name: 'Summarize the problem', required: true },
      { fieldId: 'description', name: 'Description', required: false },
    ],
  },
  '18': {
    name: 'Report a system problem',
    fields: [
      { fieldId: 'summary', name: 'Summary', required: true },
      { fieldId: 'description', name: 'Description', required: false },
      { fieldId: 'priority', name: 'Priority', required: false },
      { fieldId: 'labels', name: 'Labels', required: false },
    ],
  },
  '19': {
    name: 'Request new hardware',
    fields: [
      { fieldId: 'summary', name: 'Summary', required: true },
      { fieldId: 'description', name: 'Description', required: false },
      { fieldId: 'customfield_10050', name: 'Asset tag', required: true },
    ],
  },
  '20': { name: 'Quick question', fields: [{ fieldId: 'summary', name: 'Summary', required: true }] },
  '21': {
    name: 'Monitoring alert',
    fields: [
      { fieldId: 'summary', name: 'Summary', required: true },
      { fieldId: 'description', name: 'Description', required: false },
      { fieldId: 'labels', name: 'Labels', required: false, visible: false },
    ],
  },
};

export interface JiraIssueRow {
  id: string;
  key: string;
  requestTypeId: string;
  summary: string;
  description: string;
  labels: string[];
  priority: string;
  status: 'Waiting for support' | 'In Progress' | 'Resolved';
  resolution: string | null;
  comments: Array<{ body: string; public: boolean }>;
  /** The issue's `updated` in Jira's timestamp form (jiraTime); set by a create, an edit or a transition. */
  updated?: string;
}

export interface JiraFake extends FakeDesk {
  issues: Map<string, JiraIssueRow>;
  /** When true, a new issue is left out of search results until reindex(): the new search API is eventually
   *  consistent (CHANGE-2046), so a search just after a create may miss the issue. */
  searchLags: boolean;
  reindex(): void;
}

const TRANSITIONS = {
  'Waiting for support': [
    { id: '761', name: 'Resolve', to: 'Resolved' },
    { id: '801', name: 'Start progress', to: 'Waiting for support' },
  ],
  'In Progress': [{ id: '761', name: 'Resolve', to: 'Resolved' }],
  Resolved: [{ id: '891', name: 'Reopen', to: 'Waiting for support' }],
} as const;
/** Each status's id and category (Jira's three: new "To Do", indeterminate "In Progress", done "Done"). */
const STATUSES = {
  'Waiting for support': { id: '10001', category: { id: 2, key: 'new', name: 'To Do' } },
  'In Progress': { id: '3', category: { id: 4, key: 'indeterminate', name: 'In Progress' } },
  Resolved: { id: '10002', category: { id: 3, key: 'done', name: 'Done' } },
} as const;
const statusBean = (name: JiraIssueRow['status']) => ({ name, id: STATUSES[name].id, statusCategory: STATUSES[name].category });
/** The fields GET issue answers when `fields` is not given (those of this fake's issues). */
const NAVIGABLE = ['summary', 'description', 'labels', 'priority', 'status', 'resolution', 'updated'];
/** The platform API's error body. */
const errors = (errs: Record<string, string>) => reply(400, { errorMessages: [], errors: errs });
/** The servicedeskapi's error body (ErrorResponse). */
const sdError = (status: number, message: string, i18nKey: string, parameters: string[] = []) =>
  reply(status, { errorMessage: message, i18nErrorMessage: { i18nKey, parameters } });
const notValid = (field: string, requestType: string) => {
  const why = `The field '${field}' is not valid for this request type '${requestType}'.`;
  return sdError(400, `Unable to to create request because of theses errors : ${why}`, 'sd.request.create.error.failed.msg', [why]);
};
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const words = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
/** Whether the words of `phrase` occur in `text` in that order, next to each other (a phrase query). */
function hasPhrase(text: string, phrase: string): boolean {
  const [t, p] = [words(text), words(phrase)];
  return p.length > 0 && t.some((_, i) => p.every((w, j) => t[i + j] === w));
}
/** A plain-text description as the platform API v3 answers it: Atlassian Document Format. */
const adf = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
const onScreen = new Set(['labels', 'priority']);

export async function startJiraFake(options: { cloudId?: string } = {}): Promise<JiraFake> {
  const issues = new Map<string, JiraIssueRow>();
  const unindexed = new Set<string>();
  let next = 1;
  const expected = `Basic ${Buffer.from(`${JIRA_ACCOUNT.email}:${JIRA_ACCOUNT.apiToken}`).toString('base64')}`;

  function createRequest(b: unknown) {
    if (!isRecord(b) || b.serviceDeskId !== JIRA_DESK.serviceDeskId || typeof b.requestTypeId !== 'string')
      return sdError(400, 'The service desk or request type does not exist.', 'sd.request.create.error.invalid.request.type');
    const type = JIRA_REQUEST_TYPES[b.requestTypeId];
    if (!type) return sdError(400, 'The service desk or request type does not exist.', 'sd.request.create.error.invalid.request.type');
    const v = b.requestFieldValues;
    if (!isRecord(v)) return sdError(400, 'requestFieldValues is required.', 'sd.request.create.error.failed.msg');
    const settable = new Set(type.fields.filter((f) => f.visible !== false).map((f) => f.fieldId));
    const alien = Object.keys(v).find((k) => !settable.has(k));
    if (alien) return notValid(alien, type.name);
    const missing = type.fields.find((f) => f.required && (v[f.fieldId] === undefined || v[f.fieldId] === ''));
    if (missing) return sdError(400, `${missing.name} is required.`, 'sd.request.create.error.failed.msg', [missing.fieldId]);
    if (typeof v.summary !== 'string') return sdError(400, 'Summary must be text.', 'sd.request.create.error.failed.msg');
    if (v.labels !== undefined && (!Array.isArray(v.labels) || v.labels.some((l) => typeof l !== 'string' || /\s/.test(l))))
      return sdError(400, 'Labels cannot contain spaces.', 'sd.request.create.error.failed.msg');
    const priority = isRecord(v.priority) ? v.priority.name : 'Medium';
    if (typeof priority !== 'string' || !JIRA_PRIORITIES.includes(priority))
      return sdError(400, 'Specify a valid priority name', 'sd.request.create.error.failed.msg');
    const row: JiraIssueRow = {
      id: String(10000 + next),
      key: `${JIRA_DESK.project}-${next++}`,
      requestTypeId: b.requestTypeId,
      summary: v.summary,
      description: String(v.description ?? ''),
      labels: (v.labels as string[]) ?? [],
      priority,
      status: 'Waiting for support',
      resolution: null,
      comments: [],
      updated: jiraTime(Date.now()),
    };
    issues.set(row.key, row);
    if (site.searchLags) unindexed.add(row.key);
    return reply(201, {
      issueId: row.id,
      issueKey: row.key,
      requestTypeId: row.requestTypeId,
      serviceDeskId: JIRA_DESK.serviceDeskId,
      currentStatus: { status: row.status },
    });
  }

  function search(r: FakeRequest) {
    const jql = r.query.get('jql') ?? '';
    const label = /labels = "([^"]+)"/.exec(jql)?.[1];
    const phrase = /text ~ "\\"([^"\\]+)\\""/.exec(jql)?.[1];
    const project = /project = "([^"]+)"/.exec(jql)?.[1];
    if (!label && !phrase) return reply(400, { errorMessages: [`Unsupported JQL in this fake: ${jql}`] });
    if (label && phrase && !/\(labels = "[^"]+" OR text ~ "\\"[^"\\]+\\""\)/.test(jql))
      return reply(400, { errorMessages: [`Unsupported JQL in this fake (label and text, not one OR in parentheses): ${jql}`] });
    const matches = (i: JiraIssueRow) =>
      (label !== undefined && i.labels.includes(label)) ||
      (phrase !== undefined && hasPhrase([i.summary, i.description, ...i.comments.map((c) => c.body)].join('\n'), phrase));
    const found = [...issues.values()].filter((i) => !unindexed.has(i.key) && matches(i) && (!project || i.key.startsWith(`${project}-`)));
    const asked = new Set((r.query.get('fields') ?? '').split(',').filter(Boolean));
    const fields = (i: JiraIssueRow) => ({
      ...(asked.has('summary') ? { summary: i.summary } : {}),
      ...(asked.has('description') ? { description: i.description ? adf(i.description) : null } : {}),
      ...(asked.has('labels') ? { labels: i.labels } : {}),
    });
    const max = Number(r.query.get('maxResults') ?? 50);
    return reply(200, { issues: found.slice(0, max).map((i) => (asked.size ? { id: i.id, key: i.key, fields: fields(i) } : { id: i.id })), isLast: true });
  }

  /** PUT /rest/api/3/issue/{key}: `fields` set values, `update` applies verbs; labels and priority are on the edit screen. */
  function editIssue(row: JiraIssueRow, body: unknown) {
    const fields = isRecord(body) && isRecord(body.fields) ? body.fields : {};
    const update = isRecord(body) && isRecord(body.update) ? body.update : {};
    const both = Object.keys(fields).find((k) => k in update);
    if (both) return errors({ [both]: `Field '${both}' cannot be set in both fields and update.` });
    const unknown = [...Object.keys(fields), ...Object.keys(update)].find((k) => !onScreen.has(k));
    if (unknown) return errors({ [unknown]: `Field '${unknown}' cannot be set. It is not on the appropriate screen, or unknown.` });
    let labels = [...row.labels];
    let priority = row.priority;
    if (fields.labels !== undefined) {
      if (!Array.isArray(fields.labels) || fields.labels.some((l) => typeof l !== 'string' || /\s/.test(l)))
        return errors({ labels: 'Labels cannot contain spaces.' });
      labels = [...new Set(fields.labels as string[])];
    }
    const ops = update.labels === undefined ? [] : update.labels;
    if (!Array.isArray(ops)) return errors({ labels: 'Operation value must be an array.' });
    for (const op of ops) {
      const [verb, value] = isRecord(op) ? (Object.entries(op)[0] ?? []) : [];
      if (verb === 'add' && typeof value === 'string' && !/\s/.test(value)) labels = labels.includes(value) ? labels : [...labels, value];
      else if (verb === 'remove' && typeof value === 'string') labels = labels.filter((l) => l !== value);
      else if (verb === 'set' && Array.isArray(value)) labels = value.map(String);
      else return errors({ labels: `Unsupported operation on labels: ${JSON.stringify(op)}` });
    }
    if (fields.priority !== undefined) {
      const p = isRecord(fields.priority) ? fields.priority.name : undefined;
      if (typeof p !== 'string' || !JIRA_PRIORITIES.includes(p)) return errors({ priority: 'Specify a valid priority name' });
      priority = p;
    }
    if (!Object.keys(fields).length && !Object.keys(update).length) return errors({ fields: 'Nothing to update.' });
    [row.labels, row.priority, row.updated] = [labels, priority, jiraTime(Date.now())];
    return { status: 204 };
  }

  /** GET issue's `fields`: those asked (comma-separated), or the navigable ones. */
  function issueFields(row: JiraIssueRow, asked: string | null): Record<string, unknown> {
    const all: Record<string, unknown> = {
      summary: row.summary,
      description: row.description ? adf(row.description) : null,
      labels: row.labels,
      priority: { name: row.priority, id: String(JIRA_PRIORITIES.indexOf(row.priority) + 1) },
      status: statusBean(row.status),
      resolution: row.resolution === null ? null : { name: row.resolution, id: '10000' },
      updated: row.updated ?? null,
    };
    const names = asked === null ? NAVIGABLE : asked.split(',').map((f) => f.trim());
    return Object.fromEntries(names.filter((f) => f in all).map((f) => [f, all[f]]));
  }

  function issueRoute(r: FakeRequest, row: JiraIssueRow, rest: string) {
    if (rest === '/transitions' && r.method === 'GET')
      return reply(200, { transitions: TRANSITIONS[row.status].map((t) => ({ id: t.id, name: t.name, to: statusBean(t.to) })) });
    if (rest === '/transitions' && r.method === 'POST') {
      const id = isRecord(r.json) && isRecord(r.json.transition) ? r.json.transition.id : undefined;
      const t = TRANSITIONS[row.status].find((x) => x.id === id);
      if (!t) return errors({ transition: `Transition id '${String(id)}' is not valid for this issue.` });
      row.status = t.to;
      const fields = isRecord(r.json) && isRecord(r.json.fields) ? r.json.fields : {};
      row.resolution = t.to === 'Resolved' ? (isRecord(fields.resolution) ? String(fields.resolution.name) : 'Done') : null;
      row.updated = jiraTime(Date.now());
      return { status: 204 };
    }
    if (rest === '' && r.method === 'GET') return reply(200, { id: row.id, key: row.key, fields: issueFields(row, r.query.get('fields')) });
    if (rest === '' && r.method === 'PUT') return editIssue(row, r.json);
    return reply(404, { errorMessages: ['no such route'] });
  }

  function requestType(sd: string, id: string, withFields: boolean) {
    const type = sd === JIRA_DESK.serviceDeskId ? JIRA_REQUEST_TYPES[id] : undefined;
    if (!type) return sdError(404, 'The request type does not exist or you do not have permission to see it.', 'sd.requesttype.error.not.found', [id]);
    if (!withFields) return reply(200, { id, name: type.name, serviceDeskId: sd, issueTypeId: '10004', portalId: '2', groupIds: ['1'] });
    const requestTypeFields = type.fields.map((f) => ({ ...f, description: '', visible: f.visible ?? true, validValues: [], jiraSchema: {} }));
    return reply(200, { requestTypeFields, canRaiseOnBehalfOf: true, canAddRequestParticipants: true });
  }

  function route(r: FakeRequest) {
    if (r.method === 'GET' && r.path === '/rest/api/3/myself')
      return reply(200, { accountId: '5b10ac8d82e05b22cc7d4ef5', accountType: 'atlassian', displayName: 'Watchpost integration', active: true });
    if (r.method === 'POST' && r.path === '/rest/servicedeskapi/request') return createRequest(r.json);
    const type = /^\/rest\/servicedeskapi\/servicedesk\/([^/]+)\/requesttype\/([^/]+)(\/field)?$/.exec(r.path);
    if (type && r.method === 'GET') return requestType(decodeURIComponent(type[1]!), decodeURIComponent(type[2]!), type[3] !== undefined);
    if (r.method === 'GET' && r.path === '/rest/api/3/search/jql') return search(r);
    if (r.path === '/rest/api/3/search')
      return reply(410, { errorMessages: ['The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.'] });
    const comment = /^\/rest\/servicedeskapi\/request\/([^/]+)\/comment$/.exec(r.path);
    if (comment && r.method === 'POST') {
      const row = issues.get(decodeURIComponent(comment[1]!));
      if (!row) return sdError(404, 'Request does not exist', 'sd.request.error.not.found');
      if (!isRecord(r.json) || typeof r.json.body !== 'string' || !r.json.body || typeof r.json.public !== 'boolean')
        return sdError(400, 'body and public are required', 'sd.comment.error.invalid');
      row.comments.push({ body: r.json.body, public: r.json.public });
      return reply(201, { id: String(row.comments.length), body: r.json.body, public: r.json.public });
    }
    const issue = /^\/rest\/api\/3\/issue\/([^/]+)(\/transitions)?$/.exec(r.path);
    const row = issue ? issues.get(decodeURIComponent(issue[1]!)) : undefined;
    if (issue && !row) return reply(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'] });
    if (issue && row) return issueRoute(r, row, issue[2] ?? '');
    return reply(404, { errorMessages: [`no route ${r.method} ${r.path}`] });
  }

  const gateway = options.cloudId ? `/ex/jira/${options.cloudId}` : '';
  function handle(r: FakeRequest) {
    if (r.headers.authorization !== expected) return { status: 401, body: 'Client must be authenticated to access this resource.' };
    if (!r.path.startsWith(`${gateway}/`)) return { status: 401, body: 'Client must be authenticated to access this resource.' };
    return route({ ...r, path: r.path.slice(gateway.length) });
  }

  const site = Object.assign(await startFakeDesk(handle), { issues, searchLags: false, reindex: () => unindexed.clear() });
  return site;
}
