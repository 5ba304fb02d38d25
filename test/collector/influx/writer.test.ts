// The InfluxDB writer against a real influxd (test/helpers/influxd.ts). No timing assertions: batching by time
// uses an injected timer, retries an injected sleep, and health is checked with checkHealth().
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxDB } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import {
  createInfluxWriter,
  type InfluxWriter,
  type InfluxWriterOptions,
  type WriteResult,
  type WriterLogger,
  type WriterTimers,
} from '../../../collector/src/influx/writer.js';
import { samplesToLines } from '../../../collector/src/influx/line-protocol.js';

const T = Date.UTC(2025, 0, 1); // fixed times: the tests' retention policy is infinite, so they never expire
const quiet: WriterLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const NO_TIMERS: WriterTimers = { setTimeout: () => 0, clearTimeout: () => undefined };
let server: Influxd;

/** write() then flush(): the result of a batch sent now. */
async function writeNow(writer: InfluxWriter, lines: string[]): Promise<WriteResult> {
  const result = writer.write(lines);
  await writer.flush();
  return result;
}
let dbCounter = 0;

beforeAll(async () => {
  server = await startInfluxd();
});
afterAll(async () => {
  await server?.stop();
});

/** A writer on its own database, an infinite retention policy (fixed test times never expire), no waiting. */
function writerFor(url: string, over: Partial<InfluxWriterOptions> = {}) {
  const database = `test_${++dbCounter}`;
  const writer = createInfluxWriter({
    url,
    database,
    retentionPolicy: { name: 'raw', duration: '0s' },
    pingIntervalMs: 0,
    timers: NO_TIMERS, // batches leave on batchSize or an explicit flush()
    sleep: async () => undefined,
    logger: quiet,
    ...over,
  });
  const influx = new InfluxDB({ host: '127.0.0.1', port: Number(new URL(url).port), database });
  return { writer, influx, database };
}

describe('ensureDatabase', () => {
  it("alters autogen to the retention, with InfluxDB's shard groups for it, as the default, idempotently, and corrects the duration", async () => {
    const { writer, influx, database } = writerFor(server.url, { retentionPolicy: { name: 'autogen', duration: '30d' } });
    await writer.ensureDatabase();
    await writer.ensureDatabase();
    expect(await influx.getDatabaseNames()).toContain(database);
    expect([...(await influx.showRetentionPolicies(database))]).toEqual([
      expect.objectContaining({ name: 'autogen', duration: '720h0m0s', shardGroupDuration: '24h0m0s', default: true }),
      expect.objectContaining({ name: 'watchpost_5m', default: false }),
    ]);

    const longer = writerFor(server.url, { database, retentionPolicy: { name: 'autogen', duration: '365d' } });
    await longer.writer.ensureDatabase();
    const altered = (await influx.showRetentionPolicies(database)).filter((p) => p.name === 'autogen');
    expect(altered).toEqual([expect.objectContaining({ duration: '8760h0m0s', shardGroupDuration: '168h0m0s', default: true })]);
    await Promise.all([writer.close(), longer.writer.close()]);
  });

  it('without a policy configured, points written through the writer answer queries that name "autogen" (as Telegraf dashboards do) and queries that name none', async () => {
    const { writer, influx, database } = writerFor(server.url, { retentionPolicy: undefined });
    await writer.ensureDatabase();
    const now = Date.now();
    const { lines } = samplesToLines(
      [{ measurement: 'cpu', timeMs: now, tags: [{ key: 'cpu', value: 'cpu-total' }], fields: [{ key: 'usage_idle', float: 87.5 }] }],
      { host: 'srv-01', tenant: 'acme' },
      { nowMs: now },
    );
    expect(await writeNow(writer, lines)).toEqual({ ok: true });
    await writer.close();
    const telegraf = await influx.query<{ usage_idle: number }>(
      `SELECT "usage_idle" FROM "${database}"."autogen"."cpu" WHERE "host" = 'srv-01' AND time > now() - 1h`,
    );
    expect(telegraf.map((r) => r.usage_idle)).toEqual([87.5]);
    expect((await influx.query<{ usage_idle: number }>('SELECT "usage_idle" FROM "cpu"')).map((r) => r.usage_idle)).toEqual([87.5]);
    expect((await influx.showRetentionPolicies(database)).map((p) => p.name)).toEqual(['autogen', 'watchpost_5m']);
  });

  it('the former default name "watchpost_raw" writes to autogen and says it is deprecated', async () => {
    const warnings: string[] = [];
    const logger: WriterLogger = { ...quiet, warn: (_obj, msg) => warnings.push(msg ?? '') };
    const { writer, influx, database } = writerFor(server.url, { retentionPolicy: { name: 'watchpost_raw', duration: '30d' }, logger });
    await writer.ensureDatabase();
    expect(await writeNow(writer, [`m v=1i ${Date.now()}`])).toEqual({ ok: true });
    await writer.close();
    expect(warnings).toEqual([expect.stringMatching(/"watchpost_raw" is deprecated: raw points are written to "autogen".*remove influx\.retentionPolicy/)]);
    expect((await influx.showRetentionPolicies(database)).map((p) => [p.name, p.default])).toEqual([
      ['autogen', true],
      ['watchpost_5m', false],
    ]);
    expect(await influx.query('SELECT "v" FROM "autogen"."m"')).toHaveLength(1);
  });
});

