// The ServiceNow connector against a fake instance's Table API on a local socket (fakes/servicenow.ts). The delivery
// contract every ticketing connector shares (a retry after a lost answer finds the ticket, a first event the desk
// never saw creates it, 429 / 503 / 400 / refused credentials / HTML on a 200) is in connector-contract.ts; this file
// covers what is ServiceNow's own: impact and urgency (never priority), correlation_id and a search answer that does
// not carry it, caller and group looked up as sys_ids, work notes, resolve with close code and notes, reopen, a
// Closed incident followed by a new linked one, the instance's refusals (mandatory field, User Not Authenticated),
// HTML on a 200 to an update, and the desk test.
import { Value } from '@sinclair/typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../../collector/src/desks/contract.js';
import { servicenow, type ServiceNowSettings } from '../../../collector/src/desks/connectors/servicenow.js';
import { deliveryContext, deskEvent } from './events.js';
import { SN_USER, snTestSettings, startServiceNowFake, type ServiceNowFake } from './fakes/servicenow.js';

let sn: ServiceNowFake;
let settings: ServiceNowSettings;
const connector = (over: Partial<ServiceNowSettings> = {}): Connector =>
  servicenow.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: () => Date.now() });
const isCreate = (r: { method: string; path: string }) => r.method === 'POST' && r.path === '/api/now/table/incident';
const isSearch = (r: { method: string; path: string; query: URLSearchParams }) =>
  r.method === 'GET' && r.path === '/api/now/table/incident' && (r.query.get('sysparm_query') ?? '').startsWith('correlation_id=');
const basic = Buffer.from(`${SN_USER.username}:${SN_USER.password}`).toString('base64');
const writes = () => sn.requests.filter((r) => r.method !== 'GET');

beforeEach(async () => {
  sn = await startServiceNowFake();
  settings = {
    ...snTestSettings(sn),
    assignment_group: 'Service Desk',
    category: 'hardware',
    caller_id: 'watchpost.integration',
  };
});
afterEach(() => sn.close());

async function opened(c: Connector): Promise<string> {
  const result = await c.deliver(deskEvent('opened'), deliveryContext());
  if (result.kind !== 'ok' || !result.remoteId) throw new Error(`not created: ${JSON.stringify(result)}`);
  return result.remoteId;
}

