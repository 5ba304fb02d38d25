// The move of raw points from the former raw policy `watchpost_raw` into autogen (collector/src/influx/raw-migration.ts)
// against a real influxd. Each test builds a database the way earlier collectors did (watchpost_raw, 30 days, the
// default, the rollup's continuous query reading it) with tagged points of every field type over several shard
// groups, then checks what autogen holds afterwards against what watchpost_raw held before, point by point.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxDB } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';
import { until } from '../../helpers/until.js';
import { ensureDatabase, ensureRollups } from '../../../collector/src/influx/database.js';
import { migrateLegacyRaw, type MigrationOptions } from '../../../collector/src/influx/raw-migration.js';
import { createInfluxWriter, type WriterLogger } from '../../../collector/src/influx/writer.js';
import { loadConfig } from '../../../collector/src/config/config.js';

const DAY_MS = 86_400_000;
const RAW = { name: 'autogen', duration: '30d' };
const RAW_MS = 30 * DAY_MS;
const cleanups = cleanupsAfterEach();
let server: Influxd;
let counter = 0;

/** Milliseconds (plus microseconds) as a line-protocol time in ns, exactly: ns times are beyond a double's integers. */
const ns = (ms: number, us = 0): string => `${(BigInt(Math.floor(ms)) * 1000n + BigInt(us)) * 1000n}`;

beforeAll(async () => {
  server = await startInfluxd();
});
afterAll(async () => {
  await server?.stop();
});

interface Logged {
  level: 'info' | 'warn' | 'error';
  msg: string;
  obj: object;
}

function recorder(): { logger: WriterLogger; logged: Logged[] } {
  const logged: Logged[] = [];
  const at = (level: Logged['level']) => (obj: object, msg?: string) => logged.push({ level, msg: msg ?? '', obj });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, logged };
}

/** A database as collectors before autogen left it: watchpost_raw (30 days, default) and the rollup reading it. */
async function oldLayout(): Promise<{ db: string; influx: InfluxDB }> {
  const db = `migration_${++counter}`;
  const influx = new InfluxDB({ host: '127.0.0.1', port: server.port, database: db });
  await influx.createDatabase(db);
  await influx.createRetentionPolicy('watchpost_raw', { database: db, duration: '2592000s', replication: 1, isDefault: true });
  await ensureRollups(influx, db, 'watchpost_raw');
  return { db, influx };
}

/**
 * Points over the last three days and one a day ahead (an agent whose clock runs fast): five shard groups. Every
 * field type, tags with spaces and commas, a measurement name that needs quoting, times with microseconds.
 */
function oldPoints(now: number): string[] {
  const lines: string[] = [];
  for (let t = now - 3 * DAY_MS; t < now; t += 20 * 60_000) {
    for (const host of ['srv-01', 'srv-02']) {
      lines.push(`cpu,host=${host},tenant=acme,cpu=cpu-total usage_idle=${(t % 97) + 0.5},usage_user=1.25 ${ns(t, 7)}`);
    }
  }
  for (let t = now - 3 * DAY_MS; t < now; t += 3 * 3_600_000) {
    lines.push(`disk,host=srv-01,tenant=acme,path=/ free=${t % 1_000_000}i,used_percent=42.5,mode="rw",readonly=false ${ns(t)}`);
    lines.push(`disk,host=srv-01,tenant=acme,path=C:\\Program\\ Files\\,\\ x free=9007199254740991i,used_percent=1,mode="ro",readonly=true ${ns(t)}`);
  }
  lines.push(`odd\\ name\\,1,host=srv-02,tenant=beta message="say \\"hi\\"",ok=true,count=3i ${ns(now - DAY_MS / 2, 1)}`);
  lines.push(`system,host=srv-02,tenant=beta uptime_seconds=123i ${ns(now + DAY_MS)}`);
  return lines;
}

async function write(db: string, policy: string, lines: string[]): Promise<void> {
  const response = await fetch(`${server.url}/write?db=${db}&rp=${policy}&precision=ns`, { method: 'POST', body: lines.join('\n') });
  expect(response.status, await response.text()).toBe(204);
}

async function query(q: string): Promise<{ series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[] }> {
  const body = (await (await fetch(`${server.url}/query?epoch=u&q=${encodeURIComponent(q)}`)).json()) as { results: { error?: string }[] };
  expect(body.results[0]?.error).toBeUndefined();
  return body.results[0] as never;
}