describe('writing', () => {
  it('stores what it acknowledges; integers stay integers; escaped names and strings round-trip', async () => {
    const { writer, influx } = writerFor(server.url);
    await writer.ensureDatabase();
    const { lines } = samplesToLines(
      [
        {
          measurement: 'odd name,1',
          timeMs: T,
          tags: [{ key: 'path', value: 'C:\\Program Files, x=1' }],
          fields: [
            { key: 'free', int: 9_007_199_254_740_991 },
            { key: 'used percent', float: 12.5 },
            { key: 'message', str: 'say "hi"\nline two \\' },
            { key: 'ok', bool: true },
          ],
        },
      ],
      { host: 'srv-01', tenant: 'acme' },
      { nowMs: T },
    );
    expect(await writeNow(writer, lines)).toEqual({ ok: true });
    await writer.close();

    const keys = await influx.query<{ fieldKey: string; fieldType: string }>('SHOW FIELD KEYS FROM "odd name,1"');
    expect(Object.fromEntries(keys.map((k) => [k.fieldKey, k.fieldType]))).toEqual({
      free: 'integer',
      'used percent': 'float',
      message: 'string',
      ok: 'boolean',
    });
    const rows = await influx.queryRaw('SELECT * FROM "odd name,1"', { precision: 'ms' });
    expect(rows.results[0].series[0].columns).toEqual(['time', 'free', 'host', 'message', 'ok', 'path', 'tenant', 'used percent']);
    expect(rows.results[0].series[0].values).toEqual([
      [T, 9_007_199_254_740_991, 'srv-01', 'say "hi"\nline two \\', true, 'C:\\Program Files, x=1', 'acme', 12.5],
    ]);
    expect(writer.counters).toMatchObject({ pointsWritten: 1, batchesWritten: 1, writeErrors: 0 });
  });

  it('a replayed point (same series and time) replaces the stored one instead of adding one', async () => {
    const { writer, influx } = writerFor(server.url);
    await writer.ensureDatabase();
    expect(await writeNow(writer, [`disk,host=a,tenant=t free=1i ${T}`])).toEqual({ ok: true });
    await writer.flush();
    expect(await writeNow(writer, [`disk,host=a,tenant=t free=2i ${T}`])).toEqual({ ok: true });
    await writer.close();
    const rows = await influx.query<{ count: number }>('SELECT count(free) FROM disk');
    expect(rows[0]?.count).toBe(1);
    expect((await influx.query<{ free: number }>('SELECT free FROM disk'))[0]?.free).toBe(2);
  });

  it('sends a batch when it reaches batchSize, and not before', async () => {
    const { writer, influx } = writerFor(server.url, { batchSize: 3, flushIntervalMs: 3_600_000 });
    await writer.ensureDatabase();
    const first = writer.write([`m v=1 ${T}`, `m v=2 ${T + 1}`]);
    expect(writer.status().pending).toBe(2);
    expect(writer.counters.batchesWritten).toBe(0);
    const second = writer.write([`m v=3 ${T + 2}`, `m v=4 ${T + 3}`]); // fills the batch: 3 points, 1 left over
    expect(await first).toEqual({ ok: true });
    expect(writer.counters).toMatchObject({ batchesWritten: 1, pointsWritten: 3 });
    expect(writer.status().pending).toBe(1);
    await writer.flush();
    expect(await second).toEqual({ ok: true });
    expect(writer.counters).toMatchObject({ batchesWritten: 2, pointsWritten: 4 });
    expect((await influx.query<{ count: number }>('SELECT count(v) FROM m'))[0]?.count).toBe(4);
    await writer.close();
  });

  it("seals a batch at MAX_BATCH_BYTES of encoded lines: one caller's big lines go in several requests, all stored", async () => {
    const { writer, influx } = writerFor(server.url, { batchSize: 1000 });
    await writer.ensureDatabase();
    const big = (i: number): string => `m s="${String(i).repeat(1_500_000)}" ${T + i}`; // 1.5 MB each (i < 10)
    const result = writer.write([1, 2, 3, 4, 5].map(big));
    await writer.flush();
    expect(await result).toEqual({ ok: true });
    expect(writer.counters.pointsWritten).toBe(5);
    expect(writer.counters.batchesWritten).toBeGreaterThanOrEqual(2); // 7.5 MB cannot go in one 4 MB request
    expect((await influx.query<{ count: number }>('SELECT count(s) FROM m'))[0]?.count).toBe(5);
    await writer.close();
  });

  it('sends a partial batch when the flush timer fires', async () => {
    const fired: { fn: () => void; ms: number }[] = [];
    const timers: WriterTimers = { setTimeout: (fn, ms) => fired.push({ fn, ms }), clearTimeout: () => undefined };
    const { writer } = writerFor(server.url, { batchSize: 100, flushIntervalMs: 750, timers });
    await writer.ensureDatabase();
    const result = writer.write([`m v=1 ${T}`]);
    expect(fired.map((t) => t.ms)).toEqual([750]);
    expect(writer.counters.batchesWritten).toBe(0);
    fired[0]?.fn();
    expect(await result).toEqual({ ok: true });
    expect(writer.counters.batchesWritten).toBe(1);
    await writer.close();
  });

  it('a field type conflict fails only the caller that sent it, for good, and does not block others', async () => {
    const { writer, influx } = writerFor(server.url, { batchSize: 1000 });
    await writer.ensureDatabase();
    expect(await writeNow(writer, [`m f=1i ${T}`])).toEqual({ ok: true });
    // Three callers share one batch; the middle one conflicts with the stored integer type.
    const good1 = writer.write([`m f=2i ${T + 1}`]);
    const bad = writer.write([`m f=2.5 ${T + 2}`, `m f=3i ${T + 3}`]);
    const good2 = writer.write([`other g=1 ${T}`]);
    await writer.flush();
    expect(await good1).toEqual({ ok: true });
    expect(await good2).toEqual({ ok: true });
    // Only InfluxDB's dropped=1 is refused: the bad caller's f=3i is stored, and its result says so.
    expect(await bad).toEqual({ ok: false, retryable: false, reason: expect.stringContaining('field type conflict'), rejected: 1 });
    expect(writer.counters).toMatchObject({ pointsRejected: 1, pointsWritten: 4 });
    expect(writer.status().healthy).toBe(true);
    expect(await writeNow(writer, [`m f=4i ${T + 4}`])).toEqual({ ok: true });
    expect((await influx.query<{ count: number }>('SELECT count(f) FROM m'))[0]?.count).toBe(4);
    await writer.close();
  });

  it("a caller's lines over several batches: the points refused in each add up, the rest is stored", async () => {
    const { writer, influx } = writerFor(server.url, { batchSize: 3 });
    await writer.ensureDatabase();
    expect(await writeNow(writer, [`n f=1i ${T}`])).toEqual({ ok: true });
    const lines = [`n f=2i ${T + 1}`, `n f=2.5 ${T + 2}`, `n f=3i ${T + 3}`, `n f=4i ${T + 4}`, `n f=4.5 ${T + 5}`, `n f=5i ${T + 6}`];
    const result = await writeNow(writer, lines);
    expect(result).toEqual({ ok: false, retryable: false, reason: expect.stringContaining('field type conflict'), rejected: 2 });
    expect((await influx.query<{ count: number }>('SELECT count(f) FROM n'))[0]?.count).toBe(5);
    expect(writer.counters).toMatchObject({ pointsRejected: 2, pointsWritten: 5 });
    await writer.close();
  });
});

