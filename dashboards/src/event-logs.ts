// Event logs: counts by channel and level over time, the noisiest providers, event ids per provider, latest errors.
// Event ids are fields (DESIGN.md: high-cardinality values stay out of tags), and InfluxQL cannot group by a field,
// so "top event ids" is the latest errors table (sortable by event_id) plus distinct ids per provider.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { influxql, IN_RANGE, UID, watchpostDashboard } from './common.js';
import { table, timeseries } from './panels.js';

const ERRORS = `("level" = 'error' OR "level" = 'critical')`;

export function eventLogs(): Dashboard {
  return watchpostDashboard(UID.eventlog, 'Watchpost: Event logs', 'Event log counts by channel and level, top providers and event ids, latest errors.')
    .withPanel(
      timeseries(
        'Events by channel and level',
        'none',
        [
          influxql(
            'A',
            `SELECT sum("count") FROM "eventlog_counts" WHERE ${IN_RANGE} GROUP BY time($__interval), "channel", "level" fill(0)`,
            'time_series',
            '$tag_channel $tag_level',
          ),
        ],
        { w: 24, h: 8 },
      ),
    )
    .withPanel(
      table(
        'Top providers (errors and critical)',
        [
          influxql(
            'A',
            `SELECT top("events", 20) AS "events", "source", "channel" FROM (SELECT count("message") AS "events" FROM "eventlog" WHERE ${IN_RANGE} AND ${ERRORS} GROUP BY "source", "channel")`,
            'table',
          ),
        ],
        { w: 12, h: 9 },
      ),
    )
    .withPanel(
      table(
        'Event ids per provider',
        [
          influxql(
            'A',
            `SELECT count(distinct("event_id")) AS "distinct_event_ids", count("message") AS "events" FROM "eventlog" WHERE ${IN_RANGE} GROUP BY "source", "channel"`,
            'table',
          ),
        ],
        { w: 12, h: 9 },
      ),
    )
    .withPanel(
      table(
        'Latest errors',
        [
          influxql(
            'A',
            `SELECT "event_id", "message", "channel", "level", "source", "tenant", "host" FROM "eventlog" WHERE ${IN_RANGE} AND ${ERRORS} ORDER BY time DESC LIMIT 200`,
            'table',
          ),
        ],
        { w: 24, h: 10 },
      ),
    )
    .build();
}
