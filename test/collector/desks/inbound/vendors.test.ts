// Each vendor's push: its signature or secret check, and its payload read into desk changes.
//
// Samples. Jira: shaped as the jira:issue_updated example in Atlassian's "Webhooks" page
// (https://developer.atlassian.com/cloud/jira/platform/webhooks/, "Example callback for an issue-related event")
// and its signing as "Secure admin webhooks" documents (X-Hub-Signature: sha256=<HMAC-SHA256 hex of the body>),
// trimmed to the keys read plus a few beside them; values are ours. ConnectWise: the callback envelope
// { MessageId, FromUrl, CompanyId, MemberId, Action, Type, ID, Entity (the ticket as JSON text), Metadata.key_url }
// as ConnectWise's "PSA Callbacks" page describes it, and its x-content-signature as a public CW client computes it
// (base64 HMAC-SHA256 keyed with the SHA-256 of the signing key): a constructed sample, not one copied from CW.
// HaloPSA: constructed from Halo's guide ("containing the ticket and action objects") with the ticket's API field
// names (status_id, priority_id, lastactiondate): not a captured Halo delivery. ServiceNow: the body Watchpost
// documents for the business rule to send (README "Two-way"); ServiceNow has no fixed push payload.
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { hubSignature, InboundPayloadError, type InboundSettings } from '../../../../collector/src/desks/inbound/contract.js';
import { jiraInbound } from '../../../../collector/src/desks/inbound/jira.js';
import { haloInbound } from '../../../../collector/src/desks/inbound/halopsa.js';
import { connectwiseInbound, cwSignature } from '../../../../collector/src/desks/inbound/connectwise.js';
import { servicenowInbound } from '../../../../collector/src/desks/inbound/servicenow.js';
import { jiraIssueUpdated } from './samples.js';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const deps = { fetch: (() => Promise.reject(new Error('no network'))) as typeof fetch, now: () => NOW };
const SECRET = 'a-long-shared-secret-0123456789';

const raw = (body: unknown) => Buffer.from(JSON.stringify(body));

describe('Jira', () => {
  const settings: InboundSettings = { auth: 'signature', secret: SECRET };
  it('takes a body signed with the secret and refuses a wrong, missing or other-secret signature', async () => {
    const body = raw(jiraIssueUpdated('OPS-7', { name: 'In Progress', category: 'indeterminate' }));
    expect(await jiraInbound.verify({ headers: { 'x-hub-signature': hubSignature(body, SECRET) }, rawBody: body }, settings, undefined, deps)).toBe(true);
    expect(
      await jiraInbound.verify({ headers: { 'x-hub-signature': hubSignature(body, 'another-secret-0123456789') }, rawBody: body }, settings, undefined, deps),
    ).toBe(false);
    expect(await jiraInbound.verify({ headers: {}, rawBody: body }, settings, undefined, deps)).toBe(false);
    const tampered = Buffer.from(body.toString().replace('In Progress', 'Done'));
    expect(await jiraInbound.verify({ headers: { 'x-hub-signature': hubSignature(body, SECRET) }, rawBody: tampered }, settings, undefined, deps)).toBe(false);
  });

  it('maps status categories (In Progress acknowledges, Done resolves), leaving Done reopens, and priority changes are read', () => {
    expect(jiraInbound.parse(jiraIssueUpdated('OPS-7', { name: 'In Progress', category: 'indeterminate' }), settings, NOW)).toEqual([
      { remoteId: 'OPS-7', change: 'acknowledged', at: Date.parse('2026-11-23T09:30:00Z'), by: 'Mia Krystof', status: 'In Progress' },
    ]);
    expect(jiraInbound.parse(jiraIssueUpdated('OPS-7', { name: 'Done', category: 'done' }, 'In Progress'), settings, NOW).map((c) => c.change)).toEqual([
      'resolved',
    ]);
    const reopened = jiraIssueUpdated('OPS-7', { name: 'To Do', category: 'new' }, 'Done', [
      { field: 'resolution', from: '10000', fromString: 'Done', to: null, toString: null },
    ]);
    expect(jiraInbound.parse(reopened, settings, NOW).map((c) => c.change)).toEqual(['reopened']);
    const priority = jiraIssueUpdated('OPS-7', { name: 'In Progress', category: 'indeterminate' }, 'In Progress', [
      { field: 'priority', from: '3', fromString: 'Medium', to: '2', toString: 'High' },
    ]);
    priority.changelog.items.shift();
    expect(jiraInbound.parse(priority, settings, NOW)).toEqual([expect.objectContaining({ change: 'priority', deskPriority: 'High' })]);
  });

  it('configured status names decide before categories', () => {
    const s: InboundSettings = { ...settings, statuses: { planned: ['Planned'], acknowledged: ['Triaged'] } };
    expect(jiraInbound.parse(jiraIssueUpdated('OPS-7', { name: 'Planned', category: 'indeterminate' }), s, NOW).map((c) => c.change)).toEqual(['planned']);
    expect(jiraInbound.parse(jiraIssueUpdated('OPS-7', { name: 'In Progress', category: 'indeterminate' }), s, NOW)).toEqual([]);
  });

  it('ignores comments and other events, and refuses a body that is not a Jira webhook', () => {
    expect(jiraInbound.parse({ webhookEvent: 'comment_created', timestamp: NOW, comment: { body: 'hi' }, issue: { key: 'OPS-7' } }, settings, NOW)).toEqual([]);
    expect(() => jiraInbound.parse({ hello: 'world' }, settings, NOW)).toThrow(InboundPayloadError);
  });
});

