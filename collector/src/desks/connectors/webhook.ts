// Generic webhook: one JSON POST per ticket event, in the shape of Alertmanager's webhook (status, fingerprint,
// labels, annotations, startsAt/endsAt) so tools that take Alertmanager or Grafana alerts take these too, plus
// Watchpost's own ticket fields. Signed with HMAC-SHA256 over "<timestamp>.<body>" (the timestamp header makes a
// captured request useless to replay later); Idempotency-Key is the event's id, stable across retries.
// Resolved events are always sent, whatever the route's event filter says: a receiver that never hears the
// resolution keeps a stale incident open forever.
import { createHmac } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorType, DeskEvent } from '../contract.js';
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

const ZERO_TIME = '0001-01-01T00:00:00Z';
const iso = (ms: number | null): string => (ms === null ? ZERO_TIME : new Date(ms).toISOString());

export function webhookPayload(event: DeskEvent): object {
  const t = event.ticket;
  return {
    version: '1',
    status: t.status === 'resolved' ? 'resolved' : 'firing',
    event: event.kind,
    eventId: event.id,
    at: iso(event.at),
    detail: event.detail,
    fingerprint: t.correlationKey,
    groupKey: t.correlationKey,
    labels: { tenant: t.tenant, host: t.host, rule: t.ruleId, priority: t.priority, urgency: t.urgency, impact: t.impact },
    annotations: { title: t.title, summary: t.summary },
    startsAt: iso(t.openedAt),
    endsAt: iso(t.resolvedAt),
    ticket: {
      ...t,
      openedAt: iso(t.openedAt),
      resolvedAt: t.resolvedAt === null ? null : iso(t.resolvedAt),
      sla: t.sla.map((c) => ({ ...c, dueAt: iso(c.dueAt), metAt: c.metAt === null ? null : iso(c.metAt) })),
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
