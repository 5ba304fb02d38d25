// What the report reads from InfluxDB: the points of one tenant before a moment (a past month's end), as RuleSamples
// with their host. Read-only, one SELECT per call over /query (influx/http.ts: the same request for InfluxDB 1.x
// and InfluxDB 3's v1 API, with the URL's credentials), InfluxDB's own error thrown as an Error. It never retries
// and gives up after REPORT_QUERY_TIMEOUT_MS: a report made while InfluxDB is down says so in its sections at once
// instead of hanging the request.
import { escape } from 'influx';
import type { RuleSample } from '../alerting/contract.js';
import { checked, rawPolicyName, type InfluxResult } from '../influx/database.js';
import { queryOverHttp } from '../influx/http.js';

/** Long enough for a month of a tenant's patches_pending points; short enough for an HTTP request that waits. */
export const REPORT_QUERY_TIMEOUT_MS = 30_000;

export interface ReportInflux {
  /** Runs one InfluxQL SELECT; rejects with InfluxDB's error or the connection's. */
  select(query: string): Promise<InfluxResult>;
  /** The measurement, qualified with the database and the policy the collector writes raw points to. */
  from(measurement: string): string;
}

/** A point as the report reads it: a RuleSample and the host it came from. */
export type HostPoint = RuleSample & { host: string };

/** The reader of config.influx (url, database, retentionPolicy as the writer resolves it). */
export function createReportInflux(config: { url: string; database: string; retentionPolicy: string }): ReportInflux {
  const policy = rawPolicyName(config.retentionPolicy);
  return {
    select: async (query) => checked((await queryOverHttp(config.url, config.database, query, REPORT_QUERY_TIMEOUT_MS)) as { results: InfluxResult[] }),
    from: (measurement) => `${escape.quoted(config.database)}.${escape.quoted(policy)}.${escape.quoted(measurement)}`,
  };
}

/**
 * The tenant's points of `measurement` before `before` (unix ms). With `last`, only the newest point of each group
 * of `groupBy` tags (host, standard; host, product); without, every point (selected `columns`, or all).
 */
export async function tenantPoints(
  influx: ReportInflux,
  q: { measurement: string; tenant: string; before: number; groupBy: readonly string[]; last?: boolean; where?: string; columns?: readonly string[] },
): Promise<HostPoint[]> {
  const columns = q.columns ? q.columns.map((c) => escape.quoted(c)).join(', ') : '*';
  const where = [`"tenant" = ${escape.stringLit(q.tenant)}`, `time < ${Math.trunc(q.before)}ms`, ...(q.where ? [`(${q.where})`] : [])].join(' AND ');
  const group = q.groupBy.map((t) => escape.quoted(t)).join(', ');
  const tail = q.last ? ' ORDER BY time DESC LIMIT 1' : '';
  const result = await influx.select(`SELECT ${columns} FROM ${influx.from(q.measurement)} WHERE ${where} GROUP BY ${group}${tail}`);
  return pointsOf(q.measurement, result);
}

/**
 * InfluxDB's answer as points (pure). The group's tags become tags; every other non-null column a field (a tag that
 * is not grouped by comes back as a column, so it is a field here: `verdict` of `compliance`, `source` of `patches`).
 * Times are RFC 3339 text, as /query answers without `epoch`.
 */
export function pointsOf(measurement: string, result: InfluxResult): HostPoint[] {
  const points: HostPoint[] = [];
  for (const series of result.series ?? []) {
    const tags = series.tags ?? {};
    for (const row of series.values ?? []) {
      const fields: Record<string, number | string | boolean> = {};
      let time = NaN;
      series.columns.forEach((column, i) => {
        const value = row[i];
        if (column === 'time') time = typeof value === 'number' ? value : Date.parse(String(value));
        else if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') fields[column] = value;
      });
      if (Number.isFinite(time)) points.push({ measurement, tags, fields, time, host: tags.host ?? String(fields.host ?? '') });
    }
  }
  return points;
}
