// The database and retention policy the writer writes to, created (or corrected) through the `influx` package.
//
// Raw points go into the database's `autogen` policy, altered to the configured retention (default 30 days, shard
// groups as InfluxDB sizes them for that duration) and made the default. Reasons:
//   1. Dashboards made for Telegraf, and Chronograf's host pages, name the policy (`FROM "autogen"."cpu"`): raw
//      points in any other policy are invisible to them. Queries that name no policy read the default, autogen too.
//   2. Every database InfluxDB creates has it, so there is nothing to create, and nothing to name in Grafana.
//   3. Left as InfluxDB creates it, autogen keeps points forever: raw points from tens of thousands of endpoints
//      would grow without bound. 30 days covers a month's service review, and Grafana dashboards rarely look
//      further back at full resolution (the rollups below do).
// The configured duration is the truth: an existing policy with another duration is altered to match.
// `influx.retentionPolicy` may still name another policy, which is then created (or altered) as the default the same
// way. Its former default `watchpost_raw` is read as autogen with a warning, and the points left in it are moved
// into autogen after start (raw-migration.ts).
//
// Rollups: next to the raw policy, `watchpost_5m` keeps 5-minute means of the performance measurements for 90 days,
// filled by one continuous query, so 90-day dashboard panels read about 26,000 points per series instead of millions.
// Fields keep InfluxDB's `mean(*)` names (`mean_used_percent`). The query is replaced when its definition changes.
//
// All of the above is InfluxQL that only InfluxDB 1.x runs. A backend that takes the 1.x /write and InfluxQL reads but
// has no continuous queries (InfluxDB 3, InfluxDB 2: backend.ts says how it is recognised) gets none of it: setup logs
// one warning and returns, raw points are written as everywhere, and the database, its retention and the rollup are
// the operator's (README, Scale: Time series).
import { escape, type InfluxDB } from 'influx';
import { parseDuration } from '../config/duration.js';
import { detectBackend, withoutContinuousQueriesMessage, type Backend } from './backend.js';

/** InfluxDB 1.x refuses retention policies shorter than one hour (0 means forever). */
export const MIN_RETENTION_MS = 3_600_000;

export interface RetentionPolicy {
  name: string;
  /** How long points are kept: "30d", "12h", or milliseconds; 0 or "0s" keeps them forever. */
  duration: string | number;
  /** Make it the database's default policy. Default true. */
  default?: boolean;
}

/** The policy raw points are written to unless the config names another. */
export const RAW_POLICY = 'autogen';
/** Where raw points were written before they went to autogen; a config naming it means autogen (rawPolicyName). */
export const LEGACY_RAW_POLICY = 'watchpost_raw';

export const DEFAULT_RETENTION_POLICY: RetentionPolicy = { name: RAW_POLICY, duration: '30d', default: true };

/** The policy a configured name writes to: the former default `watchpost_raw` means autogen. */
export function rawPolicyName(configured: string): string {
  return configured === LEGACY_RAW_POLICY ? RAW_POLICY : configured;
}

/** The shard group duration InfluxDB 1.x gives a policy it creates with this duration (ALTER keeps the old one). */
export function shardGroupMs(durationMs: number): number {
  if (durationMs === 0 || durationMs >= 180 * 86_400_000) return 7 * 86_400_000;
  return durationMs >= 2 * 86_400_000 ? 86_400_000 : 3_600_000;
}

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

/**
 * Creates the database when missing, and creates or alters the raw policy (rawPolicyName of policy.name) to the
 * duration, its shard group duration and, unless policy.default is false, the default flag. Idempotent. `warn` hears
 * a configured name that is deprecated, and the one line that says the backend runs no continuous queries, in which
 * case nothing is created or altered. Resolves with what the backend is (continuous queries or not).
 */
