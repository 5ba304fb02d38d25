// Generic webhook: one JSON POST per ticket event carrying Alertmanager's webhook message (version "4", as
// notify/webhook/webhook.go in prometheus/alertmanager sends it: the template.Data fields plus version, groupKey and
// truncatedAlerts), so a receiver written for Alertmanager decodes one alert per message: firing while the ticket
// is open or acknowledged, resolved when it is resolved. Watchpost's own view of the event and the ticket rides
// along in a top-level `watchpost` object, which Alertmanager's decoders ignore (Go's encoding/json skips unknown
// keys).
//
// The alert's identity is its label set: alertname (the rule id), tenant, instance (the host) and watchpost_ticket
// (the ticket's correlation key). All four stay fixed for the life of the ticket, reopenings included, so every
// event of one ticket carries the same fingerprint and groupKey, and a receiver that deduplicates on either keeps
// one incident per ticket. Priority, severity, urgency and impact are annotations, not labels: a ticket is
// escalated and de-escalated while it is open, and a label that changes changes the fingerprint, which a receiver
// takes for a new alert while the old one never resolves. Each message is its own group of one alert
// (group_by: ['...'] on the root route): groupLabels and commonLabels are the alert's labels, commonAnnotations
// its annotations, truncatedAlerts 0. receiver is "watchpost"; externalURL and generatorURL are empty, there being
// no Alertmanager or Prometheus page to link back to.
//
// Signed with HMAC-SHA256 over "<timestamp>.<body>" (the timestamp header makes a captured request useless to
// replay later); Idempotency-Key is the event's id, stable across retries. Resolved events are always sent,
// whatever the route's event filter says: a receiver that never hears the resolution keeps a stale incident open
// forever. There is no desk test (Connector.test): a webhook has no harmless call, any request to it is a
// delivery the receiver acts on, so the only check is a real event.
import { createHmac } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorType, DeskEvent, DeskTicket } from '../contract.js';
import { request } from '../http.js';

const Settings = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'where to POST', examples: ['https://automation.example.net/hooks/watchpost'] }),
    secret: Type.Optional(
      Type.String({
        minLength: 16,
        description: 'HMAC-SHA256 key for X-Watchpost-Signature (write it as ${ENV_VAR})',
        examples: ['${WATCHPOST_WEBHOOK_SECRET}'],
      }),
    ),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'extra request headers (e.g. an API key of the receiver)' })),
  },
  { additionalProperties: true },
);
export type WebhookSettings = Static<typeof Settings>;

/** Alertmanager's template.Alert as JSON. */
export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's webhook Message as JSON (template.Data embedded, then version, groupKey, truncatedAlerts), plus
 *  Watchpost's `watchpost` object. */
export interface AlertmanagerMessage {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  routeLabels: Record<string, string>;
  externalURL: string;
  notification_reason: string;
  alerts: AlertmanagerAlert[];
  watchpost: { event: DeskEvent['kind']; eventId: number; at: string; detail: string; ticket: object };
}

/** The receiver name Alertmanager would put in `receiver` (the name of its receiver configuration). */
export const RECEIVER = 'watchpost';

/** Go's zero time.Time as encoding/json writes it: Alertmanager's endsAt of a firing alert. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Severity from priority, on the four-step scale receivers commonly take (PagerDuty's Events API). */
const SEVERITY: Record<DeskTicket['priority'], string> = { P1: 'critical', P2: 'error', P3: 'warning', P4: 'info' };

/** A time as Go's encoding/json writes a UTC time.Time (RFC 3339, fraction without trailing zeros, none if 0). */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;
/** prometheus/common model.SeparatorByte: cannot occur in UTF-8, so "a"+"bc" and "ab"+"c" hash differently. */
const SEPARATOR_BYTE = 0xff;

/**
 * Alertmanager's alert fingerprint: model.LabelSet.Fingerprint() of prometheus/common (labelSetToFingerprint),
 * FNV-1a 64 over the label names in byte order, each name then its value as UTF-8, each followed by the byte 0xff;
 * written as Fingerprint.String() does, 16 lowercase hex digits.
 */
export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
  const names = Object.keys(labels)
    .map((name) => ({ name, bytes: utf8(name) }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  let hash = FNV64_OFFSET;
  const add = (bytes: Iterable<number>): void => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * FNV64_PRIME) & MASK64;
  };
  for (const { name, bytes } of names) {
    add(bytes);
    add([SEPARATOR_BYTE]);
    add(utf8(labels[name]!));
    add([SEPARATOR_BYTE]);
  }
  return hash.toString(16).padStart(16, '0');
}

