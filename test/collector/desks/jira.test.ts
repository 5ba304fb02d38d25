// The Jira Service Management connector against a fake JSM Cloud site on a local socket (fakes/jira.ts). The delivery
// contract every ticketing connector shares (a retry after a lost answer finds the ticket, a first event the desk
// never saw creates it, 429 / 503 / 400 / refused credentials / HTML on a 200) is in connector-contract.ts; this file
// covers what is Jira's own: the request type's fields, the label and priority set on the issue after the create (and
// repaired after a lost create or a failed edit), the search by label or the key in the text, comments, priorities,
// the resolve transition and reopen, 409 (a conflicting update), scoped tokens through the API gateway, the desk test.
import { Value } from '@sinclair/typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../../collector/src/desks/contract.js';
import { jira, jiraKeyQuery, type JiraSettings } from '../../../collector/src/desks/connectors/jira.js';
import { deliveryContext, deskEvent } from './events.js';
import { JIRA_ACCOUNT, JIRA_CLOUD_ID, jiraTestSettings, startJiraFake, type JiraFake } from './fakes/jira.js';

let site: JiraFake;
let settings: JiraSettings;
const connector = (over: Partial<JiraSettings> = {}): Connector => jira.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: () => Date.now() });
const isCreate = (r: { method: string; path: string }) => r.method === 'POST' && r.path === '/rest/servicedeskapi/request';
const isEdit = (r: { method: string; path: string }) => r.method === 'PUT' && /^\/rest\/api\/3\/issue\/[^/]+$/.test(r.path);
const isLabelEdit = (r: { method: string; path: string; json: unknown }) => isEdit(r) && JSON.stringify(r.json).includes('"labels"');
const jqlOf = (r: { path: string; query: URLSearchParams }) => (r.path.endsWith('/search/jql') ? (r.query.get('jql') ?? '') : '');
const basic = Buffer.from(`${JIRA_ACCOUNT.email}:${JIRA_ACCOUNT.apiToken}`).toString('base64');

beforeEach(async () => {
  site = await startJiraFake();
  settings = jiraTestSettings(site);
});
afterEach(() => site.close());

async function opened(c: Connector): Promise<string> {
  const result = await c.deliver(deskEvent('opened'), deliveryContext());
  if (result.kind !== 'ok' || !result.remoteId) throw new Error(`not created: ${JSON.stringify(result)}`);
  return result.remoteId;
}