export async function ensureDatabase(
  influx: InfluxDB,
  database: string,
  policy: RetentionPolicy,
  durationMs: number,
  warn: (message: string) => void = () => undefined,
): Promise<Backend> {
  const name = rawPolicyName(policy.name);
  const backend = await detectBackend(influx, database);
  if (!backend.continuousQueries) {
    warn(withoutContinuousQueriesMessage(backend.reason, database, ROLLUPS));
    if (name !== policy.name) {
      warn(
        `retention policy "${policy.name}" is deprecated: raw points are written to "${name}"; this InfluxDB has no SELECT ... INTO, so the points left in "${policy.name}" are not moved; remove influx.retentionPolicy from the config`,
      );
    }
    return backend;
  }
  const names = await influx.getDatabaseNames();
  if (!names.includes(database)) await influx.createDatabase(database);
  if (name !== policy.name) {
    warn(
      `retention policy "${policy.name}" is deprecated: raw points are written to "${name}" and the points left in "${policy.name}" are moved there; remove influx.retentionPolicy from the config`,
    );
  }
  const isDefault = policy.default ?? true;
  const shardMs = shardGroupMs(durationMs);
  const existing = (await influx.showRetentionPolicies(database)).find((rp) => rp.name === name);
  const differs =
    !existing || goDurationMs(existing.duration) !== durationMs || goDurationMs(existing.shardGroupDuration) !== shardMs || (isDefault && !existing.default);
  if (differs) {
    const verb = existing ? 'ALTER' : 'CREATE';
    const seconds = (ms: number): string => `${Math.round(ms / 1000)}s`;
    const options = `DURATION ${seconds(durationMs)} REPLICATION 1 SHARD DURATION ${seconds(shardMs)}${isDefault ? ' DEFAULT' : ''}`;
    await execute(influx, `${verb} RETENTION POLICY ${escape.quoted(name)} ON ${escape.quoted(database)} ${options}`, database);
  }
  await ensureRollups(influx, database, name);
  return backend;
}

/** Runs a statement that changes something (POST, as InfluxDB 1.x wants) and throws the error InfluxDB reports. */
export async function execute(influx: InfluxDB, statement: string, database: string): Promise<InfluxResult> {
  const body = (await influx.queryRaw(statement, { database, method: 'POST' })) as { results: InfluxResult[] };
  return checked(body);
}

/** Runs a query (GET) and throws the error InfluxDB reports. */
export async function select(influx: InfluxDB, query: string, database: string): Promise<InfluxResult> {
  return checked((await influx.queryRaw(query, { database })) as { results: InfluxResult[] });
}

/** One statement's answer as InfluxDB 1.x's /query returns it. */
export interface InfluxResult {
  error?: string;
  series?: { name: string; tags?: Record<string, string>; columns: string[]; values?: unknown[][] }[];
}

/** The first statement's result of a /query answer; throws the error InfluxDB put in it. */
export function checked(body: { results: InfluxResult[] }): InfluxResult {
  const result = body.results[0] ?? {};
  if (result.error) throw new Error(result.error);
  return result;
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
  const series = checked((await influx.queryRaw('SHOW CONTINUOUS QUERIES')) as { results: InfluxResult[] }).series?.find((s) => s.name === database);
  return (series?.values ?? []).map(([name, query]) => ({ name: String(name), query: String(query) }));
}

/** Fills the rollups from the raw points of the last `sinceMs` (a continuous query only covers time after its
 *  creation): for an existing database that gets rollups, and for tests. Safe to repeat (same points rewritten).
 *  A backend without continuous queries has no SELECT ... INTO either: nothing is run, `warn` hears why. */
export async function backfillRollups(
  influx: InfluxDB,
  database: string,
  source: string,
  sinceMs: number,
  rollups: readonly Rollup[] = ROLLUPS,
  warn: (message: string) => void = () => undefined,
): Promise<Backend> {
  const backend = await detectBackend(influx, database);
  if (!backend.continuousQueries) {
    warn(withoutContinuousQueriesMessage(backend.reason, database, rollups));
    return backend;
  }
  for (const rollup of rollups) await influx.query(rollupSelect(database, source, rollup, `time > now() - ${Math.round(sinceMs)}ms`), { database });
  return backend;
}
