// Rollups next to the raw policy, autogen (collector/src/influx/database.ts), against a real influxd: the policy and
// the continuous query are created at start, idempotently, replaced when their definition changes, and a backfill
// writes the 5-minute means the continuous query would.
import { InfluxDB } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { backfillRollups, ensureDatabase, ensureRollups, ROLLUPS, type Rollup } from '../../../collector/src/influx/database.js';
import { migrateLegacyRaw } from '../../../collector/src/influx/raw-migration.js';

const RAW = { name: 'autogen', duration: '30d' };
const RAW_MS = 30 * 86_400_000;
const BUCKET_MS = 5 * 60_000;
let server: Influxd;
let counter = 0;

beforeAll(async () => {
  server = await startInfluxd();
});
afterAll(async () => {
  await server?.stop();
});

function database() {
  const name = `rollups_${++counter}`;
  return { name, influx: new InfluxDB({ host: '127.0.0.1', port: server.port, database: name }) };
}

/** [name, query] of one database's continuous queries, read over HTTP as InfluxDB lists them. */
async function continuousQueries(db: string): Promise<[string, string][]> {
  const body = (await (await fetch(`${server.url}/query?q=${encodeURIComponent('SHOW CONTINUOUS QUERIES')}`)).json()) as {
    results: { series?: { name: string; values?: [string, string][] }[] }[];
  };
  return body.results[0]?.series?.find((s) => s.name === db)?.values ?? [];
}

describe('rollups', () => {
  it('ensureDatabase creates the 90-day 5-minute policy (not the default) and one continuous query, idempotently', async () => {
    const { name, influx } = database();
    await ensureDatabase(influx, name, RAW, RAW_MS);
    await ensureDatabase(influx, name, RAW, RAW_MS);
    const policies = await influx.showRetentionPolicies(name);
    expect(policies.find((p) => p.name === 'watchpost_5m')).toMatchObject({ duration: '2160h0m0s', default: false });
    expect(policies.find((p) => p.name === 'autogen')).toMatchObject({ duration: '720h0m0s', default: true });
    const queries = await continuousQueries(name);
    expect(queries.map((q) => q[0])).toEqual(['watchpost_5m']);
    expect(queries[0]![1]).toContain(
      `SELECT mean(*) INTO ${name}.watchpost_5m.:MEASUREMENT FROM ${name}.autogen./^(cpu|mem|disk|net|system)$/ GROUP BY time(5m), *`,
    );
  });

  it('a changed definition replaces the continuous query', async () => {
    const { name, influx } = database();
    await ensureDatabase(influx, name, RAW, RAW_MS);
    const changed: Rollup[] = [{ ...ROLLUPS[0]!, measurements: ['cpu'] }];
    await ensureRollups(influx, name, RAW.name, changed);
    const queries = await continuousQueries(name);
    expect(queries.map((q) => q[0])).toEqual(['watchpost_5m']);
    expect(queries[0]![1]).toContain('./^(cpu)$/ GROUP BY');
  });

  it('a backfill writes the 5-minute mean of each field per series, tags kept, fields named mean_<field>', async () => {
    const { name, influx } = database();
    await ensureDatabase(influx, name, RAW, RAW_MS);
    const bucket = Math.floor((Date.now() - 3 * BUCKET_MS) / BUCKET_MS) * BUCKET_MS;
    const lines = [
      `disk,host=a,tenant=t,path=/ used_percent=10,total=100i ${bucket + 1000}`,
      `disk,host=a,tenant=t,path=/ used_percent=30,total=100i ${bucket + 2000}`,
      `disk,host=a,tenant=t,path=/data used_percent=50,total=100i ${bucket + 1000}`,
      `eventlog,host=a,tenant=t,channel=System message="not rolled up" ${bucket + 1000}`,
    ];
    const write = await fetch(`${server.url}/write?db=${name}&rp=autogen&precision=ms`, { method: 'POST', body: lines.join('\n') });
    expect(write.status).toBe(204);

    await backfillRollups(influx, name, RAW.name, RAW_MS);
    const rows = await influx.query<{ time: Date; path: string; mean_used_percent: number; mean_total: number }>(
      `SELECT * FROM "watchpost_5m"."disk" GROUP BY "path"`,
    );
    expect(rows.map((r) => ({ time: r.time.getTime(), path: r.path, mean_used_percent: r.mean_used_percent, mean_total: r.mean_total }))).toEqual([
      { time: bucket, path: '/', mean_used_percent: 20, mean_total: 100 },
      { time: bucket, path: '/data', mean_used_percent: 50, mean_total: 100 },
    ]);
    expect(await influx.query(`SELECT * FROM "watchpost_5m"."eventlog"`)).toHaveLength(0);
  });

  it('a database from before autogen: the continuous query is switched to autogen, and the rollup fills from the moved points', async () => {
    const { name, influx } = database();
    await influx.createDatabase(name);
    await influx.createRetentionPolicy('watchpost_raw', { database: name, duration: '2592000s', replication: 1, isDefault: true });
    await ensureRollups(influx, name, 'watchpost_raw');
    const bucket = Math.floor((Date.now() - 3 * BUCKET_MS) / BUCKET_MS) * BUCKET_MS;
    const lines = [`cpu,host=a,tenant=t,cpu=cpu-total usage_idle=80 ${bucket + 1000}`, `cpu,host=a,tenant=t,cpu=cpu-total usage_idle=90 ${bucket + 61_000}`];
    const write = await fetch(`${server.url}/write?db=${name}&rp=watchpost_raw&precision=ms`, { method: 'POST', body: lines.join('\n') });
    expect(write.status).toBe(204);

    await ensureDatabase(influx, name, RAW, RAW_MS);
    expect((await continuousQueries(name))[0]![1]).toContain(`FROM ${name}.autogen./^(cpu|mem|disk|net|system)$/`);
    const quiet = { info: () => undefined, warn: () => undefined };
    expect(await migrateLegacyRaw(influx, name, RAW.name, { log: quiet })).toMatchObject({ outcome: 'moved', copied: 2 });
    await backfillRollups(influx, name, RAW.name, RAW_MS);
    const rows = await influx.query<{ time: Date; host: string; mean_usage_idle: number }>(`SELECT * FROM "watchpost_5m"."cpu"`);
    expect(rows.map((r) => ({ time: r.time.getTime(), host: r.host, mean_usage_idle: r.mean_usage_idle }))).toEqual([
      { time: bucket, host: 'a', mean_usage_idle: 85 },
    ]);
  });
});
