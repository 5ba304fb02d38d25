// A ticket's life through the real collector: an agent's batch over a real WebSocket breaches a rule, the ticket
// appears in the API, a person acknowledges it, gives a plan and resolves it; the alert and ticket points reach
// the point sink through the outbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { loadRules, parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { ADMIN_KEY, RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { hello, openAgent, type TestAgent } from '../../helpers/agent-client.js';
import { until } from '../../helpers/until.js';

const AUTH = { authorization: `Bearer ${ADMIN_KEY}` };
const RULES = parseRules('rules: [ { id: disk_space, for: 0s } ]', 'test-rules.yaml', loadRules());

let collector: TestCollector;
let agent: TestAgent;
const sink = new RecordingSink();
let seq = 0;

function diskBatch(usedPercent: number): watchpost.v1.IEnvelope {
  seq += 1;
  const sample = { measurement: 'disk', timeMs: Date.now(), tags: [{ key: 'path', value: '/srv' }], fields: [{ key: 'used_percent', float: usedPercent }] };
  return { batch: { seq, samples: [sample] } };
}

async function send(usedPercent: number): Promise<void> {
  const envelope = diskBatch(usedPercent);
  agent.send(envelope);
  await agent.next((e) => e.ack?.seq === envelope.batch!.seq);
}

beforeAll(async () => {
  collector = await startCollector({ sink, rules: () => RULES });
  const { credential } = collector.enroll('acme', 'test-host');
  agent = await openAgent(collector.wsUrl, credential);
  agent.send(hello());
  await agent.next((e) => e.welcome != null);
});
afterAll(async () => {
  agent.socket.close();
  await collector.close();
});

const api = (method: 'GET' | 'POST', url: string, payload?: object) => collector.app.inject({ method, url, headers: AUTH, ...(payload ? { payload } : {}) });

