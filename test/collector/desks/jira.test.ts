// The Jira Service Management connector against a fake JSM Cloud site on a local socket (fakes/jira.ts).
import { Value } from '@sinclair/typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../../collector/src/desks/contract.js';
import { jira, jiraKeyQuery, type JiraSettings } from '../../../collector/src/desks/connectors/jira.js';
import { deliveryContext, deskEvent } from './events.js';
import { JIRA_ACCOUNT, JIRA_DESK, startJiraFake, type JiraFake } from './fakes/jira.js';

let site: JiraFake;
let settings: JiraSettings;
const connector = (over: Partial<JiraSettings> = {}): Connector => jira.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: () => Date.now() });
const isCreate = (r: { method: string; path: string }) => r.method === 'POST' && r.path === '/rest/servicedeskapi/request';
const basic = Buffer.from(`${JIRA_ACCOUNT.email}:${JIRA_ACCOUNT.apiToken}`).toString('base64');

beforeEach(async () => {
  site = await startJiraFake();
  settings = {
    url: site.url,
    email: JIRA_ACCOUNT.email,
    api_token: JIRA_ACCOUNT.apiToken,
    service_desk_id: JIRA_DESK.serviceDeskId,
    request_type_id: JIRA_DESK.requestTypeId,
    project_key: JIRA_DESK.project,
  };
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

  it('searches with the current JQL endpoint, asking for fields so keys come back', async () => {
    await opened(connector());
    const search = site.requests.find((r) => r.path === '/rest/api/3/search/jql')!;
    expect(search.query.get('jql')).toBe(jiraKeyQuery('watchpost-acme-42', 'ITS'));
    expect(search.query.get('jql')).toBe('project = "ITS" AND labels = "watchpost-acme-42" ORDER BY created ASC');
    expect(search.query.get('fields')).toBe('summary');
  });

  it('finds the request after a lost answer instead of creating a second', async () => {
    const c = connector();
    site.failNext(isCreate, 'drop-after-handling');
    expect((await c.deliver(deskEvent('opened'), deliveryContext())).kind).toBe('retryable');
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'ok', remoteId: 'ITS-1' });
    expect(site.issues.size).toBe(1);
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

  it('finds or creates on a first event the desk never saw, then applies it', async () => {
    const c = connector();
    expect(await c.deliver(deskEvent('resolved', {}, 'cleared'), deliveryContext(null))).toMatchObject({ kind: 'ok', remoteId: 'ITS-1' });
    expect(site.issues.get('ITS-1')?.status).toBe('Resolved');
    expect(await c.deliver(deskEvent('reopened'), deliveryContext(null))).toMatchObject({ kind: 'ok', remoteId: 'ITS-1' });
    expect(site.issues.size).toBe(1);
    expect(site.issues.get('ITS-1')?.status).toBe('Waiting for support');
  });

  it('fails on a bad API token without showing it or its base64', async () => {
    const bad = 'not-the-token-0000';
    const result = await connector({ api_token: bad }).deliver(deskEvent('opened'), deliveryContext());
    expect(result.kind).toBe('failed');
    const reason = (result as { reason: string }).reason;
    expect(reason).toContain('HTTP 401');
    expect(reason).not.toContain(bad);
    expect(reason).not.toContain(Buffer.from(`${JIRA_ACCOUNT.email}:${bad}`).toString('base64'));
  });

  it('answers 429 with Retry-After and 503 retryable', async () => {
    const c = connector();
    site.failNext(isCreate, { status: 429, body: { errorMessages: ['Rate limited'] }, headers: { 'retry-after': '30' } });
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'retryable', retryAfterMs: 30_000 });
    site.failNext(isCreate, { status: 503, body: '' });
    expect((await c.deliver(deskEvent('opened'), deliveryContext())).kind).toBe('retryable');
    expect(site.issues.size).toBe(0);
  });

  it('fails a 400 (a priority the site lacks) with a redacted excerpt', async () => {
    site.failNext(isCreate, {
      status: 400,
      body: { errorMessages: [`Authorization: Basic ${basic} token ${JIRA_ACCOUNT.apiToken}`], errors: { priority: 'Specify a valid priority name' } },
    });
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result.kind).toBe('failed');
    const reason = (result as { reason: string }).reason;
    expect(reason).toContain('Specify a valid priority name');
    expect(reason).not.toContain(basic);
    expect(reason).not.toContain(JIRA_ACCOUNT.apiToken);
  });

  it('fails a request the site refuses for a bad priority name from the map', async () => {
    const result = await connector({ priority_map: { P1: 'Blocker', P2: 'Urgent', P3: 'Normal', P4: 'Minor' } }).deliver(
      deskEvent('opened'),
      deliveryContext(),
    );
    expect(result).toMatchObject({ kind: 'failed' });
    expect((result as { reason: string }).reason).toMatch(/HTTP 400.*Specify a valid priority name/);
  });

  it('fails HTML on a 200', async () => {
    site.failNext((r) => r.path === '/rest/api/3/search/jql', { status: 200, body: '<!DOCTYPE html><html>Log in to continue</html>' });
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed' });
    expect((result as { reason: string }).reason).toMatch(/issue search: expected a JSON answer/);
  });
});
