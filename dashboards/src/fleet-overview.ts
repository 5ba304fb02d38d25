// Fleet overview: per tenant, which agents report, the fullest disks, patch and antivirus problems, reboots
// pending, open tickets by priority and SLA trouble. Host names link to Host detail.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { influxql, IN_RANGE, LATEST_TICKETS, SCOPE, UID, watchpostDashboard } from './common.js';
import { stat, table } from './panels.js';

/** An agent that sent nothing for this long counts as offline (it reports itself every minute by default). */
const ONLINE_WITHIN = '5m';
/** tickets_open is rewritten at least every minute: a point older than this is from a stopped collector. */
const TICKETS_OPEN_FRESH = '5m';

const agentsIn = (window: string) =>
  `SELECT count("uptime_seconds") FROM (SELECT last("uptime_seconds") AS "uptime_seconds" FROM "agent" WHERE ${SCOPE} AND ${window} GROUP BY "tenant", "host")`;

export function fleetOverview(): Dashboard {
  return watchpostDashboard(UID.fleet, 'Watchpost: Fleet overview', 'Per tenant: agents, disks, patches, antivirus, tickets and SLA.')
    .withPanel(stat('Agents online', 'none', [influxql('A', agentsIn(`time > now() - ${ONLINE_WITHIN}`))]))
    .withPanel(stat('Agents seen in range', 'none', [influxql('A', agentsIn('$timeFilter'))]))
    .withPanel(
      stat('Open tickets by priority', 'none', [
        influxql('A', `SELECT count("ticket_id") FROM (${LATEST_TICKETS}) WHERE "status" <> 'resolved' GROUP BY "priority"`, 'time_series', '$tag_priority'),
      ]),
    )
    .withPanel(
      // tickets_open is the collector's own count of what is at risk now (its host tag is the collector's, so only
      // the tenant filter applies); written every minute and on every ticket change.
      stat('SLA at risk now: approaching / breached', 'none', [
        influxql(
          'A',
          `SELECT sum("sla_approaching") AS "approaching", sum("sla_breached") AS "breached" FROM (SELECT last("sla_approaching") AS "sla_approaching", last("sla_breached") AS "sla_breached" FROM "tickets_open" WHERE "tenant" =~ /^$tenant$/ AND time > now() - ${TICKETS_OPEN_FRESH} GROUP BY "tenant", "priority", "status")`,
        ),
      ]),
    )
    .withPanel(
      table('Agents: last seen (Time), spool and version', [
        influxql(
          'A',
          `SELECT last("uptime_seconds") AS "agent_uptime_seconds", last("spool_batches") AS "spool_batches", last("points_dropped") AS "points_dropped" FROM "agent" WHERE ${IN_RANGE} GROUP BY "tenant", "host", "version"`,
          'table',
        ),
      ]),
    )
    .withPanel(
      table('Fullest disks (top 10)', [
        influxql(
          'A',
          `SELECT top("used_percent", 10) AS "used_percent", "tenant", "host", "path" FROM (SELECT last("used_percent") AS "used_percent" FROM "disk" WHERE ${IN_RANGE} GROUP BY "tenant", "host", "path")`,
          'table',
        ),
      ]).unit('percent'),
    )
    .withPanel(
      table('Patches and reboots pending', [
        influxql(
          'A',
          `SELECT last("pending_critical") AS "critical", last("pending_security") AS "security", last("pending_total") AS "total", last("reboot_pending") AS "reboot_pending" FROM "patches" WHERE ${IN_RANGE} GROUP BY "tenant", "host"`,
          'table',
        ),
      ]),
    )
    .withPanel(
      table('Antivirus problems (not on, or out of date)', [
        influxql(
          'A',
          `SELECT "state", "up_to_date", "signature_age_days", "tenant", "host", "product" FROM (SELECT last("state") AS "state", last("up_to_date") AS "up_to_date", last("signature_age_days") AS "signature_age_days" FROM "antivirus" WHERE ${IN_RANGE} GROUP BY "tenant", "host", "product") WHERE "state" <> 'on' OR "up_to_date" = false`,
          'table',
        ),
      ]),
    )
    .build();
}
