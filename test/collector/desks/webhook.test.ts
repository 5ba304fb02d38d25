// The webhook connector against a real local HTTP endpoint: the body decoded as Alertmanager's webhook message
// (notify/webhook/webhook.go Message, template/template.go Data and Alert in prometheus/alertmanager), the
// fingerprint checked against the vectors of prometheus/common and Alertmanager's own tests, a signature a receiver
// can verify, the idempotency key, and how answers are classified.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goQuote, labelSetString, labelsFingerprint, rfc3339, webhook, ZERO_TIME } from '../../../collector/src/desks/connectors/webhook.js';
import type { DeskEvent } from '../../../collector/src/desks/contract.js';
import { deliveryContext, deskEvent, OPENED_AT } from './events.js';
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

// ---- A strict decoder of Alertmanager's webhook message, written from its Go types ----
// Go's encoding/json fails on a value of the wrong type (a number where a string belongs, a time that is not
// RFC 3339) and ignores unknown keys (Watchpost's `watchpost` object). It is stricter than Go in one way: every
// field Alertmanager always writes must be present, since a missing one would decode to a zero value silently.

type KV = Record<string, string>;
interface AmAlert {
  status: string;
  labels: KV;
  annotations: KV;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}
interface AmMessage {
  version: string;
  groupKey: string;
  truncatedAlerts: number;
  receiver: string;
  status: string;
  alerts: AmAlert[];
  notification_reason: string;
  groupLabels: KV;
  commonLabels: KV;
  commonAnnotations: KV;
  routeLabels: KV;
  externalURL: string;
}

/** time.Time's UnmarshalJSON: RFC 3339, fraction of up to 9 digits, Z or a numeric offset, a real date. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** Prometheus label names (model.LabelName legacy validation). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function field(o: Record<string, unknown>, key: string, where: string): unknown {
  if (!Object.hasOwn(o, key)) throw new Error(`${where}.${key}: missing`);
  return o[key];
}
function str(o: Record<string, unknown>, key: string, where: string): string {
  const v = field(o, key, where);
  if (typeof v !== 'string') throw new Error(`${where}.${key}: want string, got ${JSON.stringify(v)}`);
  return v;
}
function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where}: want object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}
function kv(o: Record<string, unknown>, key: string, where: string, names = false): KV {
  const m = obj(field(o, key, where), `${where}.${key}`);
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') throw new Error(`${where}.${key}.${k}: want string, got ${JSON.stringify(v)}`);
    if (names && !LABEL_NAME.test(k)) throw new Error(`${where}.${key}: invalid label name ${k}`);
  }
  return m as KV;
}
function time(o: Record<string, unknown>, key: string, where: string): string {
  const v = str(o, key, where);
  if (!RFC3339.test(v) || Number.isNaN(Date.parse(v))) throw new Error(`${where}.${key}: not RFC 3339: ${v}`);
  return v;
}

function decodeAlert(v: unknown, where: string): AmAlert {
  const o = obj(v, where);
  const alert = {
    status: str(o, 'status', where),
    labels: kv(o, 'labels', where, true),
    annotations: kv(o, 'annotations', where),
    startsAt: time(o, 'startsAt', where),
    endsAt: time(o, 'endsAt', where),
    generatorURL: str(o, 'generatorURL', where),
    fingerprint: str(o, 'fingerprint', where),
  };
  if (alert.status !== 'firing' && alert.status !== 'resolved') throw new Error(`${where}.status: ${alert.status}`);
  if (!/^[0-9a-f]{16}$/.test(alert.fingerprint)) throw new Error(`${where}.fingerprint: not 16 hex digits: ${alert.fingerprint}`);
  if (!alert.labels.alertname) throw new Error(`${where}.labels.alertname: missing`);
  return alert;
}

function decodeMessage(body: string): AmMessage {
  const o = obj(JSON.parse(body), 'message');
  const truncated = field(o, 'truncatedAlerts', 'message');
  if (!Number.isSafeInteger(truncated) || (truncated as number) < 0) throw new Error(`message.truncatedAlerts: want uint64, got ${String(truncated)}`);
  const alerts = field(o, 'alerts', 'message');
  if (!Array.isArray(alerts)) throw new Error('message.alerts: want array');
  return {
    version: str(o, 'version', 'message'),
    groupKey: str(o, 'groupKey', 'message'),
    truncatedAlerts: truncated as number,
    receiver: str(o, 'receiver', 'message'),
    status: str(o, 'status', 'message'),
    alerts: alerts.map((a, i) => decodeAlert(a, `message.alerts[${i}]`)),
    notification_reason: str(o, 'notification_reason', 'message'),
    groupLabels: kv(o, 'groupLabels', 'message', true),
    commonLabels: kv(o, 'commonLabels', 'message', true),
    commonAnnotations: kv(o, 'commonAnnotations', 'message'),
    routeLabels: kv(o, 'routeLabels', 'message', true),
    externalURL: str(o, 'externalURL', 'message'),
  };
}

/** FNV-1a 64 in two 32-bit halves (no BigInt), over label names in order, name and value each followed by 0xff:
 *  a second implementation of prometheus/common's labelSetToFingerprint to check the message against. */