/** Every point of a policy as "measurement tags fields time", tags and non-null fields sorted, the list sorted. */
async function points(db: string, policy: string): Promise<string[]> {
  const result = await query(`SELECT * FROM "${db}"."${policy}"./.*/ WHERE time > 0 GROUP BY *`);
  const out: string[] = [];
  for (const series of result.series ?? []) {
    const tags = Object.entries(series.tags ?? {}).filter(([, v]) => v !== '');
    for (const row of series.values) {
      const fields = series.columns.map((c, i) => [c, row[i]] as const).filter(([c, v]) => c !== 'time' && v !== null);
      out.push(JSON.stringify([series.name, tags.sort(), fields.sort(), row[0]]));
    }
  }
  return out.sort();
}

/** measurement -> field -> type, from the policy's own shards. */
async function fieldTypes(db: string, policy: string): Promise<Record<string, Record<string, string>>> {
  const result = await query(`SHOW FIELD KEYS ON "${db}" FROM "${policy}"./.*/`);
  return Object.fromEntries((result.series ?? []).map((s) => [s.name, Object.fromEntries(s.values.map(([k, t]) => [k, t]))]));
}

async function policyNames(influx: InfluxDB, db: string): Promise<string[]> {
  return (await influx.showRetentionPolicies(db)).map((p) => p.name);
}

/** The old layout with its points, what it holds, and the database set up as the collector now does at start. */
async function upgraded(): Promise<{ db: string; influx: InfluxDB; before: string[]; types: Record<string, Record<string, string>> }> {
  const { db, influx } = await oldLayout();
  await write(db, 'watchpost_raw', oldPoints(Date.now()));
  const before = await points(db, 'watchpost_raw');
  const types = await fieldTypes(db, 'watchpost_raw');
  await ensureDatabase(influx, db, RAW, RAW_MS);
  return { db, influx, before, types };
}

const quietLog: MigrationOptions['log'] = { info: () => undefined, warn: () => undefined };

