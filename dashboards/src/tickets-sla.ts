// Tickets and SLA: tickets opened and resolved over time, time to resolve by priority, open tickets, SLA approaching
// and breached, and the month's SLA attainment per priority and clock (the monthly report's figures so far).
import { GraphDrawStyle } from '@grafana/grafana-foundation-sdk/common';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { influxql, IN_RANGE, LATEST_TICKETS, UID, watchpostDashboard } from './common.js';
import { bars, table, timeseries } from './panels.js';

/** sla_month is written for every tenant every 5 minutes (collector/src/tickets/sla-month.ts): three writes' margin. */
export const SLA_MONTH_FRESH = '15m';

/**
 * The latest `sla_month` point of every (tenant, priority, clock): the current month's figures. One selector,
 * last("met") (met is always written), with the point's other fields beside it: last("attainment_percent") would
 * skip a point without it (nothing decided yet this month) and show the previous month's percentage.
 */
export const SLA_MONTH_NOW = `SELECT last("met") AS "met", "breached", "running", "attainment_percent" AS "% met", "month" FROM "sla_month" WHERE "tenant" =~ /^$tenant$/ AND time > now() - ${SLA_MONTH_FRESH} GROUP BY "tenant", "priority", "clock"`;

export function ticketsSla(): Dashboard {
  return watchpostDashboard(
    UID.tickets,
    'Watchpost: Tickets and SLA',
    'Tickets opened and resolved, open tickets by priority, SLA approaching and breached.',
    'now-7d',
  )
    .withPanel(
      // The collector's own figures (host tag = the collector's), so only the tenant filter applies.
      table('SLA attainment this month (per tenant, priority and clock; running = not yet due)', [influxql('A', SLA_MONTH_NOW, 'table')], {
        w: 14,
        h: 9,
      })
        .withTransformation({ id: 'organize', options: { excludeByName: { Time: true } } })
        .overrideByName('% met', [
          { id: 'unit', value: 'percent' },
          { id: 'decimals', value: 1 },
        ]),
    )
    .withPanel(
      bars(
        'Met this month, % of decided clocks',
        'percent',
        [influxql('A', `SELECT "% met" FROM (${SLA_MONTH_NOW}) GROUP BY "tenant", "priority", "clock"`, 'time_series', '$tag_tenant $tag_priority $tag_clock')],
        { w: 10, h: 9 },
      )
        .min(0)
        .max(100),
    )
    .withPanel(
      timeseries('Opened, reopened and resolved', 'none', [
        influxql(
          'A',
          `SELECT count("ticket_id") FROM "tickets" WHERE ${IN_RANGE} AND ("event" = 'opened' OR "event" = 'reopened' OR "event" = 'resolved') GROUP BY time($__interval), "event" fill(0)`,
          'time_series',
          '$tag_event',
        ),
      ]).drawStyle(GraphDrawStyle.Bars),
    )
    .withPanel(
      timeseries('SLA approaching and breached by priority', 'none', [
        influxql(
          'A',
          `SELECT count("ticket_id") FROM "tickets" WHERE ${IN_RANGE} AND ("event" = 'sla_approaching' OR "event" = 'sla_breached') GROUP BY time($__interval), "event", "priority" fill(0)`,
          'time_series',
          '$tag_event $tag_priority',
        ),
      ]),
    )
    .withPanel(
      table(
        'Time to resolve by priority (tickets resolved in range)',
        [
          influxql(
            'A',
            `SELECT mean("open_seconds") AS "mean", percentile("open_seconds", 90) AS "p90", max("open_seconds") AS "max", count("open_seconds") AS "tickets" FROM "tickets" WHERE ${IN_RANGE} AND "event" = 'resolved' GROUP BY "priority"`,
            'table',
          ),
        ],
        { w: 12, h: 7 },
      ).unit('s'),
    )
    .withPanel(
      table(
        'Open tickets',
        [influxql('A', `SELECT "ticket_id", "tenant", "host", "rule", "priority", "status" FROM (${LATEST_TICKETS}) WHERE "status" <> 'resolved'`, 'table')],
        { w: 12, h: 9 },
      ),
    )
    .withPanel(
      table(
        'SLA breaches',
        [
          influxql(
            'A',
            `SELECT "ticket_id", "target", "summary", "tenant", "host", "rule", "priority" FROM "tickets" WHERE ${IN_RANGE} AND "event" = 'sla_breached' ORDER BY time DESC LIMIT 200`,
            'table',
          ),
        ],
        { w: 12, h: 9 },
      ),
    )
    .build();
}