describe('servicenow connector', () => {
  it('takes the settings of a desks file and refuses a bad one, naming the key', () => {
    const good = { url: 'https://acme.service-now.com', username: 'u', password: 'p', impact_map: { high: '1', medium: '2', low: '3' } };
    expect(Value.Check(servicenow.schema, good)).toBe(true);
    expect([...Value.Errors(servicenow.schema, { ...good, urgency_map: { high: '0', medium: '2', low: '3' } })].map((e) => e.path)).toContain(
      '/urgency_map/high',
    );
  });

  it('creates an incident with impact, urgency and correlation_id, never priority; ServiceNow computes it', async () => {
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result.kind).toBe('ok');
    const row = sn.incidents.get((result as { remoteId: string }).remoteId)!;
    expect(row).toMatchObject({
      short_description: 'Disk space low on srv1',
      impact: '1',
      urgency: '2',
      priority: '2',
      correlation_id: 'watchpost-acme-42',
      correlation_display: 'Watchpost',
      category: 'hardware',
      state: '1',
    });
    expect(result).toMatchObject({ remoteUrl: `${sn.url}/nav_to.do?uri=incident.do?sys_id=${row.sys_id}` });
    expect(sn.written.flat()).not.toContain('priority');
    expect(sn.requests.every((r) => r.headers.authorization === `Basic ${basic}`)).toBe(true);
    const search = sn.requests.find(isSearch)!;
    expect(search.query.get('sysparm_query')).toBe('correlation_id=watchpost-acme-42^ORDERBYDESCsys_created_on^ORDERBYDESCnumber');
    expect(search.query.get('sysparm_limit')).toBe('1');
  });

  it('writes caller and assignment group as the sys_ids of the user and group the settings name, looked up once', async () => {
    const c = connector();
    const first = await opened(c);
    expect(sn.incidents.get(first)).toMatchObject({ caller_id: sn.userId('watchpost.integration'), assignment_group: sn.groupId('Service Desk') });
    const second = await c.deliver(deskEvent('opened', { id: 43, correlationKey: 'watchpost-acme-43' }), deliveryContext());
    expect(sn.incidents.get((second as { remoteId: string }).remoteId)).toMatchObject({ assignment_group: sn.groupId('Service Desk') });
    expect(sn.requests.filter((r) => r.path === '/api/now/table/sys_user_group')).toHaveLength(1);
    expect(sn.requests.filter((r) => r.path === '/api/now/table/sys_user')).toHaveLength(1);

    // A full name (the user's display value) and a sys_id are taken too.
    const other = connector({ caller_id: 'Abel Tuter', assignment_group: sn.groupId('Network') });
    const byName = await other.deliver(deskEvent('opened', { id: 44, correlationKey: 'watchpost-acme-44' }), deliveryContext());
    expect(sn.incidents.get((byName as { remoteId: string }).remoteId)).toMatchObject({
      caller_id: sn.userId('abel.tuter'),
      assignment_group: sn.groupId('Network'),
    });
  });

  it('fails naming the setting when no group has the configured name, and creates nothing', async () => {
    const result = await connector({ assignment_group: 'Servce Desk' }).deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed' });
    expect((result as { reason: string }).reason).toMatch(/assignment_group "Servce Desk": no sys_user_group/);
    expect(sn.incidents.size).toBe(0);
  });

  it('the fake instance stores a reference name as given unless sysparm_input_display_value=true, then looks it up', async () => {
    const post = (query: string, body: object) =>
      fetch(`${sn.url}/api/now/table/incident${query}`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ short_description: 'x', ...body }),
      }).then(async (r) => ((await r.json()) as { result: { sys_id: string } }).result.sys_id);
    const asGiven = await post('', { caller_id: 'Abel Tuter', assignment_group: 'Network' });
    expect(sn.incidents.get(asGiven)).toMatchObject({ caller_id: 'Abel Tuter', assignment_group: 'Network' });
    const looked = await post('?sysparm_input_display_value=true', { caller_id: 'Abel Tuter', assignment_group: 'Nowhere' });
    expect(sn.incidents.get(looked)).toMatchObject({ caller_id: sn.userId('abel.tuter'), assignment_group: '' });
  });

  it('does not trust a search answer whose correlation_id is not the key (ServiceNow ignores an unreadable query)', async () => {
    const other = await connector().deliver(deskEvent('opened', { id: 7, correlationKey: 'watchpost-acme-7' }), deliveryContext());
    sn.failNext(isSearch, {
      status: 200,
      body: { result: [{ sys_id: (other as { remoteId: string }).remoteId, correlation_id: 'watchpost-acme-7' }] },
    });
    await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(sn.incidents.size).toBe(2);
  });

  it('adds work notes for note-type events', async () => {
    const c = connector();
    const id = await opened(c);
    for (const kind of ['note', 'updated', 'sla_breached'] as const)
      expect((await c.deliver(deskEvent(kind, {}, `${kind} text`), deliveryContext(id))).kind).toBe('ok');
    expect(sn.incidents.get(id)?.work_notes).toEqual(['Note: note text', 'Updated: updated text', 'SLA breached: sla_breached text']);
  });

  it('changes impact and urgency on escalation (priority follows in ServiceNow)', async () => {
    const c = connector();
    const id = await opened(c);
    await c.deliver(deskEvent('escalated', { impact: 'high', urgency: 'high', priority: 'P1' }, 'priority P2 -> P1'), deliveryContext(id));
    expect(sn.incidents.get(id)).toMatchObject({ impact: '1', urgency: '1', priority: '1' });
    expect(sn.incidents.get(id)?.work_notes.at(-1)).toBe('Escalated: priority P2 -> P1');
    expect(sn.written.flat()).not.toContain('priority');
  });

  it('resolves with state 6, the configured close code and notes, and reopens to In Progress as ServiceNow does', async () => {
    const c = connector({ close_code: 'Resolved by caller' });
    const id = await opened(c);
    await c.deliver(deskEvent('resolved', {}, 'disk back under 80 %'), deliveryContext(id));
    expect(sn.incidents.get(id)).toMatchObject({ state: '6', close_code: 'Resolved by caller', close_notes: 'disk back under 80 %' });
    expect(await c.deliver(deskEvent('reopened', {}, 'breached again'), deliveryContext(id))).toMatchObject({ kind: 'ok', remoteId: id });
    expect(sn.incidents.get(id)).toMatchObject({ state: '2' });
    expect(sn.incidents.get(id)?.work_notes.at(-1)).toBe('Reopened: breached again');
    expect(sn.incidents.size).toBe(1);
  });

  it("a reopen with no stored id finds the incident a 'resolved' first event created and resolved, and reopens it", async () => {
    const c = connector();
    const first = await c.deliver(deskEvent('resolved', {}, 'cleared'), deliveryContext(null));
    const id = (first as { remoteId: string }).remoteId;
    expect(sn.incidents.get(id)).toMatchObject({ close_notes: 'cleared' });
    expect(await c.deliver(deskEvent('reopened'), deliveryContext(null))).toMatchObject({ kind: 'ok', remoteId: id });
    expect(sn.incidents.size).toBe(1);
    expect(sn.incidents.get(id)?.state).toBe('2');
  });

  it('opens a new incident linked to a Closed one on reopen, notes both, and sends later events there', async () => {
    const c = connector();
    const old = await opened(c);
    await c.deliver(deskEvent('resolved', {}, 'cleared'), deliveryContext(old));
    sn.closeIncident(old);
    const oldNumber = sn.incidents.get(old)!.number;

    const reopened = await c.deliver(deskEvent('reopened', {}, 'breached again'), deliveryContext(old));
    expect(reopened).toMatchObject({ kind: 'ok' });
    const next = (reopened as { remoteId: string }).remoteId;
    expect(next).not.toBe(old);
    expect(reopened).toMatchObject({ remoteUrl: `${sn.url}/nav_to.do?uri=incident.do?sys_id=${next}` });
    const successor = sn.incidents.get(next)!;
    expect(successor).toMatchObject({
      parent_incident: old,
      correlation_id: 'watchpost-acme-42',
      caller_id: sn.userId('watchpost.integration'),
      assignment_group: sn.groupId('Service Desk'),
    });
    expect(successor.work_notes).toEqual([`Reopened: breached again\nFollows ${oldNumber}, which is closed and cannot be reopened.`]);
    expect(sn.incidents.get(old)).toMatchObject({ state: '7' });
    expect(sn.incidents.get(old)?.work_notes.at(-1)).toBe(
      `Watchpost reopened this alert in ${successor.number}: this incident is closed and cannot be reopened.`,
    );

    // The same event again with the old id (its answer lost) finds the successor instead of opening a third incident,
    // and an event without a stored id finds the successor, the newest incident with the key.
    expect(await c.deliver(deskEvent('reopened', {}, 'breached again'), deliveryContext(old))).toMatchObject({ kind: 'ok', remoteId: next });
    expect(await c.deliver(deskEvent('note', {}, 'still full'), deliveryContext(null))).toMatchObject({ kind: 'ok', remoteId: next });
    expect(sn.incidents.size).toBe(2);
    expect(sn.incidents.get(next)?.work_notes.at(-1)).toBe('Note: still full');
  });

  it('still answers the new incident when the closed one refuses even the work note', async () => {
    const c = connector();
    const old = await opened(c);
    sn.closeIncident(old);
    sn.failNext((r) => r.method === 'PATCH' && r.path.endsWith(old), {
      status: 403,
      body: { error: { message: 'Operation Failed', detail: 'ACL restricts the record update' }, status: 'failure' },
    });
    const ctx = deliveryContext(old);
    const result = await c.deliver(deskEvent('reopened', {}, 'again'), ctx);
    expect(result).toMatchObject({ kind: 'ok' });
    expect((result as { remoteId: string }).remoteId).not.toBe(old);
    expect(sn.incidents.get(old)?.work_notes).toEqual([]);
    expect(ctx.lines.some((l) => l.level === 'warn' && /HTTP 403/.test(JSON.stringify(l.obj)))).toBe(true);
  });

  it('finds the new incident after its create answer was lost instead of opening another', async () => {
    const c = connector();
    const old = await opened(c);
    sn.closeIncident(old);
    sn.failNext(isCreate, 'drop-after-handling');
    expect(await c.deliver(deskEvent('reopened', {}, 'again'), deliveryContext(old))).toMatchObject({ kind: 'retryable' });
    expect(sn.incidents.size).toBe(2);
    const next = [...sn.incidents.keys()].find((id) => id !== old)!;
    expect(await c.deliver(deskEvent('reopened', {}, 'again'), deliveryContext(old))).toMatchObject({ kind: 'ok', remoteId: next });
    expect(sn.incidents.size).toBe(2);
    expect(sn.incidents.get(next)?.parent_incident).toBe(old);
  });

  it("a refused password's reason carries ServiceNow's own detail (User Not Authenticated)", async () => {
    const result = await connector({ password: 'wrong-password-1' }).deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ reason: expect.stringContaining('User Not Authenticated') });
  });

  it('fails a write the instance refuses for a missing mandatory field', async () => {
    const result = await connector().deliver(deskEvent('opened', { title: '   ' }), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed' });
    expect((result as { reason: string }).reason).toMatch(/HTTP 403.*Short description is mandatory/);
  });

  it('fails HTML on a 200 to an update too: the instance never saw it', async () => {
    const c = connector();
    const id = await opened(c);
    sn.failNext((r) => r.method === 'PATCH', { status: 200, body: '<html><body>SSO login</body></html>' });
    const result = await c.deliver(deskEvent('note', {}, 'lost behind a login page'), deliveryContext(id));
    expect(result).toMatchObject({ kind: 'failed' });
    expect((result as { reason: string }).reason).toMatch(/incident update: expected JSON or no body.*SSO login/);
    expect(sn.incidents.get(id)?.work_notes).toEqual([]);
  });
});

