// The collector against InfluxDB 3's v1-compatible API, played by a local stand-in that enforces the documented rules
// (influxdb3-stand-in.ts says which page each comes from). First the stand-in itself refuses what InfluxDB 3 refuses,
// so that what follows can be trusted; then database setup skips what the backend does not have, with one warning,
// and the writer's points arrive in the right database with their times intact. The same setup against a real
// influxd is covered, unchanged, by rollups.test.ts, writer.test.ts and raw-migration.test.ts.
import { InfluxDB } from 'influx';
import { describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';
import { startInfluxDB3StandIn, type InfluxDB3StandIn, type StandInOptions } from './influxdb3-stand-in.js';
import { backfillRollups, ensureDatabase, select } from '../../../collector/src/influx/database.js';
import { classifyWriteResponse, splitCredentials } from '../../../collector/src/influx/http.js';
import { migrateLegacyRaw } from '../../../collector/src/influx/raw-migration.js';
import { createInfluxWriter, type InfluxWriterOptions, type WriteResult, type WriterLogger } from '../../../collector/src/influx/writer.js';
import { samplesToLines } from '../../../collector/src/influx/line-protocol.js';
import { createReportInflux } from '../../../collector/src/reports/influx-reader.js';

const T = Date.UTC(2025, 0, 1, 12, 0, 0, 123);
const cleanups = cleanupsAfterEach();

interface Logged {
  level: 'info' | 'warn' | 'error';
  msg: string;
}

function recorder(): { logger: WriterLogger; logged: Logged[] } {
  const logged: Logged[] = [];
  const at = (level: Logged['level']) => (_obj: object, msg?: string) => logged.push({ level, msg: msg ?? '' });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, logged };
}

async function standIn(options?: StandInOptions): Promise<InfluxDB3StandIn> {
  const v3 = await startInfluxDB3StandIn(options);
  cleanups.push(() => v3.close());
  return v3;
}

/** A writer with the token in influx.url, as the README says to configure it for InfluxDB 3. */
function writerFor(v3: InfluxDB3StandIn, over: Partial<InfluxWriterOptions> = {}) {
  const { logger, logged } = recorder();
  const writer = createInfluxWriter({
    url: `http://watchpost:${v3.token}@127.0.0.1:${v3.port}`,
    database: 'watchpost',
    pingIntervalMs: 0,
    timers: { setTimeout: () => 0, clearTimeout: () => undefined },
    sleep: async () => undefined,
    logger,
    ...over,
  });
  cleanups.push(() => writer.close());
  return { writer, logged };
}

async function writeNow(writer: ReturnType<typeof writerFor>['writer'], lines: string[]): Promise<WriteResult> {
  const result = writer.write(lines);
  await writer.flush();
  return result;
}

const v1 = (v3: InfluxDB3StandIn, path: string, init?: RequestInit) => fetch(`${v3.url}${path}`, init);
const bearer = (v3: InfluxDB3StandIn, scheme = 'Bearer') => ({ authorization: `${scheme} ${v3.token}` });

