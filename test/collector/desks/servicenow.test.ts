// The ServiceNow connector against a fake instance's Table API on a local socket (fakes/servicenow.ts).
import { Value } from '@sinclair/typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../../collector/src/desks/contract.js';
import { servicenow, type ServiceNowSettings } from '../../../collector/src/desks/connectors/servicenow.js';
import { deliveryContext, deskEvent } from './events.js';
import { SN_USER, startServiceNowFake, type ServiceNowFake } from './fakes/servicenow.js';

let sn: ServiceNowFake;
let settings: ServiceNowSettings;
const connector = (over: Partial<ServiceNowSettings> = {}): Connector =>
  servicenow.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: () => Date.now() });
const isCreate = (r: { method: string; path: string }) => r.method === 'POST' && r.path === '/api/now/table/incident';
const basic = Buffer.from(`${SN_USER.username}:${SN_USER.password}`).toString('base64');

beforeEach(async () => {
  sn = await startServiceNowFake();
  settings = {
    url: sn.url,
    username: SN_USER.username,
    password: SN_USER.password,
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
      assignment_group: 'Service Desk',
      category: 'hardware',
      caller_id: 'watchpost.integration',
      state: '1',
    });
    expect(result).toMatchObject({ remoteUrl: `${sn.url}/nav_to.do?uri=incident.do?sys_id=${row.sys_id}` });
    expect(sn.written.flat()).not.toContain('priority');
    expect(sn.requests.every((r) => r.headers.authorization === `Basic ${basic}`)).toBe(true);
    const search = sn.requests.find((r) => r.method === 'GET')!;
    expect(search.query.get('sysparm_query')).toBe('correlation_id=watchpost-acme-42^ORDERBYsys_created_on');
    expect(search.query.get('sysparm_limit')).toBe('1');
  });

  it('finds the incident after a lost answer instead of creating a second', async () => {
    const c = connector();
    sn.failNext(isCreate, 'drop-after-handling');
    expect((await c.deliver(deskEvent('opened'), deliveryContext())).kind).toBe('retryable');
    expect(sn.incidents.size).toBe(1);
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'ok', remoteId: [...sn.incidents.keys()][0] });
    expect(sn.incidents.size).toBe(1);
  });

  it('does not trust a search answer whose correlation_id is not the key (ServiceNow ignores an unreadable query)', async () => {
    const other = await connector().deliver(deskEvent('opened', { id: 7, correlationKey: 'watchpost-acme-7' }), deliveryContext());
    sn.failNext((r) => r.method === 'GET', {
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

  it('resolves with state 6, the configured close code and notes, and reopens', async () => {
    const c = connector({ close_code: 'Resolved by caller', reopen_state: '2' });
    const id = await opened(c);
    await c.deliver(deskEvent('resolved', {}, 'disk back under 80 %'), deliveryContext(id));
    expect(sn.incidents.get(id)).toMatchObject({ state: '6', close_code: 'Resolved by caller', close_notes: 'disk back under 80 %' });
    await c.deliver(deskEvent('reopened', {}, 'breached again'), deliveryContext(id));
    expect(sn.incidents.get(id)).toMatchObject({ state: '2' });
    expect(sn.incidents.get(id)?.work_notes.at(-1)).toBe('Reopened: breached again');
  });

  it('finds or creates on a first event the desk never saw, then applies it', async () => {
    const c = connector();
    const first = await c.deliver(deskEvent('resolved', {}, 'cleared'), deliveryContext(null));
    const id = (first as { remoteId: string }).remoteId;
    expect(sn.incidents.get(id)).toMatchObject({ state: '6', close_notes: 'cleared' });
    expect(await c.deliver(deskEvent('reopened'), deliveryContext(null))).toMatchObject({ kind: 'ok', remoteId: id });
    expect(sn.incidents.size).toBe(1);
    expect(sn.incidents.get(id)?.state).toBe('1');
  });

  it('fails on a bad password without showing it or its base64', async () => {
    const result = await connector({ password: 'wrong-password-1' }).deliver(deskEvent('opened'), deliveryContext());
    expect(result.kind).toBe('failed');
    const reason = (result as { reason: string }).reason;
    expect(reason).toContain('HTTP 401');
    expect(reason).toContain('User Not Authenticated');
    expect(reason).not.toContain('wrong-password-1');
    expect(reason).not.toContain(Buffer.from(`${SN_USER.username}:wrong-password-1`).toString('base64'));
  });

  it('answers 429 with Retry-After and 503 retryable', async () => {
    const c = connector();
    sn.failNext(isCreate, { status: 429, body: { error: { message: 'Rate limit exceeded' } }, headers: { 'retry-after': '12' } });
    expect(await c.deliver(deskEvent('opened'), deliveryContext())).toMatchObject({ kind: 'retryable', retryAfterMs: 12_000 });
    sn.failNext(isCreate, { status: 503, body: '<html>Instance hibernating</html>' });
    expect((await c.deliver(deskEvent('opened'), deliveryContext())).kind).toBe('retryable');
    expect(sn.incidents.size).toBe(0);
  });

  it('fails a 400 with a redacted excerpt', async () => {
    sn.failNext(isCreate, { status: 400, body: { error: { message: 'Invalid value', detail: `for ${SN_USER.password} / ${basic}` }, status: 'failure' } });
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result.kind).toBe('failed');
    const reason = (result as { reason: string }).reason;
    expect(reason).toMatch(/HTTP 400.*Invalid value/);
    expect(reason).not.toContain(SN_USER.password);
    expect(reason).not.toContain(basic);
  });

  it('fails a write the instance refuses for a missing mandatory field', async () => {
    const result = await connector().deliver(deskEvent('opened', { title: '   ' }), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed' });
    expect((result as { reason: string }).reason).toMatch(/HTTP 403.*Short description is mandatory/);
  });

  it('fails HTML on a 200', async () => {
    sn.failNext((r) => r.method === 'GET', { status: 200, body: '<html><head><title>ServiceNow</title></head><body>Log in</body></html>' });
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject({ kind: 'failed' });
    expect((result as { reason: string }).reason).toMatch(/incident search: expected a JSON answer/);
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
