// Minimum standards: the collector's verdicts on what MSP contracts require of every endpoint (collector/src/
// compliance: a supported OS, antivirus on and current, patches installed, backups, ...). First the counts per
// tenant, then every host's verdict per standard and the failing ones; below them the readings some verdicts rest
// on (OS support, antivirus and third-party firewall products, per product).
//
// A `compliance` point is written when a verdict changes and again daily while it holds (the engine's restate), so
// the current verdict of a host and standard is the last point of a short window, however long it has held, and a
// verdict the collector no longer keeps (host revoked, standard disabled) drops out of it.
import type { DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { MappingType, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { TableCellDisplayMode, TableSortByFieldStateBuilder } from '@grafana/grafana-foundation-sdk/common';
import { influxql, IN_RANGE, SCOPE, UID, watchpostDashboard } from './common.js';
import { antivirusTable, table } from './panels.js';

const HALF: { w: number; h: number } = { w: 12, h: 9 };
/** The engine writes every verdict it keeps at least once a day (COMPLIANCE_RESTATE_MS): a day's margin over that. */
export const VERDICT_WINDOW = '2d';

/**
 * The current verdict of every (tenant, host, standard): its last point, with the verdict tag as the field
 * `current`. Outer queries filter on that field and never GROUP BY "verdict": InfluxDB adds an outer query's GROUP BY
 * tags to the subquery's, which would give a host whose verdict flipped one "last" point per verdict it ever had.
 * `waived` and `waiver_id` are null where the collector writes none (before waivers, and `waiver_id` when not waived).
 */
export const LATEST_VERDICTS = `SELECT last("reason") AS "reason", "verdict" AS "current", "since", "waived", "waiver_id", "host" AS "host_name" FROM "compliance" WHERE ${SCOPE} AND time > now() - ${VERDICT_WINDOW} GROUP BY "tenant", "host", "standard"`;

const countOf = (verdict: string, extra = '') =>
  `SELECT count("reason") AS "${verdict}"${extra} FROM (${LATEST_VERDICTS}) WHERE "current" = '${verdict}' GROUP BY "tenant"`;

const VERDICT_COLORS: DynamicConfigValue[] = [
  {
    id: 'mappings',
    value: [
      {
        type: MappingType.ValueToText,
        options: { pass: { color: 'green', index: 0 }, fail: { color: 'red', index: 1 }, unknown: { color: 'text', index: 2 } },
      },
    ],
  },
  { id: 'custom.cellOptions', value: { type: TableCellDisplayMode.ColorBackground } },
];
const SINCE: DynamicConfigValue[] = [{ id: 'unit', value: 'dateTimeAsIso' }];
/** Table results carry the point's time: for a verdict that is its last write, not when it began (`since`). */
const columns = (order: string[]) => ({
  id: 'organize',
  options: { excludeByName: { Time: true }, indexByName: Object.fromEntries(order.map((c, i) => [c, i])) },
});
const byName = (name: string, desc = false) => new TableSortByFieldStateBuilder().displayName(name).desc(desc);

export function minimumStandards(): Dashboard {
  return watchpostDashboard(
    UID.standards,
    'Watchpost: Minimum standards',
    "The collector's verdict on each minimum standard per host (pass, fail, unknown; waived), the failing ones, and the readings behind them.",
    'now-7d',
  )
    .withPanel(
      // One row per tenant: four queries joined on the tenant column.
      table(
        'Verdicts per tenant (host × standard)',
        [
          influxql('A', countOf('pass'), 'table'),
          influxql('B', countOf('fail', ', count(distinct("host_name")) AS "hosts failing"'), 'table'),
          influxql('C', countOf('unknown'), 'table'),
          influxql('D', `SELECT count("reason") AS "verdicts", count("waiver_id") AS "waived" FROM (${LATEST_VERDICTS}) GROUP BY "tenant"`, 'table'),
        ],
        { w: 24, h: 6 },
      )
        .noValue('0')
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation(columns(['tenant', 'pass', 'fail', 'unknown', 'waived', 'hosts failing', 'verdicts']))
        .overrideByName('pass', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'green' } }])
        .overrideByName('fail', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }]),
    )
    .withPanel(
      table(
        'Failing now (longest first)',
        [
          influxql(
            'A',
            `SELECT "tenant", "host", "standard", "reason", "since" * 1000 AS "since", "waived" FROM (${LATEST_VERDICTS}) WHERE "current" = 'fail'`,
            'table',
          ),
        ],
        { w: 24, h: 9 },
      )
        .overrideByName('since', SINCE)
        .withTransformation(columns(['tenant', 'host', 'standard', 'since', 'reason', 'waived']))
        .sortBy([byName('since')]),
    )
    .withPanel(
      table(
        'Verdict per host and standard (current)',
        [
          influxql(
            'A',
            `SELECT last("reason") AS "reason", "verdict", "since" * 1000 AS "since", "waived" FROM "compliance" WHERE ${SCOPE} AND time > now() - ${VERDICT_WINDOW} GROUP BY "tenant", "host", "standard"`,
            'table',
          ),
        ],
        { w: 24, h: 12 },
      )
        .overrideByName('verdict', VERDICT_COLORS)
        .overrideByName('since', SINCE)
        .withTransformation(columns(['tenant', 'host', 'standard', 'verdict', 'since', 'reason', 'waived']))
        .sortBy([byName('verdict'), byName('host')]),
    )
    .withPanel(
      table(
        'OS support',
        [
          influxql(
            'A',
            `SELECT last("status") AS "status", last("release") AS "release", last("days_left") AS "days_left", last("os_name") AS "os_name", last("os_version") AS "os_version" FROM "os_support" WHERE ${IN_RANGE} GROUP BY "tenant", "host"`,
            'table',
          ),
        ],
        HALF,
      ),
    )
    .withPanel(antivirusTable(HALF))
    .withPanel(
      table(
        'Personal firewall apps (third-party firewalls registered with Security Center)',
        [
          influxql(
            'A',
            `SELECT last("state") AS "state", last("enabled") AS "enabled" FROM "firewall_products" WHERE ${IN_RANGE} AND "third_party" = true GROUP BY "tenant", "host", "product"`,
            'table',
          ),
        ],
        HALF,
      ),
    )
    .build();
}