describe('moving watchpost_raw into autogen', () => {
  it('through the writer, configured with the former policy name: every point in autogen with its tags and field types, new points beside them, the old policy dropped', async () => {
    const { db, influx } = await oldLayout();
    await write(db, 'watchpost_raw', oldPoints(Date.now()));
    const before = await points(db, 'watchpost_raw');
    const types = await fieldTypes(db, 'watchpost_raw');
    expect(before).toHaveLength(2 * 216 + 2 * 24 + 2);
    expect(types).toEqual({
      cpu: { usage_idle: 'float', usage_user: 'float' },
      disk: { free: 'integer', mode: 'string', readonly: 'boolean', used_percent: 'float' },
      'odd name,1': { count: 'integer', message: 'string', ok: 'boolean' },
      system: { uptime_seconds: 'integer' },
    });

    // A config file from before the change, loaded and turned into a writer as `serve` does.
    const dir = await mkdtemp(join(tmpdir(), 'watchpost-migration-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'collector.yaml');
    await writeFile(file, `influx:\n  url: "${server.url}"\n  database: "${db}"\n  retentionPolicy: "watchpost_raw"\n  retention: "30d"\n`);
    const config = loadConfig({ file, env: {} });
    const { logger, logged } = recorder();
    const writer = createInfluxWriter({
      url: config.influx.url,
      database: config.influx.database,
      retentionPolicy: { name: config.influx.retentionPolicy, duration: config.influx.retention },
      logger,
      pingIntervalMs: 0,
    });
    cleanups.push(() => writer.close());
    await writer.ensureDatabase();
    const fresh = Date.now();
    const written = writer.write([`cpu,host=srv-03,tenant=acme,cpu=cpu-total usage_idle=50 ${fresh}`]);
    await writer.flush();
    expect(await written).toEqual({ ok: true });
    await until(async () => !(await policyNames(influx, db)).includes('watchpost_raw'), 60_000, 'watchpost_raw dropped');

    const newPoint = JSON.stringify([
      'cpu',
      [
        ['cpu', 'cpu-total'],
        ['host', 'srv-03'],
        ['tenant', 'acme'],
      ],
      [['usage_idle', 50]],
      fresh * 1000,
    ]);
    expect(await points(db, 'autogen')).toEqual([...before, newPoint].sort());
    expect(await fieldTypes(db, 'autogen')).toEqual(types);
    expect([...(await influx.showRetentionPolicies(db))]).toEqual([
      expect.objectContaining({ name: 'autogen', duration: '720h0m0s', shardGroupDuration: '24h0m0s', default: true }),
      expect.objectContaining({ name: 'watchpost_5m', default: false }),
    ]);
    const queries = (await query('SHOW CONTINUOUS QUERIES')).series?.find((s) => s.name === db)?.values ?? [];
    expect(queries.map(([, q]) => q)).toEqual([expect.stringContaining(`FROM ${db}.autogen./^(cpu|mem|disk|net|system)$/`)]);
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'warn', msg: expect.stringContaining('"watchpost_raw" is deprecated') }),
        expect.objectContaining({ level: 'info', msg: 'moving raw points from the former policy watchpost_raw into autogen, newest first' }),
        expect.objectContaining({
          level: 'info',
          msg: 'moved the raw points of watchpost_raw into autogen and dropped watchpost_raw',
          obj: expect.objectContaining({ points: before.length, copied: before.length, passes: 2 }),
        }),
      ]),
    );
  });

  it('in bounded ranges, newest first, each verified: a small copy budget splits the days into many ranges, and the counts match exactly', async () => {
    const { db, influx, before, types } = await upgraded();
    const ranges: { from: number; to: number; copied: number }[] = [];
    const report = await migrateLegacyRaw(influx, db, 'autogen', { log: quietLog, maxValuesPerCopy: 60, onRange: (r) => ranges.push(r) });

    expect(report).toEqual({ outcome: 'moved', points: before.length, copied: before.length, passes: 2 });
    const firstPass = ranges.slice(
      0,
      ranges.findIndex((r, i) => i > 0 && r.to > ranges[i - 1]!.to),
    );
    expect(firstPass.length).toBeGreaterThan(10);
    expect(firstPass.every((r, i) => i === 0 || r.to <= firstPass[i - 1]!.from)).toBe(true); // newest first, no overlap
    expect(firstPass.reduce((n, r) => n + r.copied, 0)).toBe(before.length);
    expect(await points(db, 'autogen')).toEqual(before);
    expect(await fieldTypes(db, 'autogen')).toEqual(types);
    expect(await policyNames(influx, db)).toEqual(['autogen', 'watchpost_5m']);
    expect(await migrateLegacyRaw(influx, db, 'autogen', { log: quietLog })).toEqual({ outcome: 'none', points: 0, copied: 0, passes: 0 });
  });

  it('interrupted after some ranges (close(), a killed collector), the next start copies the rest without duplicating anything', async () => {
    const { db, influx, before } = await upgraded();
    const stop = new AbortController();
    const { logger, logged } = recorder();
    const options = { log: logger, maxValuesPerCopy: 60, signal: stop.signal };
    const first = await migrateLegacyRaw(influx, db, 'autogen', { ...options, onRange: (r) => r.copied > 0 && stop.abort() });
    expect(first).toMatchObject({ outcome: 'kept', reason: 'stopped' });
    expect(logged.at(-1)).toMatchObject({ level: 'warn', msg: expect.stringContaining('watchpost_raw is kept and the move resumes at the next start') });
    const partial = await points(db, 'autogen');
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(before.length);
    expect(await points(db, 'watchpost_raw')).toEqual(before);

    const second = await migrateLegacyRaw(influx, db, 'autogen', { log: quietLog, maxValuesPerCopy: 60 });
    expect(second).toMatchObject({ outcome: 'moved', points: before.length, copied: before.length - partial.length });
    expect(await points(db, 'autogen')).toEqual(before);
    expect(await policyNames(influx, db)).toEqual(['autogen', 'watchpost_5m']);
  });

  it('killed in the middle of a copy, or after the copy and before the drop: the next start completes it', async () => {
    // Mid-copy: one measurement of the newest day copied, as far as a SELECT INTO that was cut off could get.
    const mid = await upgraded();
    await query(`SELECT * INTO "${mid.db}"."autogen".:MEASUREMENT FROM "${mid.db}"."watchpost_raw"."cpu" WHERE time > now() - 1d GROUP BY *`);
    const report = await migrateLegacyRaw(mid.influx, mid.db, 'autogen', { log: quietLog });
    expect(report).toMatchObject({ outcome: 'moved', points: mid.before.length });
    expect(report.copied).toBeLessThan(mid.before.length);
    expect(await points(mid.db, 'autogen')).toEqual(mid.before);

    // Everything copied, the old policy not yet dropped: nothing is copied again, and it is dropped.
    const late = await upgraded();
    await query(`SELECT * INTO "${late.db}"."autogen".:MEASUREMENT FROM "${late.db}"."watchpost_raw"./.*/ WHERE time > 0 GROUP BY *`);
    expect(await migrateLegacyRaw(late.influx, late.db, 'autogen', { log: quietLog })).toEqual({
      outcome: 'moved',
      points: late.before.length,
      copied: 0,
      passes: 1,
    });
    expect(await points(late.db, 'autogen')).toEqual(late.before);
    expect(await policyNames(late.influx, late.db)).toEqual(['autogen', 'watchpost_5m']);
  });

  it("the writer's close() stops the move, and the next writer finishes it", async () => {
    const { db, influx, before } = await upgraded();
    const { logger, logged } = recorder();
    const writerOn = () => createInfluxWriter({ url: server.url, database: db, logger, pingIntervalMs: 0 });
    const first = writerOn();
    await first.ensureDatabase();
    await first.close();
    expect(logged.at(-1)).toMatchObject({ level: 'warn', obj: expect.objectContaining({ reason: 'stopped' }) });
    expect(await policyNames(influx, db)).toContain('watchpost_raw');

    const second = writerOn();
    cleanups.push(() => second.close());
    await second.ensureDatabase();
    await until(async () => !(await policyNames(influx, db)).includes('watchpost_raw'), 60_000, 'watchpost_raw dropped');
    expect(await points(db, 'autogen')).toEqual(before);
  });

  it('points the collector wrote into autogen meanwhile, in the same ranges, are kept beside the moved ones', async () => {
    const { db, influx, before } = await upgraded();
    const now = Date.now();
    const meanwhile = [
      `cpu,host=srv-09,tenant=acme,cpu=cpu-total usage_idle=1 ${ns(now - DAY_MS)}`,
      `disk,host=srv-01,tenant=acme,path=/ free=1i ${ns(now - 1000)}`,
    ];
    await write(db, 'autogen', meanwhile);
    expect(await migrateLegacyRaw(influx, db, 'autogen', { log: quietLog })).toMatchObject({ outcome: 'moved', copied: before.length });
    const after = await points(db, 'autogen');
    expect(after).toHaveLength(before.length + 2);
    expect(after).toEqual(expect.arrayContaining(before));
  });

  it('keeps the old policy when points keep arriving in it (a collector of an earlier version still writing there)', async () => {
    const { db, influx } = await upgraded();
    const { logger, logged } = recorder();
    let t = Date.now() - 60_000;
    const report = await migrateLegacyRaw(influx, db, 'autogen', {
      log: logger,
      onRange: () => void write(db, 'watchpost_raw', [`cpu,host=old,tenant=acme usage_idle=1 ${ns(++t)}`]),
    });
    expect(report).toMatchObject({ outcome: 'kept', passes: 3, reason: expect.stringContaining('points kept arriving in watchpost_raw') });
    expect(logged.at(-1)).toMatchObject({ level: 'warn', msg: expect.stringContaining('kept watchpost_raw') });
    expect(await policyNames(influx, db)).toContain('watchpost_raw');
  });

  it('stops and keeps the old policy when a copy fails (a field type conflict), reporting why', async () => {
    const { db, influx, before } = await upgraded();
    const newest = JSON.parse(before.filter((p) => p.startsWith('["disk"')).at(-1)!) as [string, string[][], unknown, number];
    await write(db, 'autogen', [`disk,host=srv-01,tenant=acme,path=/ free="a string" ${ns(newest[3] / 1000 - 1)}`]);
    const report = await migrateLegacyRaw(influx, db, 'autogen', { log: quietLog });
    expect(report).toMatchObject({ outcome: 'kept', reason: expect.stringMatching(/field type conflict/) });
    expect(await policyNames(influx, db)).toContain('watchpost_raw');
    expect(await points(db, 'watchpost_raw')).toEqual(before);
  });

  it('leaves behind points within minutes of leaving the retention (autogen would refuse them), and still drops the old policy', async () => {
    const { db, influx } = await oldLayout();
    const now = Date.now();
    await write(db, 'watchpost_raw', [`mem used_percent=1 ${ns(now - RAW_MS + 5 * 60_000)}`, `mem used_percent=2 ${ns(now - DAY_MS)}`]);
    await ensureDatabase(influx, db, RAW, RAW_MS);
    expect(await migrateLegacyRaw(influx, db, 'autogen', { log: quietLog })).toMatchObject({ outcome: 'moved', points: 1, copied: 1 });
    expect((await points(db, 'autogen')).map((p) => JSON.parse(p) as unknown[])).toEqual([['mem', [], [['used_percent', 2]], (now - DAY_MS) * 1000]]);
  });

  it('does nothing on a database without the old policy', async () => {
    const influx = new InfluxDB({ host: '127.0.0.1', port: server.port, database: 'fresh' });
    await ensureDatabase(influx, 'fresh', RAW, RAW_MS);
    const { logger, logged } = recorder();
    expect(await migrateLegacyRaw(influx, 'fresh', 'autogen', { log: logger })).toEqual({ outcome: 'none', points: 0, copied: 0, passes: 0 });
    expect(logged).toEqual([]);
  });
});
