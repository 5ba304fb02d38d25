// `sla_month`: each tenant's SLA attainment for the month so far, per priority and clock (respond, plan, resolve),
// written every SLA_MONTH_EVERY_MS for every tenant, and within SLA_MONTH_CHECK_MS of a change to one of a tenant's
// tickets for that tenant. Grafana needs it because InfluxQL cannot compute attainment from the `tickets` transition
// points: a clock's outcome depends on its due time in the tenant's business hours and on the ticket's latest cycle.
//
// The figures are the monthly report's own, made by the same functions at the time of the point: the month the
// point's time falls in, in the tenant's zone (reports/month.ts), its tickets as the report selects them
// (reports/month-tickets.ts), judged by monthClocks and counted by attainment (reports/sla-attainment.ts). So the
// last point of a month is that month's report as it would have been made then.
//
// sla_month: tags tenant, host (the collector's hostname), month (YYYY-MM), priority, clock (respond | plan | resolve);
//            fields met, breached, running (integer), attainment_percent (float; absent while no clock was decided).
import { hostname } from 'node:os';
import type { watchpost } from '../../../proto/index.js';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import type { Transitions } from '../alerting/transitions.js';
import { samplesToLines } from '../influx/line-protocol.js';
import { monthTickets } from '../reports/month-tickets.js';
import { monthOf, monthZone, parseMonth } from '../reports/month.js';
import { attainment, monthClocks, type TargetAttainment } from '../reports/sla-attainment.js';
import type { Store } from '../store/index.js';

export const SLA_MONTH_MEASUREMENT = 'sla_month';
/** Every tenant is written this often: running clocks come due and the month turns with time alone. */
export const SLA_MONTH_EVERY_MS = 5 * 60_000;
/**
 * How often serve calls maybeWrite. A tenant whose tickets changed is written at the next call, once however many
 * changes came in between: each write reads all of the tenant's tickets (a reopened old ticket can count), so a
 * burst of changes costs one read, not one per change.
 */
export const SLA_MONTH_CHECK_MS = 15_000;

export interface SlaMonthDeps {
  store: Pick<Store, 'tenants' | 'tickets' | 'influxOutbox'>;
  rules: () => RuleSet;
  /** The host tag of the points; default os.hostname() (the collector's, as on `tickets_open`). */
  host?: string;
  /** Hears a tenant whose figures could not be made (a store error): the other tenants are written, this one next time. */
  onError?: (tenant: string, error: unknown) => void;
}

export interface SlaMonthWriter {
  /** A sink of the engine's transitions: a ticket change marks its tenant for the next maybeWrite; alerts are ignored. */
  readonly transitions: Transitions;
  /** Writes every tenant when SLA_MONTH_EVERY_MS has passed since the last full write, else the marked tenants; returns the points written. */
  maybeWrite(now: number): number;
}

/** One tenant's month-to-date attainment at `now`: the month's id in the tenant's zone and the report's rows. */
export function monthToDate(store: Pick<Store, 'tickets'>, rules: RuleSet, tenant: string, now: number): { month: string; rows: TargetAttainment[] } {
  const { terms } = rules.inForce(tenant);
  const zone = monthZone(terms.hours);
  const month = parseMonth(monthOf(now, zone), zone)!;
  const tickets = monthTickets(store, tenant, month);
  return { month: month.id, rows: attainment(monthClocks(tickets, terms.hours, month.from, month.to, now), terms.slaProfile) };
}

/** The `sla_month` points of one tenant's rows (pure). */
export function slaMonthSamples(month: string, rows: readonly TargetAttainment[], now: number): watchpost.v1.ISample[] {
  return rows.map((r) => {
    const fields: watchpost.v1.IField[] = [
      { key: 'met', int: r.met },
      { key: 'breached', int: r.breached },
      { key: 'running', int: r.running },
    ];
    if (r.metPercent !== null) fields.push({ key: 'attainment_percent', float: r.metPercent });
    const tags = [
      { key: 'month', value: month },
      { key: 'priority', value: r.priority },
      { key: 'clock', value: r.target },
    ];
    return { measurement: SLA_MONTH_MEASUREMENT, timeMs: now, tags, fields };
  });
}

export function createSlaMonthWriter(deps: SlaMonthDeps): SlaMonthWriter {
  let lastAllAt = -Infinity;
  const marked = new Set<string>();
  const host = deps.host ?? hostname();
  const write = (tenant: string, now: number): number => {
    try {
      const { month, rows } = monthToDate(deps.store, deps.rules(), tenant, now);
      const { lines } = samplesToLines(slaMonthSamples(month, rows, now), { tenant, host }, { nowMs: now });
      if (lines.length > 0) deps.store.influxOutbox.append(lines);
      return lines.length;
    } catch (error) {
      deps.onError?.(tenant, error);
      return 0;
    }
  };
  return {
    transitions: {
      alert: () => undefined,
      ticket: ({ ticket }) => void marked.add(ticket.tenant),
    },
    maybeWrite(now) {
      const all = now - lastAllAt >= SLA_MONTH_EVERY_MS;
      if (!all && marked.size === 0) return 0;
      if (all) lastAllAt = now;
      // A removed tenant keeps its tickets but gets no new figures: its last points age out of the dashboards.
      const tenants = all
        ? deps.store.tenants
            .list()
            .filter((t) => t.removedAt === null)
            .map((t) => t.id)
        : [...marked];
      marked.clear();
      return tenants.reduce((n, tenant) => n + write(tenant, now), 0);
    },
  };
}
