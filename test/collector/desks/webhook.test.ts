// The webhook connector against a real local HTTP endpoint: payload shape, signature a receiver can verify,
// idempotency key, and how answers are classified.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhook } from '../../../collector/src/desks/connectors/webhook.js';
import { deliveryContext, deskEvent } from './events.js';
import { startReceiver, type Receiver } from './receiver.js';

const SECRET = 'webhook-secret-0123456789abcdef';
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const connector = () =>
  webhook.create(
    { url: `${receiver.url}/hook`, secret: SECRET, headers: { 'x-api-key': 'receiver-key' } },
    { fetch, now: () => Date.parse('2026-11-23T09:06:00Z') },
  );

describe('webhook connector', () => {
  it('posts an Alertmanager-shaped payload with the ticket, signed with HMAC-SHA256 over timestamp.body', async () => {
    receiver.answer = () => ({ status: 204 });
    const event = deskEvent('opened');
    expect(await connector().deliver(event, deliveryContext())).toEqual({ kind: 'ok' });
    const req = receiver.received.at(-1)!;
    expect(req).toMatchObject({ method: 'POST', path: '/hook' });
    expect(req.headers).toMatchObject({
      'content-type': 'application/json',
      'x-api-key': 'receiver-key',
      'x-watchpost-event': 'opened',
      'idempotency-key': `watchpost-event-${event.id}`,
    });
    const timestamp = req.headers['x-watchpost-timestamp'] as string;
    expect(timestamp).toBe(String(Date.parse('2026-11-23T09:06:00Z') / 1000));
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${req.body}`).digest('hex')}`;
    expect(req.headers['x-watchpost-signature']).toBe(expected);
    const body = JSON.parse(req.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'firing',
      event: 'opened',
      fingerprint: 'watchpost-acme-42',
      labels: { tenant: 'acme', host: 'srv1', rule: 'disk_space', priority: 'P2', urgency: 'medium', impact: 'high' },
      annotations: { title: 'Disk space low on srv1' },
      startsAt: '2026-11-23T09:05:00.000Z',
      endsAt: '0001-01-01T00:00:00Z',
    });
    expect((body.ticket as { sla: unknown[] }).sla).toEqual([
      { target: 'respond', dueAt: '2026-11-23T09:17:00.000Z', metAt: null },
      { target: 'resolve', dueAt: '2026-11-23T17:05:00.000Z', metAt: null },
    ]);
  });

  it('marks a resolved event resolved with its end time', async () => {
    receiver.answer = () => ({ status: 200, body: '{}' });
    await connector().deliver(deskEvent('resolved'), deliveryContext());
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject({ status: 'resolved', event: 'resolved', endsAt: '2026-11-23T10:05:00.000Z' });
  });

  it.each([
    [
      { status: 429, headers: { 'retry-after': '30' }, body: 'slow down' },
      { kind: 'retryable', retryAfterMs: 30_000 },
    ],
    [{ status: 503, body: 'maintenance' }, { kind: 'retryable' }],
    [{ status: 400, body: `{"error":"bad key ${SECRET}"}` }, { kind: 'failed' }],
  ] as const)('classifies %j', async (answer, expected) => {
    receiver.answer = () => answer;
    const result = await connector().deliver(deskEvent('opened'), deliveryContext());
    expect(result).toMatchObject(expected);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).toContain(`HTTP ${answer.status}`);
  });

  it('a dropped connection or a dead port is retryable', async () => {
    receiver.answer = () => 'drop';
    expect((await connector().deliver(deskEvent('opened'), deliveryContext())).kind).toBe('retryable');
    const dead = webhook.create({ url: 'http://127.0.0.1:1/hook' }, { fetch, now: Date.now });
    expect((await dead.deliver(deskEvent('opened'), deliveryContext())).kind).toBe('retryable');
  });
});
