// The database and retention policy the writer writes to, created (or corrected) through the `influx` package.
//
// Default retention policy: `watchpost_raw`, 30 days, the database's default. Reasons:
//   1. Raw points from tens of thousands of endpoints grow without bound under `autogen` (infinite); 30 days covers
//      a month's service review, and Grafana dashboards rarely look further back at full resolution.
//   2. It is the DEFAULT policy, so Grafana (and any InfluxQL query that names no policy) finds the data.
//   3. A named policy leaves `autogen` untouched and leaves room for downsampled ones (ROLLUPS).
// The configured duration is the truth: an existing policy with another duration is altered to match.
//
// Rollups: next to the raw policy, `watchpost_5m` keeps 5-minute means of the performance measurements for 90 days,
// filled by one continuous query, so 90-day dashboard panels read about 26,000 points per series instead of millions.
// Fields keep InfluxDB's `mean(*)` names (`mean_used_percent`). The query is replaced when its definition changes.
import type { InfluxDB } from 'influx';
import { parseDuration } from '../config/duration.js';

/** InfluxDB 1.x refuses retention policies shorter than one hour (0 means forever). */
export const MIN_RETENTION_MS = 3_600_000;

export interface RetentionPolicy {
  name: string;
  /** How long points are kept: "30d", "12h", or milliseconds; 0 or "0s" keeps them forever. */
  duration: string | number;
  /** Make it the database's default policy. Default true. */
  default?: boolean;
}

export const DEFAULT_RETENTION_POLICY: RetentionPolicy = { name: 'watchpost_raw', duration: '30d', default: true };

/** The policy's duration in ms, raised to MIN_RETENTION_MS when shorter (the warning says so). */
export function retentionMs(policy: RetentionPolicy, warn: (message: string) => void): number {
  const ms = typeof policy.duration === 'number' ? policy.duration : parseDuration(policy.duration);
  if (ms > 0 && ms < MIN_RETENTION_MS) {
    warn(`retention ${String(policy.duration)} is shorter than InfluxDB allows; using 1h`);
    return MIN_RETENTION_MS;
  }
  return Math.round(ms);
}

/** Go duration text as SHOW RETENTION POLICIES prints it ("720h0m0s", "0s") -> ms. */
export function goDurationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9.]+)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(amount) * (units[unit ?? ''] ?? 0);
  }
  return Math.round(total);
}

/** Creates the database and the policy when missing, alters the policy when it differs. Idempotent. */
export async function ensureDatabase(influx: InfluxDB, database: string, policy: RetentionPolicy, durationMs: number): Promise<void> {
  const names = await influx.getDatabaseNames();
  if (!names.includes(database)) await influx.createDatabase(database);
  const isDefault = policy.default ?? true;
  const options = { database, duration: `${Math.round(durationMs / 1000)}s`, replication: 1, isDefault };
  const existing = (await influx.showRetentionPolicies(database)).find((rp) => rp.name === policy.name);
  if (!existing) {
    await influx.createRetentionPolicy(policy.name, options);
  } else if (goDurationMs(existing.duration) !== durationMs || (isDefault && !existing.default)) {
    await influx.alterRetentionPolicy(policy.name, options);
  }
  await ensureRollups(influx, database, policy.name);
}

/** A downsampled copy: `mean(*)` of `measurements` per `every`, kept `duration` in its own (non-default) policy. */
export interface Rollup {
  policy: string;
  duration: string;
  every: string;
  measurements: readonly string[];
}

/** Numeric Telegraf-named measurements only: strings have no mean, and event/ticket points are few enough raw. */
export const ROLLUPS: readonly Rollup[] = [{ policy: 'watchpost_5m', duration: '90d', every: '5m', measurements: ['cpu', 'mem', 'disk', 'net', 'system'] }];

/** The rollup's SELECT ... INTO over `source` (the raw policy), optionally limited by a WHERE clause. */
export function rollupSelect(database: string, source: string, rollup: Rollup, where = ''): string {
  const from = `"${database}"."${source}"./^(${rollup.measurements.join('|')})$/`;
  return `SELECT mean(*) INTO "${database}"."${rollup.policy}".:MEASUREMENT FROM ${from}${where ? ` WHERE ${where}` : ''} GROUP BY time(${rollup.every}), *`;
}

/** Creates each rollup's policy and continuous query (named after the policy) when missing or different. */
export async function ensureRollups(influx: InfluxDB, database: string, source: string, rollups: readonly Rollup[] = ROLLUPS): Promise<void> {
  const policies = await influx.showRetentionPolicies(database);
  const queries = await continuousQueries(influx, database);
  for (const rollup of rollups) {
    const durationSeconds = `${Math.round(parseDuration(rollup.duration) / 1000)}s`;
    if (!policies.some((rp) => rp.name === rollup.policy)) {
      await influx.createRetentionPolicy(rollup.policy, { database, duration: durationSeconds, replication: 1, isDefault: false });
    }
    const select = rollupSelect(database, source, rollup);
    const existing = queries.find((q) => q.name === rollup.policy);
    // SHOW prints the query without quotes; compare on that form.
    if (existing && existing.query.includes(select.replaceAll('"', ''))) continue;
    if (existing) await influx.dropContinuousQuery(rollup.policy, database);
    await influx.createContinuousQuery(rollup.policy, select, database);
  }
}

/** This database's continuous queries. (The client's showContinousQueries flattens every database's into one list.) */
async function continuousQueries(influx: InfluxDB, database: string): Promise<{ name: string; query: string }[]> {
  const raw = (await influx.queryRaw('SHOW CONTINUOUS QUERIES')) as { results: { series?: { name: string; values?: [string, string][] }[] }[] };
  const series = raw.results[0]?.series?.find((s) => s.name === database);
  return (series?.values ?? []).map(([name, query]) => ({ name, query }));
}

/** Fills the rollups from the raw points of the last `sinceMs` (a continuous query only covers time after its
 *  creation): for an existing database that gets rollups, and for tests. Safe to repeat (same points rewritten). */
export async function backfillRollups(
  influx: InfluxDB,
  database: string,
  source: string,
  sinceMs: number,
  rollups: readonly Rollup[] = ROLLUPS,
): Promise<void> {
  for (const rollup of rollups) await influx.query(rollupSelect(database, source, rollup, `time > now() - ${Math.round(sinceMs)}ms`), { database });
}
