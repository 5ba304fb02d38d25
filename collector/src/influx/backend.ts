// Which InfluxDB sits behind influx.url, as far as database setup needs to know: one that runs continuous queries
// (InfluxDB 1.x OSS and Enterprise), or one that takes the 1.x /write and InfluxQL reads on /query but manages nothing
// through InfluxQL (InfluxDB 3 Core, Enterprise, Cloud Dedicated and Clustered; InfluxDB 2). The second kind refuses
// CREATE DATABASE, CREATE/ALTER RETENTION POLICY, SHOW/CREATE CONTINUOUS QUERY and SELECT ... INTO, so on it the
// collector writes raw points and leaves the database, its retention and the 5-minute rollup to the operator
// (README, Scale: Time series). Decided from what the server answers, never from configuration.
//
// Decision: the backend has no continuous queries when either
//   1. its /ping names a major version of 2 or more in X-Influxdb-Version ("3.8.0" with X-Influxdb-Build "Core" or
//      "Enterprise"; "v2.7.11" with "OSS"). InfluxDB 1.x says 1.x, and InfluxDB Enterprise 1.x also sends the build
//      "Enterprise", so the build alone decides nothing. A /ping that needs credentials the collector lacks (InfluxDB 3
//      requires a token for it by default) names no version: rule 2 decides.
//   2. it answers SHOW CONTINUOUS QUERIES with a statement error (2xx, and `error` in results[0]). InfluxDB 3's
//      parser refuses the statement that way ("invalid SHOW statement, expected DATABASES, FIELD KEYS, ...");
//      another 1.x-compatible server without continuous queries says so in its own words, so any statement error
//      counts. InfluxDB 1.x answers it with the list for every database even when its continuous query service is
//      disabled in influxd.conf (the list lives in the meta store: a disabled service cannot be detected, and needs
//      nothing different here), and refuses a user without the privilege with HTTP 401/403, not a statement error.
// Anything else (401/403, 5xx, a timeout, no answer) is no verdict: it is thrown, database setup fails as before and
// is retried when the writer next prepares the database.
import { ResultError, type InfluxDB } from 'influx';

/** How long database setup waits for /ping; a server that does not answer in time is judged by rule 2. */
export const PING_TIMEOUT_MS = 2000;

/** continuousQueries false: the backend runs none and takes no InfluxQL management statement; `reason` says how we know. */
export type Backend = { continuousQueries: true } | { continuousQueries: false; reason: string };

/** The X-Influxdb-Version and X-Influxdb-Build headers of a /ping answer (absent when it did not answer, or not with them). */
export interface PingIdentity {
  version?: string;
  build?: string;
}

/** Rule 1: the reason a /ping identity shows a backend without continuous queries, or undefined. */
export function reasonFromPing(identity: PingIdentity): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(identity.version ?? '')?.[1]);
  if (!(major >= 2)) return undefined;
  return `its /ping says InfluxDB ${identity.version}${identity.build ? ` (${identity.build})` : ''}`;
}

/** Rule 2: the reason a statement error on SHOW CONTINUOUS QUERIES shows a backend without them. */
export function reasonFromRefusal(statementError: string): string {
  return `it refuses SHOW CONTINUOUS QUERIES: ${statementError.replace(/^Error from InfluxDB: /, '')}`;
}

/**
 * Asks /ping, then (unless the ping decided) SHOW CONTINUOUS QUERIES. Throws what is no verdict (an HTTP error, no
 * answer). The query goes through showContinousQueries(), which sends only db and q: the package's query() and
 * queryRaw() also send an empty `epoch=`, which InfluxDB 3 refuses with 400 before it reads the statement.
 */
export async function detectBackend(influx: InfluxDB, database: string, pingTimeoutMs = PING_TIMEOUT_MS): Promise<Backend> {
  const [host] = await influx.ping(pingTimeoutMs);
  const headers = host?.res?.headers ?? {};
  const header = (name: string): string | undefined => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const byPing = reasonFromPing({ version: header('x-influxdb-version'), build: header('x-influxdb-build') });
  if (byPing) return { continuousQueries: false, reason: byPing };
  try {
    await influx.showContinousQueries(database);
    return { continuousQueries: true };
  } catch (error) {
    if (error instanceof ResultError) return { continuousQueries: false, reason: reasonFromRefusal(error.message) };
    throw error;
  }
}

/** The one line database setup logs on a backend without continuous queries. */
export function withoutContinuousQueriesMessage(reason: string, database: string, rollups: readonly { policy: string }[]): string {
  return (
    `InfluxDB runs no continuous queries here (${reason}): the collector writes raw points to "${database}" but does not ` +
    `create the database, set its retention or maintain the rollup ${rollups.map((r) => r.policy).join(', ')}; the 90-day dashboard panels ` +
    `stay empty until a rollup job fills it (README: Scale, "Time series")`
  );
}