describe('the stand-in enforces InfluxDB 3 rules', () => {
  it('every request needs the token, in any documented form; /ping answers with the v3 headers', async () => {
    const v3 = await standIn();
    expect((await v1(v3, '/ping')).status).toBe(401);
    const ping = await v1(v3, '/ping', { headers: bearer(v3, 'Token') });
    expect([ping.status, ping.headers.get('x-influxdb-version'), ping.headers.get('x-influxdb-build')]).toEqual([200, '3.8.0', 'Core']);
    const line = 'm v=1 1';
    const basic = { authorization: `Basic ${Buffer.from(`ignored:${v3.token}`).toString('base64')}` };
    expect((await v1(v3, '/write?db=d', { method: 'POST', body: line })).status).toBe(401);
    expect((await v1(v3, '/write?db=d', { method: 'POST', body: line, headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await v1(v3, '/write?db=d', { method: 'POST', body: line, headers: { authorization: `Digest ${v3.token}` } })).status).toBe(400);
    for (const headers of [bearer(v3), bearer(v3, 'Token'), basic])
      expect((await v1(v3, '/write?db=d', { method: 'POST', body: line, headers })).status).toBe(204);
    expect((await v1(v3, `/write?db=d&u=any&p=${v3.token}`, { method: 'POST', body: line })).status).toBe(204);
  });

  it('refuses the management statements with a statement error in a 200, and an empty epoch= with 400', async () => {
    const v3 = await standIn();
    await v1(v3, '/write?db=watchpost', { method: 'POST', body: 'm v=1 1', headers: bearer(v3) });
    const error = async (q: string): Promise<unknown> => {
      const response = await v1(v3, `/query?db=watchpost&q=${encodeURIComponent(q)}`, { headers: bearer(v3) });
      expect(response.status).toBe(200);
      return ((await response.json()) as { results: { error?: string }[] }).results[0]?.error;
    };
    expect(await error('SHOW CONTINUOUS QUERIES')).toMatch(/^error in InfluxQL statement: parsing error: invalid SHOW statement/);
    expect(await error('CREATE CONTINUOUS QUERY "x" ON "watchpost" BEGIN SELECT mean(*) INTO "a" FROM "m" GROUP BY time(5m) END')).toMatch(
      /Invalid CREATE statement, expected DATABASE following CREATE at pos 7$/,
    );
    expect(await error('CREATE RETENTION POLICY "watchpost_5m" ON "watchpost" DURATION 90d REPLICATION 1')).toMatch(/Invalid CREATE statement/);
    expect(await error('ALTER RETENTION POLICY "autogen" ON "watchpost" DURATION 30d')).toMatch(/invalid InfluxQL statement at pos 0$/);
    expect(await error('SELECT mean(*) INTO "watchpost"."watchpost_5m".:MEASUREMENT FROM "watchpost"."autogen"./^(cpu)$/ GROUP BY time(5m), *')).toMatch(
      /invalid InfluxQL statement at pos 0$/,
    );
    expect(await error('CREATE DATABASE "watchpost"')).toBe('datafusion error: This feature is not implemented: CREATE DATABASE');
    expect(await error('SHOW MEASUREMENTS')).toBeUndefined();
    const emptyEpoch = await v1(v3, '/query?db=watchpost&epoch=&q=SHOW+MEASUREMENTS', { headers: bearer(v3) });
    expect([emptyEpoch.status, ((await emptyEpoch.json()) as { error: string }).error]).toEqual([400, expect.stringMatching(/unknown variant ``/)]);
  });

  it('a policy other than autogen writes to the database db/rp, which a query reads only when it names both', async () => {
    const v3 = await standIn();
    await v1(v3, '/write?db=watchpost&rp=watchpost_5m&precision=s', { method: 'POST', body: 'cpu mean_usage_idle=80 1735732800', headers: bearer(v3) });
    expect(v3.databases()).toEqual(['watchpost/watchpost_5m']);
    const read = async (q: string) => {
      const response = await v1(v3, `/query?db=watchpost/watchpost_5m&q=${encodeURIComponent(q)}`, { headers: bearer(v3) });
      return (await response.json()) as { results: { series?: { values: unknown[][] }[]; error?: string }[] };
    };
    expect((await read('SELECT * FROM "watchpost"."watchpost_5m"."cpu"')).results[0]?.series?.[0]?.values).toEqual([['2025-01-01T12:00:00Z', 80]]);
  });
});

describe('database setup against InfluxDB 3', () => {
  it('skips database, retention and rollups with one warning, sends no management statement, and does not throw', async () => {
    const v3 = await standIn();
    const influx = new InfluxDB({ host: '127.0.0.1', port: v3.port, database: 'watchpost', username: 'watchpost', password: v3.token });
    const warnings: string[] = [];
    const backend = await ensureDatabase(influx, 'watchpost', { name: 'autogen', duration: '30d' }, 30 * 86_400_000, (m) => warnings.push(m));
    expect(backend).toEqual({ continuousQueries: false, reason: 'its /ping says InfluxDB 3.8.0 (Core)' });
    expect(warnings).toEqual([
      'InfluxDB runs no continuous queries here (its /ping says InfluxDB 3.8.0 (Core)): the collector writes raw points to "watchpost" but does not create the database, set its retention or maintain the rollup watchpost_5m; the 90-day dashboard panels stay empty until a rollup job fills it (README: Scale, "Time series")',
    ]);
    expect(v3.requests.filter((r) => r.path === '/query')).toEqual([]);
  });

  it('decided by the refused statement when /ping names no version: the same warning, nothing else sent', async () => {
    const v3 = await standIn({ identity: null });
    const influx = new InfluxDB({ host: '127.0.0.1', port: v3.port, database: 'watchpost', username: 'watchpost', password: v3.token });
    const warnings: string[] = [];
    await ensureDatabase(influx, 'watchpost', { name: 'autogen', duration: '30d' }, 30 * 86_400_000, (m) => warnings.push(m));
    expect(warnings).toEqual([expect.stringMatching(/^InfluxDB runs no continuous queries here \(it refuses SHOW CONTINUOUS QUERIES: error in InfluxQL/)]);
    expect(v3.requests.filter((r) => r.path === '/query').map((r) => r.q)).toEqual(['show continuous queries']);
  });

  it('a backfill runs no SELECT ... INTO there, and says why', async () => {
    const v3 = await standIn();
    const influx = new InfluxDB({ host: '127.0.0.1', port: v3.port, database: 'watchpost', username: 'watchpost', password: v3.token });
    const warnings: string[] = [];
    const backend = await backfillRollups(influx, 'watchpost', 'autogen', 30 * 86_400_000, undefined, (m) => warnings.push(m));
    expect(backend.continuousQueries).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(v3.requests.filter((r) => r.path === '/query')).toEqual([]);
  });

  it('the move out of watchpost_raw finds nothing to move there and ends at once', async () => {
    const v3 = await standIn();
    await v1(v3, '/write?db=watchpost', { method: 'POST', body: 'cpu usage_idle=1 1', headers: bearer(v3) });
    const influx = new InfluxDB({ host: '127.0.0.1', port: v3.port, database: 'watchpost', username: 'watchpost', password: v3.token });
    const { logger, logged } = recorder();
    expect(await migrateLegacyRaw(influx, 'watchpost', 'autogen', { log: logger })).toEqual({ outcome: 'none', points: 0, copied: 0, passes: 0 });
    expect(logged).toEqual([]);
    expect(v3.requests.filter((r) => r.path === '/query').map((r) => r.q)).toEqual(['show retention policies on "watchpost"']);
  });
});

describe('the writer against InfluxDB 3', () => {
  it('prepares without throwing, warns once, and its points arrive in the database with db, rp=autogen, precision=ms and the token', async () => {
    const v3 = await standIn();
    const { writer, logged } = writerFor(v3);
    await writer.ensureDatabase();
    expect(await writer.checkHealth()).toBe(true);
    const { lines } = samplesToLines(
      [
        { measurement: 'cpu', timeMs: T, tags: [{ key: 'cpu', value: 'cpu-total' }], fields: [{ key: 'usage_idle', float: 87.5 }] },
        { measurement: 'disk', timeMs: T + 1, tags: [{ key: 'path', value: 'C:\\Program Files, x=1' }], fields: [{ key: 'free', int: 9_007_199_254_740_991 }] },
      ],
      { host: 'srv-01', tenant: 'acme' },
      { nowMs: T },
    );
    expect(await writeNow(writer, lines)).toEqual({ ok: true });
    expect(writer.status()).toMatchObject({ healthy: true, pending: 0 });

    const writes = v3.requests.filter((r) => r.path === '/write');
    expect(writes.map((r) => [Object.fromEntries(r.params), r.auth, r.status])).toEqual([[{ db: 'watchpost', rp: 'autogen', precision: 'ms' }, 'Basic', 204]]);
    expect(v3.databases()).toEqual(['watchpost']);
    expect(v3.points('watchpost').map((p) => [p.measurement, p.tags, p.fields, p.timeNs])).toEqual([
      ['cpu', { cpu: 'cpu-total', host: 'srv-01', tenant: 'acme' }, { usage_idle: 87.5 }, BigInt(T) * 1_000_000n],
      ['disk', { path: 'C:\\Program Files, x=1', host: 'srv-01', tenant: 'acme' }, { free: 9_007_199_254_740_991n }, BigInt(T + 1) * 1_000_000n],
    ]);
    expect(v3.points('watchpost')[1]?.kinds).toEqual({ free: 'integer' });
    expect(logged.filter((l) => l.level !== 'info')).toEqual([{ level: 'warn', msg: expect.stringMatching(/^InfluxDB runs no continuous queries here/) }]);
    expect(v3.requests.filter((r) => r.path === '/query')).toEqual([]);
  });

  it("the monthly report's reader queries it as InfluxDB 1.x, with the URL's token and no epoch=", async () => {
    const v3 = await standIn();
    const { writer } = writerFor(v3);
    const { lines } = samplesToLines(
      [{ measurement: 'cpu', timeMs: T, tags: [{ key: 'cpu', value: 'cpu-total' }], fields: [{ key: 'usage_idle', float: 87.5 }] }],
      { host: 'srv-01', tenant: 'acme' },
      { nowMs: T },
    );
    expect(await writeNow(writer, lines)).toEqual({ ok: true });
    const reader = createReportInflux({ url: `http://watchpost:${v3.token}@127.0.0.1:${v3.port}`, database: 'watchpost', retentionPolicy: 'autogen' });
    const result = await reader.select('SELECT usage_idle FROM cpu');
    expect(result.series?.[0]?.values?.map((row) => row[1])).toEqual([87.5]);
    const query = v3.requests.filter((r) => r.path === '/query').at(-1)!;
    expect([Object.fromEntries(query.params), query.auth, query.status]).toEqual([{ db: 'watchpost', q: 'SELECT usage_idle FROM cpu' }, 'Basic', 200]);
  });

  it('the former policy name watchpost_raw: points go to autogen (the database itself), nothing is moved, and the warning says so', async () => {
    const v3 = await standIn();
    const { writer, logged } = writerFor(v3, { retentionPolicy: { name: 'watchpost_raw', duration: '30d' } });
    await writer.ensureDatabase();
    expect(await writeNow(writer, [`m v=1i ${T}`])).toEqual({ ok: true });
    await writer.close();
    expect(v3.databases()).toEqual(['watchpost']);
    expect(logged.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      expect.stringMatching(/^InfluxDB runs no continuous queries here/),
      'retention policy "watchpost_raw" is deprecated: raw points are written to "autogen"; this InfluxDB has no SELECT ... INTO, so the points left in "watchpost_raw" are not moved; remove influx.retentionPolicy from the config',
    ]);
    expect(v3.requests.filter((r) => r.path === '/query')).toEqual([]);
  });

  it("a partial write: InfluxDB 3 lists the refused line instead of dropped=N; only that caller's point is refused, the others are stored", async () => {
    const v3 = await standIn();
    const { writer } = writerFor(v3);
    expect(await writeNow(writer, [`m v=1i ${T}`])).toEqual({ ok: true });
    expect(await writeNow(writer, [`m v=2i ${T + 1}`, `m v=2.5 ${T + 2}`, `m v=3i ${T + 3}`])).toEqual({
      ok: false,
      retryable: false,
      reason: 'partial write of line protocol occurred',
      rejected: 1,
    });
    expect(writer.counters).toMatchObject({ pointsWritten: 3, pointsRejected: 1 });
    expect(v3.points('watchpost').map((p) => p.fields.v)).toEqual([1n, 2n, 3n]);
  });

  it('without the token: setup fails with the 401 (and is retried later), health names the 401 on /ping', async () => {
    const v3 = await standIn();
    const { writer } = writerFor(v3, { url: v3.url });
    await expect(writer.ensureDatabase()).rejects.toThrow(/cannot prepare database watchpost: .*401/);
    expect(await writer.checkHealth()).toBe(false);
    expect(writer.status().reason).toBe(`InfluxDB answered 401 to /ping at ${v3.url}`);
  });
});

describe('answers and credentials', () => {
  // The bodies of docs-v2 api-docs/influxdb3/core/influxdb3-core-openapi.yaml, PostV1Write, 400 examples.
  const refused = { original_line: 'dquote> home,room=Kitchen temp=hi', line_number: 2, error_message: 'No fields were provided' };

  it('InfluxDB 3 refusals: a partial write counts its listed lines; all refused, 422 and an over-long list count every line', () => {
    expect(classifyWriteResponse(400, JSON.stringify({ error: 'partial write of line protocol occurred', data: [refused] }))).toEqual({
      kind: 'refused',
      status: 400,
      reason: 'partial write of line protocol occurred',
      dropped: 1,
    });
    expect(classifyWriteResponse(400, JSON.stringify({ error: 'write of line protocol failed', data: [refused] }))).toEqual({
      kind: 'refused',
      status: 400,
      reason: 'write of line protocol failed',
    });
    const limit = { ...refused, error_message: 'Update to schema would exceed number of columns per table limit of 500 columns' };
    expect(classifyWriteResponse(422, JSON.stringify({ error: 'partial write of line protocol occurred', data: [limit] }))).toMatchObject({
      kind: 'refused',
      status: 422,
      dropped: 1,
    });
    const capped = JSON.stringify({ error: 'partial write of line protocol occurred', data: Array.from({ length: 100 }, () => refused) });
    expect(classifyWriteResponse(400, capped)).not.toHaveProperty('dropped');
    expect(classifyWriteResponse(401, JSON.stringify({ error: 'the request was not authenticated' }))).toMatchObject({ kind: 'retryable' });
  });

  it('1.x answers are read as before', () => {
    expect(classifyWriteResponse(400, JSON.stringify({ error: 'partial write: field type conflict dropped=2' }))).toMatchObject({ dropped: 2 });
    expect(classifyWriteResponse(404, JSON.stringify({ error: 'database not found: "x"' }))).toMatchObject({ kind: 'retryable', missingDatabase: true });
  });

  it('splitCredentials takes user and password (percent-decoded) out of the URL, and leaves a URL without them as it is', () => {
    expect(splitCredentials('https://watchpost:apiv3_a%2Fb%3Ac%40d@influx.example:8181/')).toEqual({
      url: 'https://influx.example:8181',
      username: 'watchpost',
      password: 'apiv3_a/b:c@d',
    });
    expect(splitCredentials('http://:tok@127.0.0.1:8181')).toEqual({ url: 'http://127.0.0.1:8181', username: '', password: 'tok' });
    expect(splitCredentials('http://127.0.0.1:8086')).toEqual({ url: 'http://127.0.0.1:8086' });
  });

  it("the influx package's query() sends an empty epoch=, which InfluxDB 3 refuses: select() cannot read from it", async () => {
    const v3 = await standIn();
    await v1(v3, '/write?db=watchpost', { method: 'POST', body: 'cpu usage_idle=1 1', headers: bearer(v3) });
    const influx = new InfluxDB({ host: '127.0.0.1', port: v3.port, database: 'watchpost', username: 'watchpost', password: v3.token });
    await expect(select(influx, 'SELECT * FROM "cpu"', 'watchpost')).rejects.toThrow(/400/);
  });
});
