// The collector's own metrics, in a registry per app instance (tests build several apps in one process).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { RejectionReason } from './errors.js';

export interface CollectorMetrics {
  registry: Registry;
  pointsWritten: Counter;
  batchesAcked: Counter;
  batchesNotAcked: Counter<'reason'>;
  rejections: Counter<'reason'>;
  agentsConnected: Gauge;
  enrollments: Counter<'result'>;
  /** State-store calls on the agent path that failed (disk full, unwritable): logged, counted, and carried on. */
  storeErrors: Counter<'operation'>;
  reject(reason: RejectionReason, count?: number): void;
}

/** What the metrics read from the InfluxDB writer at scrape time. */
export interface SinkGauges {
  status(): { healthy: boolean; pending?: number };
}

/** Gauges read from the sink when Prometheus scrapes, so they are never stale. */
export function registerSinkGauges(metrics: CollectorMetrics, sink: SinkGauges): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'watchpost_influx_healthy',
    help: '1 while InfluxDB takes writes, 0 while the collector acks nothing',
    registers,
    collect() {
      this.set(sink.status().healthy ? 1 : 0);
    },
  });
  new Gauge({
    name: 'watchpost_influx_points_pending',
    help: 'Points queued for or in flight to InfluxDB',
    registers,
    collect() {
      this.set(sink.status().pending ?? 0);
    },
  });
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): CollectorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'watchpost_collector_' });
  const registers = [registry];
  const rejections = new Counter({
    name: 'watchpost_rejections_total',
    help: 'Frames, connections and samples refused, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  return {
    registry,
    pointsWritten: new Counter({ name: 'watchpost_points_written_total', help: 'Points accepted by InfluxDB', registers }),
    batchesAcked: new Counter({ name: 'watchpost_batches_acked_total', help: 'Agent batches acknowledged after the write', registers }),
    batchesNotAcked: new Counter({
      name: 'watchpost_batches_not_acked_total',
      help: 'Agent batches left unacknowledged (the agent keeps and resends them), by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    rejections,
    agentsConnected: new Gauge({ name: 'watchpost_agents_connected', help: 'Agents with an open WebSocket', registers }),
    enrollments: new Counter({ name: 'watchpost_enrollments_total', help: 'Enrollment attempts by result', labelNames: ['result'] as const, registers }),
    storeErrors: new Counter({
      name: 'watchpost_store_errors_total',
      help: 'State-store operations on the agent path that failed (SQLite full or unwritable); ingest carries on without them',
      labelNames: ['operation'] as const,
      registers,
    }),
    reject: (reason, count = 1) => rejections.inc({ reason }, count),
  };
}

/** What the metrics read from the alerting side at scrape time. */
export interface AlertingGauges {
  outboxPending(): number;
  outboxDropped(): number;
  alertsFiring(): number;
}

export function registerAlertingGauges(metrics: CollectorMetrics, source: AlertingGauges): void {
  const registers = [metrics.registry];
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge('watchpost_alert_points_pending', 'Alert and ticket points waiting in the outbox for InfluxDB', source.outboxPending);
  gauge('watchpost_alert_points_dropped', 'Alert and ticket points dropped because the outbox was full (since start)', source.outboxDropped);
  gauge('watchpost_alerts_firing', 'Alerts firing now', source.alertsFiring);
}

/** Service-desk delivery: a counter per attempt outcome, and the outbox by state read at scrape time. */
export function registerDeskMetrics(metrics: CollectorMetrics, counts: () => Array<{ desk: string; state: string; n: number }>) {
  const registers = [metrics.registry];
  const deliveries = new Counter({
    name: 'watchpost_desk_deliveries_total',
    help: 'Service-desk delivery attempts by desk and result (ok, retryable, dead)',
    labelNames: ['desk', 'result'] as const,
    registers,
  });
  new Gauge({
    name: 'watchpost_desk_outbox',
    help: 'Ticket events in the service-desk outbox by desk and state (pending, dead = the dead-letter list, delivered = kept history)',
    labelNames: ['desk', 'state'] as const,
    registers,
    collect() {
      this.reset();
      for (const { desk, state, n } of counts()) this.set({ desk, state }, n);
    },
  });
  return { delivered: (desk: string, result: string) => deliveries.inc({ desk, result }) };
}

/** Inbound polls of the service desks (desks/inbound/poll.ts): tickets read, and reads that failed (never applied). */
export function registerDeskPollMetrics(metrics: CollectorMetrics) {
  const polls = new Counter({
    name: 'watchpost_desk_polls_total',
    help: 'Service-desk ticket reads of the inbound poll by desk and result (read, failed)',
    labelNames: ['desk', 'result'] as const,
    registers: [metrics.registry],
  });
  return { polled: (desk: string, result: 'read' | 'failed') => polls.inc({ desk, result }) };
}