describe('InfluxDB outage', () => {
  it('fails fast and retryable while InfluxDB is down, and recovers when it is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'watchpost-outage-'));
    let own = await startInfluxd({ dir });
    try {
      const { writer, influx } = writerFor(own.url, { maxRetries: 2 });
      await writer.ensureDatabase();
      expect(await writeNow(writer, [`m v=1 ${T}`])).toEqual({ ok: true });
      await own.stop();

      const failed = await writeNow(writer, [`m v=2 ${T + 1}`]);
      expect(failed).toEqual({ ok: false, retryable: true, reason: expect.stringContaining('ECONNREFUSED') });
      expect(writer.counters.writeErrors).toBe(3); // the first try and two retries
      expect(writer.status()).toMatchObject({ healthy: false, reason: expect.stringContaining('ECONNREFUSED'), pending: 0 });
      expect(await writer.checkHealth()).toBe(false);
      await expect(writer.ensureDatabase()).rejects.toThrow(/cannot prepare database/);

      const refused = await writer.write([`m v=3 ${T + 2}`]);
      expect(refused).toEqual({ ok: false, retryable: true, reason: expect.stringContaining('InfluxDB unavailable') });
      expect(writer.counters).toMatchObject({ writeErrors: 3, writesRefused: 1 });

      own = await startInfluxd({ dir, port: own.port });
      expect(await writer.checkHealth()).toBe(true);
      expect(writer.status()).toMatchObject({ healthy: true });
      await writer.ensureDatabase(); // as `serve` does at start: the client library must not have parked the host
      expect(await writeNow(writer, [`m v=2 ${T + 1}`])).toEqual({ ok: true });
      await writer.close();
      expect((await influx.query<{ count: number }>('SELECT count(v) FROM m'))[0]?.count).toBe(2);
    } finally {
      await own.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses more than the queue holds, retryable, without sending anything', async () => {
    const { writer } = writerFor(server.url, { maxQueuedPoints: 3, batchSize: 10 });
    const first = writer.write([`q v=1 ${T}`, `q v=2 ${T + 1}`]);
    expect(await writer.write([`q v=3 ${T + 2}`, `q v=4 ${T + 3}`])).toEqual({
      ok: false,
      retryable: true,
      reason: expect.stringContaining('queue full'),
    });
    expect(await writer.write(Array.from({ length: 4 }, (_, i) => `q v=${i} ${T + i}`))).toMatchObject({ ok: false, retryable: false });
    await writer.ensureDatabase();
    await writer.flush();
    expect(await first).toEqual({ ok: true });
    await writer.close();
    expect(await writer.write([`q v=9 ${T}`])).toEqual({ ok: false, retryable: true, reason: 'writer closed' });
  });
});
