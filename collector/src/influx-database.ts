// The database and retention policy the writer writes to, created (or corrected) through the `influx` package.
//
// Default retention policy: `watchpost_raw`, 30 days, the database's default. Reasons:
//   1. Raw points from tens of thousands of endpoints grow without bound under `autogen` (infinite); 30 days covers
//      a month's service review, and Grafana dashboards rarely look further back at full resolution.
//   2. It is the DEFAULT policy, so Grafana (and any InfluxQL query that names no policy) finds the data.
//   3. A named policy leaves `autogen` untouched and leaves room for downsampled ones later (`watchpost_1h`).
// The configured duration is the truth: an existing policy with another duration is altered to match.
import type { InfluxDB } from 'influx';
import { parseDuration } from './duration.js';

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
}