describe('servicenow desks test', () => {
  it('checks auth, the caller and group, and that correlation_id is queryable, changing nothing', async () => {
    const checks = await connector().test!(new AbortController().signal);
    expect(checks.map((c) => [c.check, c.ok])).toEqual([
      ['auth', true],
      ['assignment_group', true],
      ['caller_id', true],
      ['correlation_id', true],
    ]);
    expect(checks.find((c) => c.check === 'assignment_group')?.detail).toContain(sn.groupId('Service Desk'));
    const auth = sn.requests[0]!;
    expect([auth.path, auth.query.get('sysparm_limit'), auth.query.get('sysparm_fields')]).toEqual(['/api/now/table/incident', '1', 'sys_id']);
    expect(writes()).toEqual([]);
  });

  it('names a group that does not exist', async () => {
    const checks = await connector({ assignment_group: 'Servce Desk' }).test!(new AbortController().signal);
    expect(checks.find((c) => c.check === 'assignment_group')).toMatchObject({ ok: false, detail: expect.stringMatching(/"Servce Desk": no sys_user_group/) });
    expect(checks.filter((c) => !c.ok)).toHaveLength(1);
    expect(writes()).toEqual([]);
  });

  it('says so when the instance ignores correlation_id in a query, and stops at a bad password', async () => {
    sn.failNext((r) => (r.query.get('sysparm_query') ?? '').startsWith('correlation_id='), {
      status: 200,
      body: { result: [{ sys_id: 'a'.repeat(32), correlation_id: '' }] },
    });
    const ignored = await connector().test!(new AbortController().signal);
    expect(ignored.find((c) => c.check === 'correlation_id')).toMatchObject({ ok: false, detail: expect.stringMatching(/ignored/) });

    const denied = await connector({ password: 'wrong-password-1' }).test!(new AbortController().signal);
    expect(denied).toEqual([{ check: 'auth', ok: false, detail: expect.stringMatching(/HTTP 401/) }]);
    expect(JSON.stringify(denied)).not.toContain('wrong-password-1');
  });
});
