// The monthly report's delivery schedule inside `serve`: a minute tick that mails each tenant's report once it is due
// (delivery.ts, decision there), from onReady to onClose. The core of the job lives here once: the overlap guard (a
// tick still sending when the next comes is not doubled), the check of each tenant's report desk against the desks
// file (at start, where a bad reference stops the collector naming the file and key, and again whenever the rules or
// the desks are reloaded, where it is logged and that tenant's report waits), error capture and the counter.
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import type { DeskSet } from '../desks/desks-file.js';
import { ConfigError } from '../errors.js';
import type { CollectorMetrics } from '../metrics.js';
import type { Store } from '../store/index.js';
import { deskProblems } from './delivery-terms.js';
import { deliverReport, dueMonth, expireOld, previousMonth, type DeliveryDeps, type DeliveryLog } from './delivery.js';
import { monthZone, parseMonth } from './month.js';
import { createPdfPrinter, type PdfPrinter } from './print.js';

/** How often due reports are looked for: the configured time is in minutes. */
export const REPORT_TICK_MS = 60_000;

export interface SchedulerDeps {
  store: Store;
  rules: () => RuleSet;
  desks: () => DeskSet;
  desksFile: string;
  log: DeliveryLog;
  now?: () => number;
  /** Default: the system's Chromium, started for a tick that mails a PDF and stopped after it. */
  printer?: PdfPrinter;
  publicUrl?: string;
  counted?: DeliveryDeps['counted'];
  random?: () => number;
  /** The report's other sources (InfluxDB), as the report routes get them. */
  report?: DeliveryDeps['report'];
}

export interface ReportScheduler {
  /** One pass over the tenants; resolves when it is done (a pass already running: at once). */
  tick(): Promise<void>;
  /** No pass starts after this; resolves when the one running (if any) is done. */
  stop(): Promise<void>;
}

/** `watchpost_report_deliveries_total{result}`: attempts to mail a monthly report, by result (sent, retryable, failed). */
export function registerReportDeliveryMetrics(metrics: CollectorMetrics): NonNullable<DeliveryDeps['counted']> {
  const counter = new Counter({
    name: 'watchpost_report_deliveries_total',
    help: 'Attempts to mail a monthly client report, by result (sent, retryable, failed)',
    labelNames: ['result'] as const,
    registers: [metrics.registry],
  });
  return (result) => counter.inc({ result });
}

export function createReportScheduler(deps: SchedulerDeps): ReportScheduler {
  const now = deps.now ?? Date.now;
  let checked: { rules: RuleSet; desks: DeskSet; problems: Map<string, string> } | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  /** The tenants whose desk cannot send; checked again, and logged, when the rules or the desks in force changed. */
  const problems = (tenants: readonly string[]): Map<string, string> => {
    const [rules, desks] = [deps.rules(), deps.desks()];
    if (checked?.rules !== rules || checked.desks !== desks) {
      checked = { rules, desks, problems: deskProblems(rules, tenants, desks, deps.desksFile) };
      for (const [tenant, problem] of checked.problems) deps.log.error({ tenant }, `monthly report cannot be mailed: ${problem}`);
    }
    return checked.problems;
  };
  const pass = async (): Promise<void> => {
    // A removed tenant is no longer a client: nothing is mailed to it by itself (`report send` still can).
    const clients = deps.store.tenants.list().filter((t) => t.removedAt === null);
    const tenants = clients.map((t) => t.id);
    const skip = problems(tenants);
    let printer: PdfPrinter | undefined;
    const openPrinter = () => deps.printer ?? (printer ??= createPdfPrinter());
    try {
      for (const { id: tenant, createdAt } of clients) {
        const rules = deps.rules();
        const terms = rules.terms(tenant);
        if (!terms.report || terms.report.recipients.length === 0 || skip.has(tenant)) continue;
        const at = now();
        const zone = monthZone(terms.hours);
        expireOld(deps.store, tenant, previousMonth(at, zone), at, zone);
        const month = dueMonth(terms.report, zone, at);
        // A tenant added after the month ended was not a client in it.
        if (!month || parseMonth(month, zone)!.to <= createdAt) continue;
        const row = deps.store.reportDeliveries.get(tenant, month);
        if (row && (row.state !== 'pending' || row.nextAttemptAt > at)) continue;
        try {
          await deliverReport(
            { ...deps, rules, desks: deps.desks(), printer: openPrinter, ...(deps.counted ? { counted: deps.counted } : {}) },
            { tenant, month, now: at },
          );
        } catch (error) {
          deps.log.error({ tenant, month, err: (error as Error).message }, 'monthly report delivery crashed; tried again on the next tick');
        }
      }
    } finally {
      await printer?.close();
    }
  };
  return {
    tick() {
      if (stopped) return Promise.resolve();
      running ??= pass().finally(() => (running = undefined));
      return running;
    },
    async stop() {
      stopped = true;
      await running;
    },
  };
}

/**
 * The scheduler in the app: the desk references are checked now (a bad one throws ConfigError: the collector does not
 * start), the tick runs from onReady to onClose (none when tickMs is 0: tests tick by hand) and a pass in flight is
 * awaited on close.
 */
export function registerReportDelivery(
  app: FastifyInstance,
  deps: Omit<SchedulerDeps, 'log'> & { metrics: CollectorMetrics; tickMs?: number; active?: () => boolean },
): ReportScheduler {
  const first = deskProblems(
    deps.rules(),
    deps.store.tenants.list().map((t) => t.id),
    deps.desks(),
    deps.desksFile,
  );
  if (first.size > 0) throw new ConfigError([...first.values()].join('; '));
  const { metrics, tickMs = REPORT_TICK_MS, active = () => true, ...rest } = deps;
  const scheduler = createReportScheduler({ ...rest, log: app.log, counted: registerReportDeliveryMetrics(metrics) });
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    // With several collectors only the leader mails (`active`); a delivery is lease-claimed in the store besides.
    if (tickMs > 0)
      timer = setInterval(() => {
        if (active()) scheduler.tick().catch((error: Error) => app.log.error({ err: error.message }, 'report delivery pass failed; trying again at the next'));
      }, tickMs).unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await scheduler.stop();
  });
  return scheduler;
}
