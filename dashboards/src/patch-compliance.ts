// Patch compliance: per tenant and host, missing critical and security updates, how long they have been missing,
// and the last successful install; and patch management for tenants with a patch policy: per ring, updates approved,
// installed, failed and pending now (the collector's patch_status, collector/src/patching/measurements.md) and over
// time.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { influxql, IN_RANGE, UID, watchpostDashboard } from './common.js';
import { table, timeseries } from './panels.js';

/** patch_status is written every 5 minutes (collector/src/patching/gauge.ts): three writes' margin. */
export const PATCH_STATUS_FRESH = '15m';
/** The latest patch_status point of every (tenant, ring): where updates stand now. The host tag is the collector's. */
export const PATCH_STATUS_NOW = `SELECT last("approved") AS "approved", "installed", "failed", "pending", "declined" FROM "patch_status" WHERE "tenant" =~ /^$tenant$/ AND time > now() - ${PATCH_STATUS_FRESH} GROUP BY "tenant", "ring"`;

export function patchCompliance(): Dashboard {
  return watchpostDashboard(
    UID.patches,
    'Watchpost: Patch compliance',
    'Missing critical and security updates per tenant and host, their age, the last successful install; per ring, updates approved, installed, failed and pending.',
    'now-7d',
  )
    .withPanel(
      // The collector's own figures (host tag = the collector's), so only the tenant filter applies.
      table('Patch management now, per tenant and ring (updates x hosts; tenants with terms.patches)', [influxql('A', PATCH_STATUS_NOW, 'table')], {
        w: 24,
        h: 6,
      }),
    )
    .withPanel(
      timeseries(
        'Patch management per ring over time',
        'none',
        [
          influxql(
            'A',
            `SELECT last("approved") AS "approved", last("installed") AS "installed", last("failed") AS "failed", last("pending") AS "pending" FROM "patch_status" WHERE "tenant" =~ /^$tenant$/ AND $timeFilter GROUP BY time($__interval), "ring" fill(previous)`,
            'time_series',
            '$tag_ring $col',
          ),
        ],
        { w: 24, h: 8 },
      ),
    )
    .withPanel(
      table('Compliance per host (last_success and last_search: when; a reboot pending holds installs back)', [
        // Unix seconds * 1000: Grafana's date units take milliseconds.
        influxql(
          'A',
          `SELECT last("pending_critical") AS "critical", last("pending_security") AS "security", last("pending_total") AS "total", last("reboot_pending") AS "reboot_pending", last("last_success") * 1000 AS "last_success", last("last_search") * 1000 AS "last_search" FROM "patches" WHERE ${IN_RANGE} GROUP BY "tenant", "host", "source"`,
          'table',
        ),
      ]).overrideByRegexp('^last_(success|search)$', [{ id: 'unit', value: 'dateTimeFromNow' }]),
    )
    .withPanel(
      timeseries(
        'Missing critical and security updates over time (how long they have been missing)',
        'none',
        [
          influxql(
            'A',
            `SELECT max("pending_critical") AS "critical", max("pending_security") AS "security" FROM "patches" WHERE ${IN_RANGE} GROUP BY time($__interval), "host" fill(previous)`,
            'time_series',
            '$tag_host $col',
          ),
        ],
        { w: 24, h: 8 },
      ),
    )
    .withPanel(
      table('Missing critical and security updates (latest runs in range; Time = when seen)', [
        influxql(
          'A',
          `SELECT "title", "kb", "severity", "category", "package", "version", "security", "critical", "tenant", "host" FROM "patches_pending" WHERE ${IN_RANGE} AND ("critical" = true OR "security" = true) ORDER BY time DESC LIMIT 500`,
          'table',
        ),
      ]),
    )
    .withPanel(
      table('All missing updates (latest 500)', [
        influxql(
          'A',
          `SELECT "title", "kb", "severity", "package", "version", "tenant", "host" FROM "patches_pending" WHERE ${IN_RANGE} ORDER BY time DESC LIMIT 500`,
          'table',
        ),
      ]),
    )
    .build();
}