function fingerprintByHalves(labels: KV): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const bytes: number[] = [];
  for (const name of Object.keys(labels).sort()) bytes.push(...new TextEncoder().encode(name), 0xff, ...new TextEncoder().encode(labels[name]), 0xff);
  for (const b of bytes) {
    lo = (lo ^ b) >>> 0;
    // times 2^40 + 0x1b3, mod 2^64: the 2^40 part moves lo's low 24 bits into hi
    const low = lo * 0x1b3;
    const high = hi * 0x1b3 + Math.floor(low / 0x100000000) + ((lo << 8) >>> 0);
    lo = low >>> 0;
    hi = high >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** What Alertmanager guarantees of every message it sends, checked on a decoded one. */
function expectAlertmanagerInvariants(m: AmMessage) {
  expect(m.version).toBe('4');
  expect(m.truncatedAlerts).toBe(0);
  expect(m.alerts.length).toBeGreaterThan(0);
  for (const a of m.alerts) {
    expect(a.fingerprint).toBe(fingerprintByHalves(a.labels));
    // alert.Alerts() zeroes the end of an alert still firing; a resolved one has ended
    if (a.status === 'firing') expect(a.endsAt).toBe('0001-01-01T00:00:00Z');
    else expect(Date.parse(a.endsAt)).toBeGreaterThanOrEqual(Date.parse(a.startsAt));
    expect(a.labels).toMatchObject(m.groupLabels);
  }
  expect(m.status).toBe(m.alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'firing');
  // aggrGroup.GroupKey(): "<route key>:<group labels>"; the values here are plain ASCII, where %q and JSON agree
  const labels = Object.keys(m.groupLabels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(m.groupLabels[k])}`);
  expect(m.groupKey).toBe(`{}:{${labels.join(', ')}}`);
}

async function send(event: DeskEvent): Promise<{ body: string; message: AmMessage; extra: Record<string, unknown> }> {
  expect(await connector().deliver(event, deliveryContext())).toEqual({ kind: 'ok' });
  const body = receiver.received.at(-1)!.body;
  const message = decodeMessage(body);
  expectAlertmanagerInvariants(message);
  return { body, message, extra: JSON.parse(body) as Record<string, unknown> };
}

describe('webhook connector', () => {
  it("posts Alertmanager's version 4 message, signed with HMAC-SHA256 over timestamp.body", async () => {
    receiver.answer = () => ({ status: 204 });
    const event = deskEvent('opened');
    const { message, extra } = await send(event);
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

    const labels = { alertname: 'disk_space', tenant: 'acme', instance: 'srv1', watchpost_ticket: 'watchpost-acme-42' };
    const annotations = {
      summary: 'Disk space low on srv1',
      description: '/data used_percent 96.5 (critical above 95)',
      severity: 'error',
      priority: 'P2',
      urgency: 'medium',
      impact: 'high',
    };
    expect(message).toEqual({
      version: '4',
      groupKey: '{}:{alertname="disk_space", instance="srv1", tenant="acme", watchpost_ticket="watchpost-acme-42"}',
      truncatedAlerts: 0,
      receiver: 'watchpost',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations,
          startsAt: '2026-11-23T09:05:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: fingerprintByHalves(labels),
        },
      ],
      notification_reason: 'first notification',
      groupLabels: labels,
      commonLabels: labels,
      commonAnnotations: annotations,
      routeLabels: {},
      externalURL: '',
    });
    expect(extra.watchpost).toMatchObject({ event: 'opened', eventId: event.id, detail: 'opened detail', ticket: { id: 42, status: 'open' } });
    expect((extra.watchpost as { ticket: { sla: unknown[] } }).ticket.sla).toEqual([
      { target: 'respond', dueAt: '2026-11-23T09:17:00Z', metAt: null },
      { target: 'resolve', dueAt: '2026-11-23T17:05:00Z', metAt: null },
    ]);
  });

  it('marks a resolved event resolved with its end time', async () => {
    receiver.answer = () => ({ status: 200, body: '{}' });
    const { message, extra } = await send(deskEvent('resolved'));
    expect(message).toMatchObject({ status: 'resolved', notification_reason: 'all alerts resolved' });
    expect(message.alerts[0]).toMatchObject({ status: 'resolved', startsAt: '2026-11-23T09:05:00Z', endsAt: '2026-11-23T10:05:00Z' });
    expect(extra.watchpost).toMatchObject({ event: 'resolved', ticket: { status: 'resolved', resolvedAt: '2026-11-23T10:05:00Z' } });
  });

  it("keeps one ticket one alert: the same fingerprint and groupKey from opening through escalation to resolution, another ticket's differ", async () => {
    receiver.answer = () => ({ status: 200, body: '{}' });
    const opened = (await send(deskEvent('opened'))).message;
    const escalated = (await send(deskEvent('escalated', { priority: 'P1', urgency: 'high' }, 'priority P2 -> P1: disk full soon'))).message;
    const acknowledged = (await send(deskEvent('acknowledged', { status: 'acknowledged' }))).message;
    const resolved = (await send(deskEvent('resolved'))).message;
    const reopened = (await send(deskEvent('reopened', { reopenCount: 1 }))).message;
    const other = (await send(deskEvent('opened', { id: 43, correlationKey: 'watchpost-acme-43' }))).message;

    const ids = (m: AmMessage) => ({ fingerprint: m.alerts[0]!.fingerprint, groupKey: m.groupKey });
    for (const m of [escalated, acknowledged, resolved, reopened]) expect(ids(m)).toEqual(ids(opened));
    expect(other.alerts[0]!.fingerprint).not.toBe(opened.alerts[0]!.fingerprint);
    expect(other.groupKey).not.toBe(opened.groupKey);

    expect([opened, escalated, acknowledged, resolved, reopened].map((m) => [m.status, m.notification_reason])).toEqual([
      ['firing', 'first notification'],
      ['firing', 'repeat interval elapsed'],
      ['firing', 'repeat interval elapsed'],
      ['resolved', 'all alerts resolved'],
      ['firing', 'first notification'],
    ]);
    // the escalation shows in the annotations, which are not part of the alert's identity
    expect(escalated.alerts[0]!.annotations).toMatchObject({ severity: 'critical', priority: 'P1', urgency: 'high' });
    expect(reopened.alerts[0]!.endsAt).toBe(ZERO_TIME);
  });

  it.each([
    // prometheus/common model/signature_test.go TestMetricToFingerprint (decimal there)
    [{}, BigInt('14695981039346656037').toString(16).padStart(16, '0')],
    [{ name: 'garland, briggs', fear: 'love is not enough' }, BigInt('5799056148416392346').toString(16).padStart(16, '0')],
    // prometheus/common model/signature_test.go TestSignatureForLabels: the label "empty" with no value
    [{ empty: '' }, BigInt('7187873163539638612').toString(16).padStart(16, '0')],
    // prometheus/alertmanager template/template_test.go TestData: Fingerprint as the webhook sends it
    [{ severity: 'warning', job: 'foo' }, '9266ef3da838ad95'],
    [{ severity: 'critical', job: 'foo' }, '3b15fd163d36582e'],
    [{ severity: 'critical', job: 'bar' }, 'c7e68cb08e3e67f9'],
  ])('fingerprints %j as Alertmanager does: %s', (labels: Record<string, string>, fingerprint) => {
    expect(labelsFingerprint(labels)).toBe(fingerprint);
    expect(fingerprintByHalves(labels)).toBe(fingerprint);
  });

  it('fingerprints non-ASCII labels by their UTF-8 bytes, names in byte order', () => {
    const labels = { alertname: 'disk_space', tenant: 'Müller & Söhne', zz: '☺', Z: 'upper before lower' };
    expect(labelsFingerprint(labels)).toBe(fingerprintByHalves(labels));
  });

  it('writes the groupKey as Alertmanager does: LabelSet.String() with Go-quoted values', () => {
    // prometheus/alertmanager dispatch/dispatch_test.go: GroupKey "{}/{env=\"testing\"}:{alertname=\"TestingAlert\", service=\"api\"}"
    expect(labelSetString({ service: 'api', alertname: 'TestingAlert' })).toBe('{alertname="TestingAlert", service="api"}');
    expect(labelSetString({})).toBe('{}');
    // golang/go src/strconv/quote_test.go quotetests (Quote column; invalid UTF-8 cannot occur in a JS string)
    expect(goQuote('\x07\b\f\r\n\t\v')).toBe('"\\a\\b\\f\\r\\n\\t\\v"');
    expect(goQuote('\\')).toBe('"\\\\"');
    expect(goQuote('\u263a')).toBe('"☺"');
    expect(goQuote('\u{10ffff}')).toBe('"\\U0010ffff"');
    expect(goQuote('\x04')).toBe('"\\x04"');
    expect(goQuote('!\u00a0!\u2000!\u3000!')).toBe('"!\\u00a0!\\u2000!\\u3000!"');
    expect(goQuote('say "hi"')).toBe('"say \\"hi\\""');
    // a lone surrogate reaches Go as U+FFFD, which Quote leaves as it is (quoterunetests: 0xfffd)
    expect(goQuote('a\ud800')).toBe('"a\ufffd"');
  });

  it("writes times as Go's encoding/json writes a UTC time.Time", () => {
    expect(rfc3339(Date.UTC(2020, 0, 1))).toBe('2020-01-01T00:00:00Z'); // notify/webhook/webhook_test.go's StartsAt
    expect(rfc3339(OPENED_AT + 500)).toBe('2026-11-23T09:05:00.5Z');
    expect(rfc3339(OPENED_AT + 123)).toBe('2026-11-23T09:05:00.123Z');
    expect(rfc3339(OPENED_AT + 10)).toBe('2026-11-23T09:05:00.01Z');
  });

  it('has no desk test: every request to a webhook is a delivery the receiver acts on', () => {
    expect(connector().test).toBeUndefined();
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