describe('tickets over the API', () => {
  it('breach -> open ticket -> ack -> plan -> resolve, with the acting key and the SLA clocks recorded', async () => {
    await send(97);
    const list = (await api('GET', '/api/v1/tickets?status=open')).json() as { tickets: Array<{ id: number; priority: string; ruleId: string; host: string }> };
    expect(list.tickets).toHaveLength(1);
    const [ticket] = list.tickets;
    expect(ticket).toMatchObject({ ruleId: 'disk_space', host: 'test-host', priority: 'P2' });

    const alerts = (await api('GET', '/api/v1/alerts?state=firing')).json() as { alerts: Array<{ ruleId: string; instance: string; ticketed: boolean }> };
    expect(alerts.alerts).toEqual([expect.objectContaining({ ruleId: 'disk_space', instance: '/srv', ticketed: true })]);

    const acked = await api('POST', `/api/v1/tickets/${ticket!.id}/ack`);
    expect(acked.statusCode).toBe(200);
    expect(acked.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'bootstrap' });
    const planned = await api('POST', `/api/v1/tickets/${ticket!.id}/plan`, { plan: 'move logs to the archive volume' });
    expect(planned.statusCode).toBe(200);
    expect((await api('POST', `/api/v1/tickets/${ticket!.id}/notes`, { text: 'customer informed' })).statusCode).toBe(200);
    const resolved = await api('POST', `/api/v1/tickets/${ticket!.id}/resolve`, { note: 'logs moved' });
    expect(resolved.json()).toMatchObject({ status: 'resolved', resolvedBy: 'bootstrap' });

    const detail = (await api('GET', `/api/v1/tickets/${ticket!.id}`)).json() as {
      events: Array<{ kind: string; detail: string }>;
      sla: Array<{ target: string; standing: string }>;
    };
    expect(detail.events.map((e) => e.kind)).toEqual(['opened', 'acknowledged', 'plan', 'note', 'resolved']);
    expect(detail.events.find((e) => e.kind === 'plan')!.detail).toBe('move logs to the archive volume');
    expect(Object.fromEntries(detail.sla.map((c) => [c.target, c.standing]))).toEqual({ respond: 'met', plan: 'met', resolve: 'met' });

    // The transitions reach the sink (InfluxDB) through the outbox, within the shipper's interval.
    await until(() => sink.lines.flat().some((l) => l.startsWith('tickets,') && l.includes('event=resolved')), 10_000, 'the resolved ticket point');
    const shipped = sink.lines.flat();
    expect(shipped.find((l) => l.startsWith('tickets,') && l.includes('event=resolved'))).toMatch(/open_seconds=\d+i/);
    expect(shipped.some((l) => l.startsWith('alerts,') && l.includes('event=firing') && l.includes('rule=disk_space'))).toBe(true);
    expect(collector.store.influxOutbox.size()).toBe(0);
  });

  it('refuses actions on a resolved or unknown ticket, and a plan without text', async () => {
    const [resolved] = ((await api('GET', '/api/v1/tickets?status=resolved')).json() as { tickets: Array<{ id: number }> }).tickets;
    expect((await api('POST', `/api/v1/tickets/${resolved!.id}/ack`)).json()).toMatchObject({ error: 'ticket_resolved' });
    expect((await api('POST', '/api/v1/tickets/999999/resolve')).statusCode).toBe(404);
    await send(50);
    await send(98); // fires again: the resolved ticket reopens (reopen_window)
    const [open] = ((await api('GET', '/api/v1/tickets?status=open')).json() as { tickets: Array<{ id: number; reopenCount: number }> }).tickets;
    expect(open).toMatchObject({ id: resolved!.id, reopenCount: 1 });
    expect((await api('POST', `/api/v1/tickets/${open!.id}/plan`, { plan: '' })).statusCode).toBe(400);
    expect((await collector.app.inject({ method: 'POST', url: `/api/v1/tickets/${open!.id}/ack` })).statusCode).toBe(401);
  });

  it('priority with a reason, resolve while the alert still fires (a warning), reopen with a reason: a new response obligation', async () => {
    const [ticket] = ((await api('GET', '/api/v1/tickets?status=open')).json() as { tickets: Array<{ id: number; reopenCount: number }> }).tickets;
    const id = ticket!.id;
    expect((await api('POST', `/api/v1/tickets/${id}/priority`, { priority: 'P4' })).statusCode).toBe(400);
    expect((await api('POST', `/api/v1/tickets/${id}/priority`, { priority: 'P5', reason: 'x' })).statusCode).toBe(400);
    expect((await api('POST', `/api/v1/tickets/${id}/priority`, { priority: 'P4', reason: '   ' })).statusCode).toBe(400);
    const lowered = await api('POST', `/api/v1/tickets/${id}/priority`, { priority: 'P4', reason: 'test volume' });
    expect(lowered.statusCode).toBe(200);
    expect(lowered.json()).toMatchObject({ priority: 'P4' });
    expect((await api('POST', `/api/v1/tickets/${id}/reopen`, { reason: 'x' })).json()).toMatchObject({ error: 'ticket_not_resolved' });
    expect((await api('POST', `/api/v1/tickets/${id}/ack`)).json()).toMatchObject({ acknowledgedBy: 'bootstrap' });

    // /srv is at 98 %: the alert still fires.
    const resolved = await api('POST', `/api/v1/tickets/${id}/resolve`, { note: 'archived the logs' });
    expect(resolved.statusCode).toBe(200);
    const body = resolved.json() as { status: string; warning: string; stillFiring: { instances: Array<{ instance: string }>; reopensAt: string } };
    expect(body.status).toBe('resolved');
    expect(body.warning).toMatch(/^the alert is still firing \(.+\); the ticket reopens at \S+Z if it still fires then$/);
    expect(body.stillFiring.instances).toEqual([expect.objectContaining({ instance: '/srv' })]);
    expect(Date.parse(body.stillFiring.reopensAt)).toBeGreaterThan(Date.now());
    expect((await api('POST', `/api/v1/tickets/${id}/priority`, { priority: 'P1', reason: 'x' })).json()).toMatchObject({ error: 'ticket_resolved' });
    expect((await api('POST', `/api/v1/tickets/${id}/reopen`, {})).statusCode).toBe(400);

    const reopened = await api('POST', `/api/v1/tickets/${id}/reopen`, { reason: 'customer still sees errors' });
    expect(reopened.statusCode).toBe(200);
    const t = reopened.json() as { status: string; priority: string; acknowledgedBy: string | null; reopenCount: number; sla: Array<{ standing: string }> };
    expect(t).toMatchObject({ status: 'open', priority: 'P4', acknowledgedBy: null, acknowledgedAt: null, reopenCount: ticket!.reopenCount + 1 });
    expect(t.sla.map((c) => c.standing)).toEqual(['ok', 'ok', 'ok']);
    const events = ((await api('GET', `/api/v1/tickets/${id}`)).json() as { events: Array<{ kind: string; detail: string }> }).events;
    expect(events.slice(-4).map((e) => [e.kind, e.detail])).toEqual([
      ['deescalated', 'priority P2 -> P4 by bootstrap: test volume'],
      ['acknowledged', 'acknowledged by bootstrap'],
      ['resolved', 'archived the logs'],
      ['reopened', 'reopened by bootstrap: customer still sees errors; priority P4 kept (set by bootstrap: test volume)'],
    ]);
  });
});