describe('jira service management connector', () => {
  it('takes the settings of a desks file and refuses a bad one, naming the key', () => {
    const good = {
      url: 'https://acme.atlassian.net',
      email: 'a@b.example',
      api_token: 't',
      service_desk_id: '4',
      request_type_id: '17',
      resolve_transition: 'Resolve this issue',
    };
    expect(Value.Check(jira.schema, good)).toBe(true);
    expect([...Value.Errors(jira.schema, { ...good, service_desk_id: 'IT desk' })].map((e) => e.path)).toContain('/service_desk_id');
    expect(Value.Check(jira.schema, { ...good, cloud_id: JIRA_CLOUD_ID })).toBe(true);
    expect([...Value.Errors(jira.schema, { ...good, cloud_id: 'acme' })].map((e) => e.path)).toContain('/cloud_id');
  });

  it('creates a request on opened with the key as a label and the mapped priority', async () => {
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toEqual({ kind: 'ok', remoteId: 'ITS-1', remoteUrl: `${site.url}/browse/ITS-1` });
    expect(site.issues.get('ITS-1')).toMatchObject({
      summary: 'Disk space low on srv1',
      labels: ['watchpost-acme-42'],
      priority: 'High',
      status: 'Waiting for support',
    });
    expect(site.issues.get('ITS-1')?.description).toContain('Host: srv1');
    expect(site.requests.every((r) => r.headers.authorization === `Basic ${basic}`)).toBe(true);
  });

  it("creates with the stock request type's fields only, then sets the label and priority on the issue", async () => {
    await connector().deliver(deskEvent('opened'), deliveryContext());
    const create = site.requests.find(isCreate)!;
    expect(Object.keys((create.json as { requestFieldValues: object }).requestFieldValues)).toEqual(['summary', 'description']);
    expect(site.requests.filter(isEdit).map((r) => r.json)).toEqual([
      { update: { labels: [{ add: 'watchpost-acme-42' }] } },
      { fields: { priority: { name: 'High' } } },
    ]);
  });

  it('refuses, as JSM does, a field the request type lacks (what the defaults sent before)', async () => {
    const answer = await fetch(`${site.url}/rest/servicedeskapi/request`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        serviceDeskId: '4',
        requestTypeId: '17',
        requestFieldValues: { summary: 's', description: 'd', labels: ['watchpost-acme-42'], priority: { name: 'High' } },
      }),
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      errorMessage: "Unable to to create request because of theses errors : The field 'labels' is not valid for this request type 'Get IT help'.",
      i18nErrorMessage: {
        i18nKey: 'sd.request.create.error.failed.msg',
        parameters: ["The field 'labels' is not valid for this request type 'Get IT help'."],
      },
    });
  });

  it('sends the label and priority with the request when the request type has those fields, and edits nothing', async () => {
    const result = await connector({ request_type_id: '18' }).deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'ok', remoteId: 'ITS-1' });
    const create = site.requests.find(isCreate)!;
    expect((create.json as { requestFieldValues: object }).requestFieldValues).toMatchObject({
      labels: ['watchpost-acme-42'],
      priority: { name: 'High' },
    });
    expect(site.requests.filter(isEdit)).toEqual([]);
    expect(site.issues.get('ITS-1')).toMatchObject({ labels: ['watchpost-acme-42'], priority: 'High' });
  });

  it('does not send a hidden field (Labels preset on the form): the label goes on the issue after the create', async () => {
    expect(await connector({ request_type_id: '21' }).deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'ok', remoteId: 'ITS-1' });
    expect(Object.keys((site.requests.find(isCreate)!.json as { requestFieldValues: object }).requestFieldValues)).toEqual(['summary', 'description']);
    expect(site.issues.get('ITS-1')?.labels).toEqual(['watchpost-acme-42']);
  });

  it('puts the key in the summary when the request type has no description, so the text search can still find it', async () => {
    await connector({ request_type_id: '20' }).deliver(deskEvent('opened'), deliveryContext());
    expect(site.issues.get('ITS-1')?.summary).toBe('Disk space low on srv1 (key watchpost-acme-42)');
  });

  it("reads the request type's fields once per connector, and again after the create is refused", async () => {
    const c = connector();
    const isFields = (r: { path: string }) => r.path.endsWith('/requesttype/17/field');
    await c.deliver(deskEvent('opened', { id: 1, correlationKey: 'watchpost-acme-1' }), deliveryContext());
    await c.deliver(deskEvent('opened', { id: 2, correlationKey: 'watchpost-acme-2' }), deliveryContext());
    expect(site.requests.filter(isFields)).toHaveLength(1);
    site.failNext(isCreate, { status: 400, body: { errorMessage: 'The field is not valid for this request type' } });
    expect((await c.deliver(deskEvent('opened', { id: 3, correlationKey: 'watchpost-acme-3' }), deliveryContext())).kind).toBe('failed');
    await c.deliver(deskEvent('opened', { id: 3, correlationKey: 'watchpost-acme-3' }), deliveryContext());
    expect(site.requests.filter(isFields)).toHaveLength(2);
  });

  it('searches once, by label or the key as a phrase, with the current JQL endpoint, asking for fields so keys come back', async () => {
    await opened(connector());
    const searches = site.requests.filter((r) => r.path === '/rest/api/3/search/jql');
    expect(searches).toHaveLength(1);
    expect(searches[0]!.query.get('jql')).toBe(jiraKeyQuery('watchpost-acme-42', 'ITS'));
    expect(searches[0]!.query.get('jql')).toBe('project = "ITS" AND (labels = "watchpost-acme-42" OR text ~ "\\"watchpost-acme-42\\"") ORDER BY created ASC');
    expect(searches[0]!.query.get('fields')).toBe('summary,description,labels');
  });

  it('finds the request after a lost create answer (no label yet) by the key in its text, and labels it', async () => {
    const c = connector();
    site.failNext(isCreate, 'drop-after-handling');
    expect((await c.deliver(deskEvent('opened'), deliveryContext())).kind).toBe('retryable');
    expect(site.issues.get('ITS-1')?.labels).toEqual([]);
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'ok', remoteId: 'ITS-1' });
    expect(site.issues.size).toBe(1);
    expect(site.issues.get('ITS-1')).toMatchObject({ labels: ['watchpost-acme-42'], priority: 'High' });
    expect(site.requests.map(jqlOf).filter(Boolean)).toEqual([jiraKeyQuery('watchpost-acme-42', 'ITS'), jiraKeyQuery('watchpost-acme-42', 'ITS')]);
    // Labelled now: a later find takes it by its label, with nothing more to edit.
    const before = site.requests.length;
    expect(await connector().deliver(deskEvent('note'), deliveryContext())).toMatchObject({ kind: 'ok', remoteId: 'ITS-1' });
    expect(site.requests.slice(before).filter(isEdit)).toEqual([]);
  });

  it('prefers the labelled issue to an older one that carries the key in its description', async () => {
    const c = connector({ request_type_id: '18' });
    await c.deliver(deskEvent('opened', { id: 7, correlationKey: 'watchpost-acme-7', summary: 'like watchpost-acme-42' }), deliveryContext());
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'ok', remoteId: 'ITS-2' });
    site.issues.get('ITS-1')!.description += ' (key watchpost-acme-42)';
    expect(await connector().deliver(deskEvent('note'), deliveryContext())).toMatchObject({ kind: 'ok', remoteId: 'ITS-2' });
    expect(site.issues.get('ITS-1')?.labels).toEqual(['watchpost-acme-7']);
  });

  it('takes a text match only when the issue carries the exact key (not watchpost-acme-420, not the words apart)', async () => {
    const c = connector();
    await c.deliver(deskEvent('opened', { id: 420, correlationKey: 'watchpost-acme-420' }), deliveryContext());
    site.issues.get('ITS-1')!.labels = [];
    site.issues.get('ITS-1')!.description += '\nSee also watchpost acme 42.';
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'ok', remoteId: 'ITS-2' });
  });

  it('a create whose label edit is retryable hands back its key; the retry finishes the label and priority', async () => {
    const c = connector();
    site.failNext(isLabelEdit, { status: 503, body: '' });
    const first = await c.deliver(deskEvent('opened'), deliveryContext());
    expect(first).toEqual({ kind: 'retryable', reason: expect.stringContaining('HTTP 503'), remoteId: 'ITS-1', remoteUrl: `${site.url}/browse/ITS-1` });
    expect(site.issues.get('ITS-1')).toMatchObject({ labels: [], priority: 'Medium' });
    expect(await c.deliver(deskEvent('opened'), deliveryContext('ITS-1'))).toMatchObject({ kind: 'ok', remoteId: 'ITS-1' });
    expect(site.issues.get('ITS-1')).toMatchObject({ labels: ['watchpost-acme-42'], priority: 'High' });
    expect(site.issues.size).toBe(1);
  });

  it('repeats a label edit whose answer was lost without doubling the label', async () => {
    const c = connector();
    site.failNext(isLabelEdit, 'drop-after-handling');
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'retryable', remoteId: 'ITS-1' });
    expect(await c.deliver(deskEvent('note', {}, 'more'), deliveryContext('ITS-1'))).toMatchObject({ kind: 'ok', remoteId: 'ITS-1' });
    expect(site.issues.get('ITS-1')).toMatchObject({ labels: ['watchpost-acme-42'], priority: 'High' });
    expect(site.issues.get('ITS-1')?.comments.map((x) => x.body)).toEqual(['Note: more']);
  });

  it('a create whose comment is retryable hands back its key, so the retry needs no search (which may not see it yet)', async () => {
    site.searchLags = true;
    const c = connector();
    const event = deskEvent('note', {}, 'first words');
    site.failNext((r) => r.path.endsWith('/comment'), { status: 503, body: '' });
    const first = await c.deliver(event, deliveryContext());
    expect(first).toEqual({ kind: 'retryable', reason: expect.stringContaining('HTTP 503'), remoteId: 'ITS-1', remoteUrl: `${site.url}/browse/ITS-1` });
    expect(await c.deliver(event, deliveryContext('ITS-1'))).toMatchObject({ kind: 'ok', remoteId: 'ITS-1' });
    expect(site.issues.size).toBe(1);
    expect(site.issues.get('ITS-1')?.comments.map((x) => x.body)).toEqual(['Note: first words']);
    // Why it matters: a retry that had to search would miss ITS-1 and open a second issue.
    expect(await c.deliver(event, deliveryContext())).toMatchObject({ kind: 'ok', remoteId: 'ITS-2' });
  });

  it('adds internal comments for note-type events', async () => {
    const c = connector();
    const key = await opened(c);
    for (const kind of ['note', 'plan', 'sla_approaching'] as const)
      expect((await c.deliver(deskEvent(kind, {}, `${kind} text`), deliveryContext(key))).kind).toBe('ok');
    expect(site.issues.get(key)?.comments).toEqual(
      ['Note: note text', 'Plan: plan text', 'SLA approaching: sla_approaching text'].map((body) => ({ body, public: false })),
    );
  });

  it('sets the priority from the map on escalation', async () => {
    const c = connector({ priority_map: { P1: 'Highest', P2: 'High', P3: 'Medium', P4: 'Lowest' } });
    const key = await opened(c);
    await c.deliver(deskEvent('escalated', { priority: 'P1' }, 'priority P2 -> P1'), deliveryContext(key));
    expect(site.issues.get(key)?.priority).toBe('Highest');
    await c.deliver(deskEvent('deescalated', { priority: 'P4' }, 'priority P1 -> P4'), deliveryContext(key));
    expect(site.issues.get(key)?.priority).toBe('Lowest');
    expect(site.issues.get(key)?.comments.map((x) => x.body)).toEqual(['Escalated: priority P2 -> P1', 'De-escalated: priority P1 -> P4']);
  });

  it('resolves by the named transition with a resolution and comment, and reopens', async () => {
    const c = connector({ resolution: 'Fixed' });
    const key = await opened(c);
    expect((await c.deliver(deskEvent('resolved', {}, 'disk back under 80 %'), deliveryContext(key))).kind).toBe('ok');
    expect(site.issues.get(key)).toMatchObject({ status: 'Resolved', resolution: 'Fixed' });
    expect(site.issues.get(key)?.comments.at(-1)?.body).toBe('Resolved: disk back under 80 %');
    expect((await c.deliver(deskEvent('reopened', {}, 'breached again'), deliveryContext(key))).kind).toBe('ok');
    expect(site.issues.get(key)).toMatchObject({ status: 'Waiting for support', resolution: null });
  });

  it('takes a repeated resolve of a resolved issue as done, and names the offered transitions when the name is wrong', async () => {
    const c = connector();
    const key = await opened(c);
    await c.deliver(deskEvent('resolved'), deliveryContext(key));
    expect((await c.deliver(deskEvent('resolved'), deliveryContext(key))).kind).toBe('ok');
    await c.deliver(deskEvent('reopened'), deliveryContext(key));
    const wrong = await connector({ resolve_transition: 'Close it' }).deliver(deskEvent('resolved'), deliveryContext(key));
    expect(wrong).toEqual({
      kind: 'failed',
      reason: 'ITS-1: transition "Close it" is not offered from status "Waiting for support" (offered: Resolve, Start progress)',
    });
  });

  it("a reopen with no stored id finds the issue a 'resolved' first event created and resolved, and reopens it", async () => {
    const c = connector();
    await c.deliver(deskEvent('resolved', {}, 'cleared'), deliveryContext(null));
    expect(await c.deliver(deskEvent('reopened'), deliveryContext(null))).toMatchObject({ kind: 'ok', remoteId: 'ITS-1' });
    expect(site.issues.size).toBe(1);
    expect(site.issues.get('ITS-1')?.status).toBe('Waiting for support');
  });

  it('fails a priority name from the map the site lacks, keeping the key of the request it created (labelled)', async () => {
    const result = await connector({ priority_map: { P1: 'Blocker', P2: 'Urgent', P3: 'Normal', P4: 'Minor' } }).deliver(
      deskEvent('opened'),
      deliveryContext(),
    );
    expect(result).toMatchObject({ kind: 'failed', remoteId: 'ITS-1' });
    expect((result as { reason: string }).reason).toMatch(/PUT \/rest\/api\/3\/issue\/ITS-1: HTTP 400.*Specify a valid priority name/);
    expect(site.issues.get('ITS-1')?.labels).toEqual(['watchpost-acme-42']);
  });

  it('leaves the priority alone with priority_on_create false', async () => {
    await connector({ priority_on_create: false }).deliver(deskEvent('opened'), deliveryContext());
    expect(site.issues.get('ITS-1')).toMatchObject({ labels: ['watchpost-acme-42'], priority: 'Medium' });
    expect(site.requests.filter(isEdit)).toHaveLength(1);
  });

  it('takes a 409 (a conflicting update) as retryable, then delivers', async () => {
    const c = connector();
    const key = await opened(c);
    site.failNext((r) => r.method === 'POST' && r.path.endsWith('/transitions'), {
      status: 409,
      body: { errorMessages: ['The issue could not be updated due to a conflicting update.'], errors: {} },
    });
    const first = await c.deliver(deskEvent('resolved'), deliveryContext(key));
    expect(first).toMatchObject({ kind: 'retryable', reason: expect.stringMatching(/POST \/rest\/api\/3\/issue\/ITS-1\/transitions: HTTP 409/) });
    expect(await c.deliver(deskEvent('resolved'), deliveryContext(key))).toMatchObject({ kind: 'ok', remoteId: key });
    expect(site.issues.get(key)?.status).toBe('Resolved');
    site.failNext(isEdit, { status: 409, body: { errorMessages: ['conflicting update'], errors: {} } });
    expect((await c.deliver(deskEvent('escalated', { priority: 'P1' }), deliveryContext(key))).kind).toBe('retryable');
  });

  describe('scoped (service account) API tokens', () => {
    let gateway: JiraFake;
    beforeEach(async () => {
      gateway = await startJiraFake({ cloudId: JIRA_CLOUD_ID });
    });
    afterEach(() => gateway.close());
    const scoped = (over: Partial<JiraSettings> = {}) =>
      connector({ url: 'https://acme.atlassian.net', cloud_id: JIRA_CLOUD_ID, api_gateway_url: gateway.url, ...over });

    it('sends every API request to /ex/jira/{cloudId} and keeps browse links on the site', async () => {
      const c = scoped();
      expect(await c.deliver(deskEvent('opened'), deliveryContext())).toEqual({
        kind: 'ok',
        remoteId: 'ITS-1',
        remoteUrl: 'https://acme.atlassian.net/browse/ITS-1',
      });
      expect(await c.deliver(deskEvent('resolved'), deliveryContext('ITS-1'))).toMatchObject({
        kind: 'ok',
        remoteUrl: 'https://acme.atlassian.net/browse/ITS-1',
      });
      expect((await c.test!(new AbortController().signal)).every((x) => x.ok)).toBe(true);
      expect(gateway.requests.length).toBeGreaterThan(8);
      expect(gateway.requests.filter((r) => !r.path.startsWith(`/ex/jira/${JIRA_CLOUD_ID}/rest/`))).toEqual([]);
      expect(gateway.issues.get('ITS-1')).toMatchObject({ labels: ['watchpost-acme-42'], status: 'Resolved' });
    });

    it('shows why a scoped token fails on the site URL (401), without showing the token', async () => {
      const result = await connector({ url: gateway.url }).deliver(deskEvent('opened'), deliveryContext());
      expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('HTTP 401') });
      expect((result as { reason: string }).reason).not.toContain(JIRA_ACCOUNT.apiToken);
    });
  });

  describe('desks test', () => {
    const run = (over: Partial<JiraSettings> = {}) => connector(over).test!(new AbortController().signal);

    it('checks auth, the request type, its fields and the label search, and creates or changes nothing', async () => {
      const checks = await run();
      expect(checks.map((x) => [x.check, x.ok])).toEqual([
        ['auth', true],
        ['request type', true],
        ['request type fields', true],
        ['correlation search', true],
      ]);
      expect(checks[0]!.detail).toContain('Watchpost integration');
      expect(checks[1]!.detail).toContain('"Get IT help" (request type 17, service desk 4)');
      expect(checks[2]!.detail).toBe(
        'summary (required), description; sent with the request: summary, description; ' +
          "set on the issue right after the create (PUT /rest/api/3/issue/{key}, the issue's edit screen must have them): labels, priority",
      );
      expect(checks[3]!.detail).toBe(`${jiraKeyQuery('watchpost-desks-test-unused', 'ITS')} answered 0 issues`);
      expect(site.requests.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(site.issues.size).toBe(0);
    });

    it('says the label and priority go with the request when the request type has them', async () => {
      const checks = await run({ request_type_id: '18', priority_on_create: false });
      expect(checks[2]).toEqual({
        check: 'request type fields',
        ok: true,
        detail:
          'summary (required), description, priority, labels; sent with the request: summary, description, labels; priority: not set (priority_on_create is false)',
      });
    });

    it('fails a request type that does not exist, naming it, and skips its fields', async () => {
      const checks = await run({ request_type_id: '99' });
      expect(checks.map((x) => [x.check, x.ok])).toEqual([
        ['auth', true],
        ['request type', false],
        ['correlation search', true],
      ]);
      expect(checks[1]!.detail).toMatch(/request type 99 in service desk 4: .*HTTP 404.*does not exist/);
    });

    it('fails a request type with a required field Watchpost does not fill', async () => {
      const checks = await run({ request_type_id: '19' });
      expect(checks[2]).toMatchObject({ check: 'request type fields', ok: false });
      expect(checks[2]!.detail).toContain('required but not filled by Watchpost: customfield_10050 (Asset tag)');
    });

    it('fails auth with a bad token, without showing it', async () => {
      const checks = await run({ api_token: 'not-the-token-0000' });
      expect(checks[0]).toMatchObject({ check: 'auth', ok: false, detail: expect.stringContaining('HTTP 401') });
      expect(JSON.stringify(checks)).not.toContain('not-the-token-0000');
    });
  });
});
