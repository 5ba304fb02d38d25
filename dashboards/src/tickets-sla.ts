// Tickets and SLA: tickets opened and resolved over time, time to resolve by priority, open tickets, SLA approaching
// and breached.
import { GraphDrawStyle } from '@grafana/grafana-foundation-sdk/common';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { influxql, IN_RANGE, LATEST_TICKETS, UID, watchpostDashboard } from './common.js';
import { table, timeseries } from './panels.js';

export function ticketsSla(): Dashboard {
  return watchpostDashboard(
    UID.tickets,
    'Watchpost: Tickets and SLA',
    'Tickets opened and resolved, open tickets by priority, SLA approaching and breached.',
    'now-7d',
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