describe('HaloPSA', () => {
  const settings: InboundSettings = { auth: 'basic', secret: SECRET };
  const push = (statusId: number, priorityId = 3) => ({
    id: 'c0a8e4a6-0000-4000-8000-000000000001',
    ticket: { id: 1042, summary: 'Disk space on db-1 [watchpost-acme-1]', status_id: statusId, priority_id: priorityId, lastactiondate: '2026-11-23T09:40:00' },
    action: { id: 3, ticket_id: 1042, who: 'Sam Tech', datetime: '2026-11-23T09:41:00', note: 'looking' },
  });
  it('takes Basic auth with the configured user and secret, or the configured header', async () => {
    const basic = (user: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}` });
    const body = raw(push(2));
    expect(await haloInbound.verify({ headers: basic('watchpost', SECRET), rawBody: body }, settings, undefined, deps)).toBe(true);
    expect(await haloInbound.verify({ headers: basic('watchpost', 'wrong-secret-0123456789'), rawBody: body }, settings, undefined, deps)).toBe(false);
    expect(await haloInbound.verify({ headers: basic('someone', SECRET), rawBody: body }, settings, undefined, deps)).toBe(false);
    const header: InboundSettings = { auth: 'header', header: 'X-Watchpost-Secret', secret: SECRET };
    expect(await haloInbound.verify({ headers: { 'x-watchpost-secret': SECRET }, rawBody: body }, header, undefined, deps)).toBe(true);
    expect(await haloInbound.verify({ headers: { authorization: SECRET }, rawBody: body }, header, undefined, deps)).toBe(false);
  });

  it('maps status ids (2 acknowledged, 9 resolved, another open status an inferred reopen) and reads batches', () => {
    expect(haloInbound.parse(push(2), settings, NOW)).toEqual([
      { remoteId: '1042', change: 'reopened', inferred: true, at: Date.parse('2026-11-23T09:41:00Z'), by: 'Sam Tech', status: '2' },
      { remoteId: '1042', change: 'acknowledged', at: Date.parse('2026-11-23T09:41:00Z'), by: 'Sam Tech', status: '2' },
      { remoteId: '1042', change: 'priority', deskPriority: '3', at: Date.parse('2026-11-23T09:41:00Z'), by: 'Sam Tech' },
    ]);
    expect(haloInbound.parse([push(9), push(9)], settings, NOW).filter((c) => c.change === 'resolved')).toHaveLength(2);
  });
});

describe('ConnectWise', () => {
  const KEY_URL = 'https://api-na.myconnectwise.net/v4_6_release/apis/3.0/system/callbackkeys/abc';
  const callback = (status: string, closed = false) => ({
    MessageId: '6b1b2d2e-1111-4111-8111-000000000001',
    FromUrl: 'api-na.myconnectwise.net',
    CompanyId: 'acmemsp',
    MemberId: 'jsmith',
    Action: 'updated',
    Type: 'ticket',
    ID: 5120,
    Entity: JSON.stringify({
      id: 5120,
      summary: 'Disk space on db-1',
      status: { id: 17, name: status },
      priority: { id: 8, name: 'Priority 2 - Quick Response' },
      closedFlag: closed,
      _info: { lastUpdated: '2026-11-23T09:50:00Z', updatedBy: 'jsmith' },
    }),
    Metadata: { key_url: KEY_URL },
  });
  const settings: InboundSettings = { auth: 'signature' };
  const keyFetch = (calls: string[]) =>
    (async (url: URL | string) => {
      calls.push(String(url));
      return new Response(JSON.stringify({ signing_key: 'cw-provided-signing-key' }), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;

  it("checks x-content-signature with the key CW provides, fetched only from the desk's own host", async () => {
    const calls: string[] = [];
    const d = { ...deps, fetch: keyFetch(calls) };
    const body = raw(callback('In Progress'));
    const signed = { 'x-content-signature': cwSignature(body, 'cw-provided-signing-key') };
    expect(await connectwiseInbound.verify({ headers: signed, rawBody: body }, settings, 'https://api-na.myconnectwise.net', d)).toBe(true);
    expect(
      await connectwiseInbound.verify(
        { headers: { 'x-content-signature': cwSignature(body, 'guess') }, rawBody: body },
        settings,
        'https://api-na.myconnectwise.net',
        d,
      ),
    ).toBe(false);
    // A body naming a key URL elsewhere: never fetched, refused.
    const forged = raw({ ...callback('Completed'), Metadata: { key_url: 'https://attacker.example/key' } });
    expect(
      await connectwiseInbound.verify(
        { headers: { 'x-content-signature': cwSignature(forged, 'cw-provided-signing-key') }, rawBody: forged },
        settings,
        'https://api-na.myconnectwise.net',
        d,
      ),
    ).toBe(false);
    expect(calls).toEqual([KEY_URL]); // fetched once, then cached
  });

  it('maps status names and closedFlag; reads the Entity text', () => {
    expect(connectwiseInbound.parse(callback('In Progress'), settings, NOW).map((c) => c.change)).toEqual(['reopened', 'acknowledged', 'priority']);
    expect(connectwiseInbound.parse(callback('Waiting', true), settings, NOW).map((c) => c.change)).toEqual(['resolved', 'priority']);
    expect(connectwiseInbound.parse(callback('Completed'), settings, NOW)[0]).toMatchObject({ remoteId: '5120', change: 'resolved', by: 'jsmith' });
    expect(connectwiseInbound.parse({ ...callback('In Progress'), Action: 'added' }, settings, NOW)).toEqual([]);
  });

  it('with auth query, takes the secret of the callback URL', async () => {
    const q: InboundSettings = { auth: 'query', secret: SECRET };
    expect(await connectwiseInbound.verify({ headers: {}, rawBody: raw(callback('New')), querySecret: SECRET }, q, undefined, deps)).toBe(true);
    expect(await connectwiseInbound.verify({ headers: {}, rawBody: raw(callback('New')), querySecret: 'nope' }, q, undefined, deps)).toBe(false);
  });
});

describe('ServiceNow', () => {
  const settings: InboundSettings = { auth: 'basic', secret: SECRET, user: 'servicenow' };
  const SYS_ID = '9d385017c611228701d22104cc95c371';
  const message = (state: string, previous: string, priority = '2', previousPriority = '2') => ({
    sys_id: SYS_ID,
    number: 'INC0010023',
    state,
    previous_state: previous,
    priority,
    previous_priority: previousPriority,
    sys_updated_by: 'beth.anglin',
    sys_updated_on: '2026-11-23 09:55:00',
  });
  it('maps incident states: 2 acknowledged, 6 and 7 resolved, leaving 6 reopened; a priority change is read', () => {
    expect(servicenowInbound.parse(message('2', '1'), settings, NOW)).toEqual([
      { remoteId: SYS_ID, change: 'acknowledged', at: Date.parse('2026-11-23T09:55:00Z'), by: 'beth.anglin', status: 'state 2' },
    ]);
    expect(servicenowInbound.parse(message('6', '2'), settings, NOW).map((c) => c.change)).toEqual(['resolved']);
    expect(servicenowInbound.parse(message('7', '6'), settings, NOW).map((c) => c.change)).toEqual(['resolved']);
    expect(servicenowInbound.parse(message('2', '6'), settings, NOW).map((c) => c.change)).toEqual(['reopened', 'acknowledged']);
    expect(servicenowInbound.parse(message('2', '2', '1', '2'), settings, NOW)).toEqual([expect.objectContaining({ change: 'priority', deskPriority: '1' })]);
  });

  it('takes Basic auth as the REST message sends it', async () => {
    const auth = { authorization: `Basic ${Buffer.from(`servicenow:${SECRET}`).toString('base64')}` };
    expect(await servicenowInbound.verify({ headers: auth, rawBody: raw(message('2', '1')) }, settings, undefined, deps)).toBe(true);
    expect(await servicenowInbound.verify({ headers: {}, rawBody: raw(message('2', '1')) }, settings, undefined, deps)).toBe(false);
  });
});

describe('polled tickets (one GET each), read as snapshots', () => {
  // Shapes: the ticket as each connector's readTicket asks for it (HaloPSA GET /api/Tickets/{id}; ConnectWise GET
  // service/tickets/{id}?fields=...; Jira GET issue?fields=status,priority,resolution,updated), trimmed; values ours.
  it('HaloPSA: status ids as in a push', () => {
    const read = { answer: { id: 1042, status_id: 9, priority_id: 3, lastactiondate: '2026-11-23T09:41:00' } };
    expect(haloInbound.poll!.changes(read, '1042', {}, NOW).map((c) => c.change)).toEqual(['resolved', 'priority']);
    expect(() => haloInbound.poll!.changes({ answer: [] }, '1042', {}, NOW)).toThrow(InboundPayloadError);
  });

  it('ConnectWise: status names and closedFlag as in a callback', () => {
    const read = {
      answer: { id: 5120, status: { name: 'In Progress' }, closedFlag: false, _info: { updatedBy: 'jsmith', lastUpdated: '2026-11-23T09:50:00Z' } },
    };
    expect(connectwiseInbound.poll!.changes(read, '5120', {}, NOW)).toEqual([
      { remoteId: '5120', change: 'reopened', inferred: true, at: Date.parse('2026-11-23T09:50:00Z'), by: 'jsmith', status: 'In Progress' },
      { remoteId: '5120', change: 'acknowledged', at: Date.parse('2026-11-23T09:50:00Z'), by: 'jsmith', status: 'In Progress' },
    ]);
  });

  it('Jira: the status category decides (done resolves, indeterminate acknowledges)', () => {
    const issue = (name: string, key: string) => ({
      answer: { key: 'OPS-7', fields: { status: { name, statusCategory: { key } }, priority: { name: 'High' }, updated: '2026-11-23T09:30:00.000+0000' } },
    });
    expect(jiraInbound.poll!.changes(issue('Done', 'done'), 'OPS-7', {}, NOW).map((c) => c.change)).toEqual(['resolved', 'priority']);
    expect(jiraInbound.poll!.changes(issue('In Progress', 'indeterminate'), 'OPS-7', {}, NOW).map((c) => c.change)).toEqual([
      'reopened',
      'acknowledged',
      'priority',
    ]);
  });

  it('ServiceNow: incident states as in a message without previous values', () => {
    const read = { answer: { result: { state: '2', priority: '3', sys_updated_by: 'beth.anglin', sys_updated_on: '2026-11-23 09:55:00' } } };
    expect(servicenowInbound.poll!.changes(read, '9d385017c611228701d22104cc95c371', {}, NOW).map((c) => c.change)).toEqual([
      'reopened',
      'acknowledged',
      'priority',
    ]);
  });
});
