// The dead-letter list as an MSP uses it, through the real collector: a desk refuses a ticket for good, the
// delivery shows up dead with the desk's reason (in the API and /metrics), the cause is fixed, retry delivers it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules, parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { parseDesks } from '../../../collector/src/desks/desks-file.js';
import { ADMIN_KEY, RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { hello, openAgent, type TestAgent } from '../../helpers/agent-client.js';
import { until } from '../../helpers/until.js';
import { startReceiver, type Receiver } from '../desks/receiver.js';

const AUTH = { authorization: `Bearer ${ADMIN_KEY}` };
let collector: TestCollector;
let agent: TestAgent;
let receiver: Receiver;
let refuse = true;

beforeAll(async () => {
  receiver = await startReceiver();
  receiver.answer = () => (refuse ? { status: 422, body: '{"error":"company ACME unknown"}' } : { status: 200, body: '{}' });
  const desks = parseDesks(`desks: { hook: { type: webhook, url: "${receiver.url}/in" } }\ndefault_desks: [ { desk: hook } ]`, 'desks.yaml', {});
  const rules = parseRules('rules: [ { id: disk_space, for: 0s } ]', 'rules.yaml', loadRules());
  collector = await startCollector({ sink: new RecordingSink(), rules: () => rules, desks: () => desks });
  agent = await openAgent(collector.wsUrl, collector.enroll().credential);
  agent.send(hello());
  await agent.next((e) => e.welcome != null);
});
afterAll(async () => {
  agent.socket.close();
  await collector.close();
  await receiver.close();
});

const api = (method: 'GET' | 'POST', url: string) => collector.app.inject({ method, url, headers: AUTH });
type Deliveries = { deliveries: Array<{ id: number; state: string; event: string; lastError: string | null; attempts: number }> };

/** A full disk on `path` raises a ticket whose delivery the desk refuses: the dead deliveries once it is dead. */
async function refusedDelivery(seq: number, path: string): Promise<Deliveries['deliveries']> {
  agent.send({
    batch: {
      seq,
      samples: [{ measurement: 'disk', timeMs: Date.now(), tags: [{ key: 'path', value: path }], fields: [{ key: 'used_percent', float: 99 }] }],
    },
  });
  let dead: Deliveries['deliveries'] = [];
  await until(
    async () => {
      dead = ((await api('GET', '/api/v1/desk-deliveries?state=dead')).json() as Deliveries).deliveries;
      return dead.length === 1;
    },
    10_000,
    `the refused delivery for ${path} to be dead-lettered`,
  );
  return dead;
}

describe('desk deliveries API', () => {
  it('shows a refused delivery as dead with the reason, and delivers it on retry', async () => {
    const dead = await refusedDelivery(1, '/');
    expect(dead[0]).toMatchObject({ event: 'opened', attempts: 1 });
    expect(dead[0]!.lastError).toContain('HTTP 422: {"error":"company ACME unknown"}');
    const metrics = (await collector.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/watchpost_desk_outbox\{desk="hook",state="dead"\} 1/);
    expect(metrics).toMatch(/watchpost_desk_deliveries_total\{desk="hook",result="dead"\} 1/);

    refuse = false;
    const retried = await api('POST', `/api/v1/desk-deliveries/${dead[0]!.id}/retry`);
    expect(retried.json()).toMatchObject({ state: 'pending' });
    await until(
      async () => ((await api('GET', '/api/v1/desk-deliveries?state=delivered')).json() as Deliveries).deliveries.length === 1,
      10_000,
      'the retried delivery',
    );
    expect(receiver.received).toHaveLength(2);
    const ticket = (await api('GET', `/api/v1/tickets/${(await api('GET', '/api/v1/tickets')).json().tickets[0].id}`)).json() as { desks: unknown[] };
    expect(ticket.desks).toEqual([]); // a webhook has no ticket of its own to point at
    expect((await api('POST', `/api/v1/desk-deliveries/${dead[0]!.id}/retry`)).statusCode).toBe(400); // no longer dead
    expect((await api('POST', '/api/v1/desk-deliveries/99999/retry')).statusCode).toBe(404);
  });

  it('discards a dead delivery the desk will never take, and not one that is not dead', async () => {
    refuse = true;
    const dead = await refusedDelivery(2, '/data');
    const discarded = await api('POST', `/api/v1/desk-deliveries/${dead[0]!.id}/discard`);
    expect(discarded.json()).toMatchObject({ state: 'discarded' });
    expect((discarded.json() as { lastError: string }).lastError).toMatch(/^discarded by .+ \(was: .*HTTP 422/);
    expect(((await api('GET', '/api/v1/desk-deliveries?state=discarded')).json() as Deliveries).deliveries.map((d) => d.id)).toEqual([dead[0]!.id]);
    expect((await api('POST', `/api/v1/desk-deliveries/${dead[0]!.id}/discard`)).statusCode).toBe(400);
    expect((await api('POST', `/api/v1/desk-deliveries/${dead[0]!.id}/retry`)).statusCode).toBe(400);
    expect((await api('POST', '/api/v1/desk-deliveries/99999/discard')).statusCode).toBe(404);
  });
});