const GO_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};
const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's strconv.Quote: printable characters as they are, the rest escaped (\n, \x1f, \u00a0, \U0010ffff); a lone
 *  surrogate becomes U+FFFD, as it reaches Go. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (GO_ESCAPES[ch]) out += GO_ESCAPES[ch];
    else if (code >= 0xd800 && code <= 0xdfff) out += '\ufffd';
    else if (GO_PRINTABLE.test(ch)) out += ch;
    else if (code < 0x80) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** model.LabelSet.String(): `{a="x", b="y"}`, names in byte order, values Go-quoted. */
export function labelSetString(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${names.map((name) => `${name}=${goQuote(labels[name]!)}`).join(', ')}}`;
}

/** The alert's labels: the ticket's identity, fixed for its life (see the header). */
export function alertLabels(t: DeskTicket): Record<string, string> {
  return { alertname: t.ruleId, tenant: t.tenant, instance: t.host, watchpost_ticket: t.correlationKey };
}

/** Alertmanager's notification_reason for the event: the reason its dedup stage would give for sending it. A ticket
 *  opened or reopened is a group firing after none was (the first notification); a resolved ticket is all alerts
 *  resolved; any other event re-sends a group whose alerts did not change, which Alertmanager only does when the
 *  repeat interval elapsed. */
function notificationReason(event: DeskEvent, resolved: boolean): string {
  if (resolved) return 'all alerts resolved';
  return event.kind === 'opened' || event.kind === 'reopened' ? 'first notification' : 'repeat interval elapsed';
}

export function webhookPayload(event: DeskEvent): AlertmanagerMessage {
  const t = event.ticket;
  const resolved = t.status === 'resolved';
  const status = resolved ? 'resolved' : 'firing';
  const labels = alertLabels(t);
  const annotations = {
    summary: t.title,
    description: t.summary,
    severity: SEVERITY[t.priority],
    priority: t.priority,
    urgency: t.urgency,
    impact: t.impact,
  };
  return {
    version: '4',
    // Route key of the root route ({}) and the group's labels, as dispatch's aggrGroup.GroupKey() writes it.
    groupKey: `{}:${labelSetString(labels)}`,
    truncatedAlerts: 0,
    status,
    receiver: RECEIVER,
    groupLabels: { ...labels },
    commonLabels: { ...labels },
    commonAnnotations: { ...annotations },
    routeLabels: {},
    externalURL: '',
    notification_reason: notificationReason(event, resolved),
    alerts: [
      {
        status,
        labels,
        annotations,
        startsAt: rfc3339(t.openedAt),
        // Alertmanager hides the end of an alert still firing (Go's zero time); a resolved one ends when it resolved.
        endsAt: resolved ? rfc3339(t.resolvedAt ?? event.at) : ZERO_TIME,
        generatorURL: '',
        fingerprint: labelsFingerprint(labels),
      },
    ],
    watchpost: {
      event: event.kind,
      eventId: event.id,
      at: rfc3339(event.at),
      detail: event.detail,
      ticket: {
        ...t,
        openedAt: rfc3339(t.openedAt),
        resolvedAt: t.resolvedAt === null ? null : rfc3339(t.resolvedAt),
        sla: t.sla.map((c) => ({ ...c, dueAt: rfc3339(c.dueAt), metAt: c.metAt === null ? null : rfc3339(c.metAt) })),
      },
    },
  };
}

/** The signature header value: sha256=<hex HMAC of "<timestamp>.<body>">. Receivers recompute and compare. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export const webhook: ConnectorType<WebhookSettings> = {
  schema: Settings,
  alwaysSend: ['resolved'],
  create(settings, deps) {
    const secrets = settings.secret ? [settings.secret] : [];
    return {
      async deliver(event, ctx) {
        const body = JSON.stringify(webhookPayload(event));
        const timestamp = String(Math.floor(deps.now() / 1000));
        const headers: Record<string, string> = {
          ...settings.headers,
          'content-type': 'application/json',
          'idempotency-key': `watchpost-event-${event.id}`,
          'x-watchpost-event': event.kind,
          'x-watchpost-timestamp': timestamp,
          ...(settings.secret ? { 'x-watchpost-signature': webhookSignature(settings.secret, timestamp, body) } : {}),
        };
        const outcome = await request({ method: 'POST', url: settings.url, headers, body, signal: ctx.signal, fetch: deps.fetch, now: deps.now, secrets });
        return outcome.ok ? { kind: 'ok' } : outcome.result;
      },
    };
  },
};
