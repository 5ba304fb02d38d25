// What every Watchpost dashboard shares: the InfluxDB datasource, the InfluxQL target shape, the tenant and host
// template variables, the scope every query filters by, and the small panel helpers.
//
// The SDK (0.0.21) has no InfluxDB dataquery type, so `influxql()` builds the target Grafana's InfluxDB datasource
// stores for a raw InfluxQL query (`rawQuery: true`, `query`, `resultFormat`); it satisfies the SDK's
// `cog.Dataquery` so panels take it like any other target.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type DashboardLink,
  type DynamicConfigValue,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { ROLLUPS } from '../../collector/src/influx/database.js';

/** The uid the provisioning file gives the datasource; an imported dashboard asks for it by this uid. */
export const DATASOURCE_UID = 'watchpost-influxdb';
export const DATASOURCE: DataSourceRef = { type: 'influxdb', uid: DATASOURCE_UID };
/** Tag every dashboard carries, so the dashboard links find the whole set. */
export const TAG = 'watchpost';
export const REFRESH = '1m';

/** Dashboard uids: links and data links point at these, so they never change once shipped. */
export const UID = {
  fleet: 'watchpost-fleet',
  host: 'watchpost-host',
  patches: 'watchpost-patches',
  eventlog: 'watchpost-eventlog',
  tickets: 'watchpost-tickets',
  standards: 'watchpost-standards',
} as const;

/** Every query's filter: the chosen tenants and hosts (multi-value variables render as a regex alternation). */
export const SCOPE = `"tenant" =~ /^$tenant$/ AND "host" =~ /^$host$/`;
/** SCOPE plus the dashboard's time range. */
export const IN_RANGE = `${SCOPE} AND $timeFilter`;

/** The 5-minute rollup the collector keeps for 90 days (collector/src/influx/database.ts): long-range panels read
 *  `${ROLLUP.policy}.<measurement>` with InfluxDB's `mean_<field>` names, at no finer grain than `ROLLUP.every`. */
export const ROLLUP = ROLLUPS[0]!;
export const LONG_RANGE = ROLLUP.duration;

/**
 * A Telegraf counter (cumulative since boot) per second: `non_negative_derivative` of the bucket's largest value.
 * A reboot starts the counter again from zero; the bucket after it has a smaller value than the one before, and
 * non_negative_derivative drops that negative difference instead of drawing a dive below zero (the next bucket
 * measures from the restarted counter). max, not mean: the mean of a bucket that spans the reboot mixes both runs.
 */
export function rate(field: string): string {
  return `non_negative_derivative(max("${field}"), 1s)`;
}

export type ResultFormat = 'time_series' | 'table';

/** A raw InfluxQL target as Grafana's InfluxDB datasource saves it. */
export interface InfluxQLTarget extends cog.Dataquery {
  refId: string;
  datasource: DataSourceRef;
  rawQuery: true;
  query: string;
  resultFormat: ResultFormat;
  alias?: string;
}

export function influxql(refId: string, query: string, resultFormat: ResultFormat = 'time_series', alias?: string): cog.Builder<cog.Dataquery> {
  return {
    build: (): InfluxQLTarget => ({
      refId,
      datasource: DATASOURCE,
      rawQuery: true,
      query,
      resultFormat,
      ...(alias === undefined ? {} : { alias }),
      _implementsDataqueryVariant: () => undefined,
    }),
  };
}

/** `tenant`: every tenant that reports `system` (all agents do); `host`: that tenant's hosts. Both multi, All = `.*`. */
export function scopeVariables(): QueryVariableBuilder[] {
  const variable = (name: string, label: string, query: string) =>
    new QueryVariableBuilder(name)
      .label(label)
      .datasource(DATASOURCE)
      .query(query)
      .definition(query)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue('.*')
      .current({ text: 'All', value: '$__all' });
  return [
    variable('tenant', 'Tenant', 'SHOW TAG VALUES FROM "system" WITH KEY = "tenant"'),
    variable('host', 'Host', 'SHOW TAG VALUES FROM "system" WITH KEY = "host" WHERE "tenant" =~ /^$tenant$/'),
  ];
}

/** A dashboard with the shared settings: tag, variables, a dropdown of the other Watchpost dashboards. */
export function watchpostDashboard(uid: string, title: string, description: string, from = 'now-24h'): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([TAG])
    .timezone('browser')
    .time({ from, to: 'now' })
    .refresh(REFRESH)
    .tooltip(DashboardCursorSync.Crosshair)
    .variables(scopeVariables())
    .link(new DashboardLinkBuilder('Watchpost').type(DashboardLinkType.Dashboards).tags([TAG]).asDropdown(true).includeVars(true).keepTime(true));
}

/** A data link (or field override value) that opens Host detail for the row's tenant and host fields. */
export function hostDetailLink(): DashboardLink {
  return {
    title: 'Host detail',
    type: DashboardLinkType.Link,
    url: `/d/${UID.host}?var-tenant=\${__data.fields.tenant}&var-host=\${__data.fields.host}&\${__url_time_range}`,
    icon: '',
    tooltip: '',
    tags: [],
    asDropdown: false,
    targetBlank: false,
    includeVars: false,
    keepTime: false,
  };
}

/** Field override that makes the `host` column of a table link to Host detail. */
export const HOST_LINK_OVERRIDE: DynamicConfigValue[] = [{ id: 'links', value: [hostDetailLink()] }];

/** Numbers the panels 1, 2, ... in order (Grafana's panel links and "view panel" address them by id). */
export function numberPanels(dashboard: Dashboard): Dashboard {
  return { ...dashboard, panels: dashboard.panels?.map((panel, i) => ({ ...panel, id: i + 1 })) };
}

/** The queries of a built dashboard: every panel target's and every query variable's InfluxQL, with a label. */
export function dashboardQueries(dashboard: Dashboard): { where: string; query: string }[] {
  const out: { where: string; query: string }[] = [];
  for (const v of dashboard.templating?.list ?? []) {
    if (typeof v.query === 'string') out.push({ where: `variable ${v.name}`, query: v.query });
  }
  for (const panel of dashboard.panels ?? []) {
    if (!('targets' in panel)) continue;
    for (const target of panel.targets ?? []) {
      const { query, refId } = target as Partial<InfluxQLTarget>;
      if (typeof query === 'string') out.push({ where: `panel "${panel.title ?? ''}" ${refId ?? ''}`, query });
    }
  }
  return out;
}

/** How far back "now" panels look for a host's or ticket's latest point: past the range, so a ticket opened last
 *  week still counts as open today; at most the raw policy's 30 days. */
export const LATEST_LOOKBACK = '30d';

/** The latest `tickets` point of every (tenant, host, rule) (DESIGN.md: one open ticket per key), with its status and
 *  priority as tags for the outer query. */
export const LATEST_TICKETS = `SELECT last("ticket_id") AS "ticket_id", "status", "priority" FROM "tickets" WHERE ${SCOPE} AND time > now() - ${LATEST_LOOKBACK} GROUP BY "tenant", "host", "rule"`;
