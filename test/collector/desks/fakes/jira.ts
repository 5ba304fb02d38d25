// A fake Jira Service Management Cloud site: customer requests, request comments, JQL search by label, workflow
// transitions and the priority field, over an in-memory table, checking Basic email:token auth and body shapes.
// Built from: https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/ (create request
// -> issueKey; create request comment {body, public}),
// https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/ and
// https://developer.atlassian.com/changelog/#CHANGE-2046 (GET /rest/api/3/search/jql: ids only unless `fields`;
// the old /rest/api/3/search answers 410), https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/
// (transitions GET {transitions:[{id,name,to}]} / POST {transition:{id}} -> 204; PUT issue fields -> 204),
// https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/. The workflow (Waiting for
// support -> Resolve -> Resolved -> Reopen) is a small stand-in for a real one.
import { reply, startFakeDesk, type FakeDesk, type FakeRequest } from './fake-desk.js';

export const JIRA_ACCOUNT = { email: 'watchpost@acme-msp.example', apiToken: 'ATATT3xFfGF0-jira-token-7d1e' } as const;
export const JIRA_DESK = { serviceDeskId: '4', requestTypeId: '17', project: 'ITS' } as const;
export const JIRA_PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];

export interface JiraIssueRow {
  id: string;
  key: string;
  summary: string;
  description: string;
  labels: string[];
  priority: string;
  status: 'Waiting for support' | 'Resolved';
  resolution: string | null;
  comments: Array<{ body: string; public: boolean }>;
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
  Resolved: [{ id: '891', name: 'Reopen', to: 'Waiting for support' }],
} as const;
const statusBean = (name: JiraIssueRow['status']) => ({ name, statusCategory: { key: name === 'Resolved' ? 'done' : 'new' } });
const errors = (errs: Record<string, string>) => reply(400, { errorMessages: [], errors: errs });
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function startJiraFake(): Promise<JiraFake> {
  const issues = new Map<string, JiraIssueRow>();
  const unindexed = new Set<string>();
  let next = 1;
  const expected = `Basic ${Buffer.from(`${JIRA_ACCOUNT.email}:${JIRA_ACCOUNT.apiToken}`).toString('base64')}`;

  function createRequest(b: unknown) {
    if (!isRecord(b) || b.serviceDeskId !== JIRA_DESK.serviceDeskId || b.requestTypeId !== JIRA_DESK.requestTypeId)
      return errors({ serviceDeskId: 'unknown service desk or request type' });
    const v = b.requestFieldValues;
    if (!isRecord(v) || typeof v.summary !== 'string' || !v.summary) return errors({ summary: 'You must specify a summary of the issue.' });
    if (v.labels !== undefined && (!Array.isArray(v.labels) || v.labels.some((l) => typeof l !== 'string' || /\s/.test(l))))
      return errors({ labels: 'Labels cannot contain spaces.' });
    const priority = isRecord(v.priority) ? v.priority.name : 'Medium';
    if (typeof priority !== 'string' || !JIRA_PRIORITIES.includes(priority)) return errors({ priority: `Specify a valid priority name` });
    const row: JiraIssueRow = {
      id: String(10000 + next),
      key: `${JIRA_DESK.project}-${next++}`,
      summary: v.summary,
      description: String(v.description ?? ''),
      labels: (v.labels as string[]) ?? [],
      priority,
      status: 'Waiting for support',
      resolution: null,
      comments: [],
    };
    issues.set(row.key, row);
    if (site.searchLags) unindexed.add(row.key);
    return reply(201, {
      issueId: row.id,
      issueKey: row.key,
      requestTypeId: JIRA_DESK.requestTypeId,
      serviceDeskId: JIRA_DESK.serviceDeskId,
      currentStatus: { status: row.status },
    });
  }

  function search(r: FakeRequest) {
    const jql = r.query.get('jql') ?? '';
    const label = /labels = "([^"]+)"/.exec(jql)?.[1];
    const project = /project = "([^"]+)"/.exec(jql)?.[1];
    if (!label) return reply(400, { errorMessages: [`Unsupported JQL in this fake: ${jql}`] });
    const found = [...issues.values()].filter((i) => !unindexed.has(i.key) && i.labels.includes(label) && (!project || i.key.startsWith(`${project}-`)));
    const withFields = r.query.has('fields');
    const max = Number(r.query.get('maxResults') ?? 50);
    return reply(200, {
      issues: found.slice(0, max).map((i) => (withFields ? { id: i.id, key: i.key, fields: { summary: i.summary } } : { id: i.id })),
      isLast: true,
    });
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
      return { status: 204 };
    }
    if (rest === '' && r.method === 'GET') return reply(200, { id: row.id, key: row.key, fields: { status: statusBean(row.status) } });
    if (rest === '' && r.method === 'PUT') {
      const p = isRecord(r.json) && isRecord(r.json.fields) && isRecord(r.json.fields.priority) ? r.json.fields.priority.name : undefined;
      if (typeof p !== 'string' || !JIRA_PRIORITIES.includes(p)) return errors({ priority: 'Specify a valid priority name' });
      row.priority = p;
      return { status: 204 };
    }
    return reply(404, { errorMessages: ['no such route'] });
  }

  function handle(r: FakeRequest) {
    if (r.headers.authorization !== expected) return { status: 401, body: 'Client must be authenticated to access this resource.' };
    if (r.method === 'POST' && r.path === '/rest/servicedeskapi/request') return createRequest(r.json);
    if (r.method === 'GET' && r.path === '/rest/api/3/search/jql') return search(r);
    if (r.path === '/rest/api/3/search')
      return reply(410, { errorMessages: ['The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.'] });
    const comment = /^\/rest\/servicedeskapi\/request\/([^/]+)\/comment$/.exec(r.path);
    if (comment && r.method === 'POST') {
      const row = issues.get(decodeURIComponent(comment[1]!));
      if (!row) return reply(404, { errorMessage: 'Request does not exist' });
      if (!isRecord(r.json) || typeof r.json.body !== 'string' || !r.json.body || typeof r.json.public !== 'boolean')
        return errors({ body: 'body and public are required' });
      row.comments.push({ body: r.json.body, public: r.json.public });
      return reply(201, { id: String(row.comments.length), body: r.json.body, public: r.json.public });
    }
    const issue = /^\/rest\/api\/3\/issue\/([^/]+)(\/transitions)?$/.exec(r.path);
    const row = issue ? issues.get(decodeURIComponent(issue[1]!)) : undefined;
    if (issue && !row) return reply(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'] });
    if (issue && row) return issueRoute(r, row, issue[2] ?? '');
    return reply(404, { errorMessages: [`no route ${r.method} ${r.path}`] });
  }

  const site = Object.assign(await startFakeDesk(handle), { issues, searchLags: false, reindex: () => unindexed.clear() });
  return site;
}
