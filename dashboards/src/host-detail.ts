// Host detail: one host's (or a few hosts') CPU, memory, disks and their I/O, swap, processes, TCP connections, network,
// uptime and boots, event log errors,
// pending updates, antivirus and open tickets. Fleet overview's host links open it with tenant and host set.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { influxql, IN_RANGE, LATEST_TICKETS, LONG_RANGE, rate, ROLLUP, UID, watchpostDashboard } from './common.js';
import { antivirusTable, bars, stat, table, timeseries } from './panels.js';

const BY_HOST = 'GROUP BY time($__interval), "host" fill(null)';
const BY_DEVICE = 'GROUP BY time($__interval), "host", "name" fill(null)';

export function hostDetail(): Dashboard {
  return (
    watchpostDashboard(
      UID.host,
      'Watchpost: Host detail',
      'One host: performance, disks, network, uptime, event log errors, updates, antivirus, tickets.',
      'now-6h',
    )
      .withPanel(stat('Uptime', 's', [influxql('A', `SELECT last("uptime") FROM "system" WHERE ${IN_RANGE} GROUP BY "host"`, 'time_series', '$tag_host')]))
      .withPanel(
        stat('Boots in range', 'none', [
          influxql('A', `SELECT count(distinct("boot_time")) FROM "system" WHERE ${IN_RANGE} GROUP BY "host"`, 'time_series', '$tag_host'),
        ]),
      )
      .withPanel(
        stat('Pending updates (total / security / critical)', 'none', [
          influxql(
            'A',
            `SELECT last("pending_total") AS "total", last("pending_security") AS "security", last("pending_critical") AS "critical" FROM "patches" WHERE ${IN_RANGE} GROUP BY "host"`,
          ),
        ]),
      )
      .withPanel(
        stat('Event log errors in range', 'none', [
          influxql(
            'A',
            `SELECT sum("count") FROM "eventlog_counts" WHERE ${IN_RANGE} AND ("level" = 'error' OR "level" = 'critical') GROUP BY "host"`,
            'time_series',
            '$tag_host',
          ),
        ]),
      )
      .withPanel(
        timeseries('CPU used', 'percent', [
          influxql(
            'A',
            `SELECT 100 - mean("usage_idle") AS "used" FROM "cpu" WHERE ${IN_RANGE} AND "cpu" = 'cpu-total' ${BY_HOST}`,
            'time_series',
            '$tag_host',
          ),
        ]).max(100),
      )
      .withPanel(
        timeseries('Memory used', 'percent', [
          influxql('A', `SELECT mean("used_percent") FROM "mem" WHERE ${IN_RANGE} ${BY_HOST}`, 'time_series', '$tag_host'),
        ]).max(100),
      )
      .withPanel(
        timeseries('Disk used per volume', 'percent', [
          influxql(
            'A',
            `SELECT mean("used_percent") FROM "disk" WHERE ${IN_RANGE} GROUP BY time($__interval), "host", "path" fill(null)`,
            'time_series',
            '$tag_host $tag_path',
          ),
        ]).max(100),
      )
      .withPanel(
        bars('Disk used now', 'percent', [
          influxql('A', `SELECT last("used_percent") FROM "disk" WHERE ${IN_RANGE} GROUP BY "host", "path"`, 'time_series', '$tag_host $tag_path'),
        ]).max(100),
      )
      .withPanel(
        timeseries('Network per interface', 'bps', [
          influxql(
            'A',
            `SELECT ${rate('bytes_recv')} * 8 AS "in", ${rate('bytes_sent')} * 8 AS "out" FROM "net" WHERE ${IN_RANGE} GROUP BY time($__interval), "host", "interface" fill(null)`,
            'time_series',
            '$tag_host $tag_interface $col',
          ),
        ]),
      )
      .withPanel(
        timeseries('Disk throughput per device', 'Bps', [
          influxql(
            'A',
            `SELECT ${rate('read_bytes')} AS "read", ${rate('write_bytes')} AS "write" FROM "diskio" WHERE ${IN_RANGE} ${BY_DEVICE}`,
            'time_series',
            '$tag_host $tag_name $col',
          ),
        ]),
      )
      // Time spent per request: the growth of read_time (ms) over the growth of reads, as iostat's r_await.
      .withPanel(
        timeseries('Disk latency per request', 'ms', [
          influxql(
            'A',
            `SELECT ${rate('read_time')} / ${rate('reads')} AS "read", ${rate('write_time')} / ${rate('writes')} AS "write" FROM "diskio" WHERE ${IN_RANGE} ${BY_DEVICE}`,
            'time_series',
            '$tag_host $tag_name $col',
          ),
        ]),
      )
      // weighted_io_time grows by the number of requests in flight each millisecond: its growth per second over 1000
      // is the average queue (iostat's aqu-sz, Windows' Avg. Disk Queue Length).
      .withPanel(
        timeseries('Disk queue (average requests in flight)', 'none', [
          influxql(
            'A',
            `SELECT ${rate('weighted_io_time')} / 1000 AS "queue" FROM "diskio" WHERE ${IN_RANGE} ${BY_DEVICE}`,
            'time_series',
            '$tag_host $tag_name',
          ),
        ]),
      )
      .withPanel(
        timeseries('Swap used', 'percent', [
          influxql('A', `SELECT mean("used_percent") FROM "swap" WHERE ${IN_RANGE} ${BY_HOST}`, 'time_series', '$tag_host'),
        ]).max(100),
      )
      .withPanel(
        timeseries('Swap activity', 'Bps', [
          influxql('A', `SELECT ${rate('in')} AS "in", ${rate('out')} AS "out" FROM "swap" WHERE ${IN_RANGE} ${BY_HOST}`, 'time_series', '$tag_host swap $col'),
        ]),
      )
      .withPanel(
        timeseries('Processes by state', 'none', [
          influxql(
            'A',
            `SELECT mean("running") AS "running", mean("blocked") AS "blocked", mean("sleeping") AS "sleeping", mean("zombies") AS "zombies", mean("stopped") AS "stopped" FROM "processes" WHERE ${IN_RANGE} ${BY_HOST}`,
            'time_series',
            '$tag_host $col',
          ),
        ]),
      )
      .withPanel(
        timeseries('TCP connections by state', 'none', [
          influxql(
            'A',
            `SELECT mean("tcp_established") AS "established", mean("tcp_time_wait") AS "time_wait", mean("tcp_close_wait") AS "close_wait", mean("tcp_syn_recv") AS "syn_recv", mean("tcp_listen") AS "listen" FROM "netstat" WHERE ${IN_RANGE} ${BY_HOST}`,
            'time_series',
            '$tag_host $col',
          ),
        ]),
      )
      .withPanel(
        timeseries('Context switches and interrupts', 'ops', [
          influxql(
            'A',
            `SELECT ${rate('context_switches')} AS "context switches", ${rate('interrupts')} AS "interrupts" FROM "kernel" WHERE ${IN_RANGE} ${BY_HOST}`,
            'time_series',
            '$tag_host $col',
          ),
        ]),
      )
      .withPanel(
        timeseries('Event log errors and warnings', 'none', [
          influxql(
            'A',
            `SELECT sum("count") FROM "eventlog_counts" WHERE ${IN_RANGE} AND "level" <> 'info' GROUP BY time($__interval), "channel", "level" fill(0)`,
            'time_series',
            '$tag_channel $tag_level',
          ),
        ]),
      )
      // The long view reads the rollup: a fixed 90-day range at no finer grain than its 5 minutes.
      .withPanel(
        timeseries(`CPU and memory used, last ${LONG_RANGE} (${ROLLUP.every} means)`, 'percent', [
          influxql(
            'A',
            `SELECT 100 - mean("mean_usage_idle") AS "cpu" FROM "${ROLLUP.policy}"."cpu" WHERE ${IN_RANGE} AND "cpu" = 'cpu-total' ${BY_HOST}`,
            'time_series',
            '$tag_host $col',
          ),
          influxql(
            'B',
            `SELECT mean("mean_used_percent") AS "memory" FROM "${ROLLUP.policy}"."mem" WHERE ${IN_RANGE} ${BY_HOST}`,
            'time_series',
            '$tag_host $col',
          ),
        ])
          .timeFrom(LONG_RANGE)
          .interval(ROLLUP.every)
          .max(100),
      )
      .withPanel(
        timeseries(`Disk used per volume, last ${LONG_RANGE} (${ROLLUP.every} means)`, 'percent', [
          influxql(
            'A',
            `SELECT mean("mean_used_percent") FROM "${ROLLUP.policy}"."disk" WHERE ${IN_RANGE} GROUP BY time($__interval), "host", "path" fill(null)`,
            'time_series',
            '$tag_host $tag_path',
          ),
        ])
          .timeFrom(LONG_RANGE)
          .interval(ROLLUP.every)
          .max(100),
      )
      .withPanel(antivirusTable({ w: 12, h: 8 }))
      .withPanel(
        table(
          'Open tickets',
          [influxql('A', `SELECT "ticket_id", "tenant", "host", "rule", "priority", "status" FROM (${LATEST_TICKETS}) WHERE "status" <> 'resolved'`, 'table')],
          { w: 12, h: 8 },
        ),
      )
      .build()
  );
}
