// samplesToLines against a real influxd (test/helpers/influxd.ts): whatever an agent names its measurements, tags
// and fields, every line the mapping emits is read by InfluxDB as exactly the one point it describes, under the
// agent's own host and tenant, and a refused sample writes nothing. Hostile samples are generated (fast-check) from
// the characters InfluxDB's line splitter and key parsers treat specially, plus the issue's injection payload, and
// each batch is written to its own database and read back whole.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { samplesToLines, type Identity, type MappingResult } from '../../../collector/src/influx/line-protocol.js';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';

type WireSample = watchpost.v1.Sample.$Properties;
type WireField = watchpost.v1.Field.$Properties;

const T = Date.UTC(2025, 0, 1); // a fixed time: the test databases' default policy keeps points forever
const ID: Identity = { host: 'ws-0042', tenant: 'contoso' };
/** The point an attacker wants in another tenant, as the issue reports it. */
const INJECTED = `\ncpu,host=VICTIM,tenant=acme usage_user=99.5 ${T}\n`;
/** Property runs (one database, one write, four queries each) and the largest batch of one run. */
const RUNS = 400;
const MAX_BATCH = 40;

let server: Influxd;
let databases = 0;

beforeAll(async () => {
  server = await startInfluxd();
});
afterAll(async () => {
  await server?.stop();
});

interface QueryResult {
  results: { error?: string; series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[] }[];
}

/** Runs InfluxQL statements in one request; returns one result per statement, throwing on any error. */
async function query(statements: string[], db?: string): Promise<QueryResult['results']> {
  const params = new URLSearchParams({ q: statements.join(';'), epoch: 'ms', ...(db ? { db } : {}) });
  const response = await fetch(`${server.url}/query?${params}`, { method: 'POST' });
  const { results } = (await response.json()) as QueryResult;
  const failed = results.find((result) => result.error);
  if (failed) throw new Error(`${statements.join(';')}: ${failed.error}`);
  return results;
}

/** An InfluxQL identifier for any name: double-quoted, `\` and `"` escaped. */
const identifier = (name: string): string => `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** What a database holds, read with queries whose answers are JSON (no line-protocol escaping to undo). */
interface Stored {
  measurements: string[];
  seriesCount: number;
  points: { measurement: string; tags: Record<string, string>; time: unknown; fields: Record<string, unknown> }[];
  fieldTypes: Record<string, Record<string, string>>;
}

async function readBack(db: string): Promise<Stored> {
  const [shown, series, keys] = await query(['SHOW MEASUREMENTS', 'SHOW SERIES', 'SHOW FIELD KEYS'], db);
  const measurements = (shown!.series?.[0]?.values ?? []).map((row) => String(row[0]));
  const seriesCount = series!.series?.[0]?.values.length ?? 0;
  const fieldTypes: Stored['fieldTypes'] = {};
  for (const { name, values } of keys!.series ?? []) fieldTypes[name] = Object.fromEntries(values.map((row) => [String(row[0]), String(row[1])]));
  // One SELECT per measurement (across measurements, a field key of two types loses the values of one), each
  // GROUP BY *, which puts the series' tags in `tags` and leaves only time and fields in the columns.
  const points: Stored['points'] = [];
  const selected =
    measurements.length > 0
      ? await query(
          measurements.map((m) => `SELECT * FROM ${identifier(m)} GROUP BY *`),
          db,
        )
      : [];
  for (const { name, tags, columns, values } of selected.flatMap((result) => result.series ?? [])) {
    for (const row of values) {
      const fields = Object.fromEntries(columns.map((column, i) => [column, row[i]]).filter(([, value], i) => i > 0 && value !== null));
      points.push({ measurement: name, tags: tags ?? {}, time: row[0], fields });
    }
  }
  return { measurements, seriesCount, points, fieldTypes };
}

/** Maps `batch` under ID, writes the accepted lines to a new database, and returns what it then holds. */
async function roundTrip(batch: WireSample[]): Promise<{ mapped: MappingResult; status: number; message: string; stored: Stored }> {
  const db = `lp_${++databases}`;
  await query([`CREATE DATABASE ${db}`]);
  const mapped = samplesToLines(batch, ID, { nowMs: T });
  let status = 0;
  let message = '';
  if (mapped.lines.length > 0) {
    const body = mapped.lines.map((line) => line + '\n').join(''); // as the writer encodes a batch
    const response = await fetch(`${server.url}/write?db=${db}&precision=ms`, { method: 'POST', body });
    status = response.status;
    message = await response.text();
  }
  const stored = await readBack(db);
  await query([`DROP DATABASE ${db}`]);
  return { mapped, status, message, stored };
}

const FIELD_TYPES = { float: 'float', int: 'integer', str: 'string', bool: 'boolean' } as const;

function expectedPoint(sample: WireSample) {
  const tags: Record<string, string> = { host: ID.host, tenant: ID.tenant };
  for (const tag of sample.tags ?? []) {
    if (tag.key !== 'host' && tag.key !== 'tenant' && tag.value) tags[tag.key!] = tag.value;
  }
  const fields: Record<string, unknown> = {};
  const types: Record<string, string> = {};
  for (const field of sample.fields ?? []) {
    const kind = (['float', 'int', 'str', 'bool'] as const).find((k) => field[k] != null)!;
    const value = field[kind];
    fields[field.key!] = value === 0 ? 0 : value; // -0 is written as 0
    types[field.key!] = FIELD_TYPES[kind];
  }
  return { point: { measurement: sample.measurement!, tags, time: T, fields }, types };
}

/**
 * The property: the write is accepted whole; the database holds exactly the accepted samples, one point each, in
 * the measurement each named, with the tags it sent plus the identity, and the field values and types it sent.
 * Nothing else: no other measurement, host or tenant, and nothing of a refused sample (every sample of a batch
 * names its own measurement, so a refused one would show as a measurement of its own).
 */
function expectExactlyStored(batch: WireSample[], { mapped, status, message, stored }: Awaited<ReturnType<typeof roundTrip>>): void {
  const refused = new Set(mapped.rejected.map((r) => r.index));
  const accepted = batch.filter((_, i) => !refused.has(i));
  expect(mapped.lines).toHaveLength(accepted.length);
  if (accepted.length > 0) expect({ status, message }).toEqual({ status: 204, message: '' });
  const expected = accepted.map(expectedPoint);
  const byName = (a: { measurement: string }, b: { measurement: string }) => (a.measurement < b.measurement ? -1 : a.measurement > b.measurement ? 1 : 0);
  expect([...stored.measurements].sort()).toEqual(accepted.map((s) => s.measurement!).sort());
  expect(stored.seriesCount).toBe(accepted.length);
  expect([...stored.points].sort(byName)).toEqual(expected.map((e) => e.point).sort(byName));
  expect(stored.fieldTypes).toEqual(Object.fromEntries(expected.map((e) => [e.point.measurement, e.types])));
  // A field named like an identity tag would answer InfluxQL's `WHERE tenant = '...'` in the tag's place.
  expect(stored.points.flatMap((p) => Object.keys(p.fields)).filter((key) => key === 'host' || key === 'tenant')).toEqual([]);
}

/** Characters that mean something to one of InfluxDB's readers (a backslash most of all), ordinary ones and
 *  non-ASCII; then control characters and fragments of the known attacks (a backslash before a separator or a
 *  quote, a quote before a line feed, the injected line). Names are drawn mostly from the first set, so that many
 *  samples are accepted and written, and one time in five from both. String values always from both. */
const PRINTABLE = ['\\', '\\', '\\', ',', '=', ' ', '"', "'", '#', 'a', 'b', 'Z', '0', '_', '.', ':', 'ü', 'ß', '中', '😀', '\u2028', 'host', 'tenant'];
const HOSTILE = [...PRINTABLE, '\n', '\r', '\t', '\u0000', '\u001b', '\u007f', '\\ ', '\\,', '\\=', '\\"', '"\n', INJECTED];
const text = (units: string[], minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...units), minLength, maxLength });
/** Names are never empty here: empty names, like non-finite numbers, are refusals the unit tests cover. */
const hostile = (maxLength: number) => fc.oneof({ weight: 4, arbitrary: text(PRINTABLE, 1, maxLength) }, { weight: 1, arbitrary: text(HOSTILE, 1, maxLength) });
const value = fc.oneof(
  { weight: 3, arbitrary: text(HOSTILE, 0, 12).map((str) => ({ str })) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((float) => ({ float })) },
  { weight: 1, arbitrary: fc.maxSafeInteger().map((int) => ({ int })) },
  { weight: 1, arbitrary: fc.boolean().map((bool) => ({ bool })) },
);
const sampleArb: fc.Arbitrary<WireSample> = fc
  .record({
    measurement: hostile(6),
    tags: fc.array(fc.record({ key: fc.oneof(hostile(4), fc.constantFrom('host', 'tenant')), value: fc.oneof(hostile(6), fc.constant('')) }), { maxLength: 3 }),
    fields: fc.array(
      fc.tuple(hostile(4), value).map(([key, v]): WireField => ({ key, ...v })),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map((s) => ({ ...s, timeMs: T }));
/** A batch in which every sample names its own measurement, so what InfluxDB holds can be told apart per sample. */
const batchArb = fc.uniqueArray(sampleArb, { selector: (s) => s.measurement, minLength: 1, maxLength: MAX_BATCH, size: 'medium' });

/** The injection of the issue, through each part of a line: the part's text makes InfluxDB's line splitter see a
 *  string open early, so the newline in the real string field ends the line and the rest becomes a line of its own. */
const ATTACKS: { via: string; sample: WireSample }[] = [
  { via: 'a tag key', sample: { measurement: 'cpu', tags: [{ key: 'a\\ b', value: '"' }], fields: [{ key: 's', str: INJECTED }] } },
  { via: 'a tag value', sample: { measurement: 'cpu', tags: [{ key: 'x', value: 'a\\ b\\="' }], fields: [{ key: 's', str: INJECTED }] } },
  { via: 'a measurement name', sample: { measurement: 'cpu\\ x="', fields: [{ key: 's', str: INJECTED }] } },
  { via: 'a field key', sample: { measurement: 'cpu', fields: [{ key: 'k\\="', str: INJECTED }] } },
].map(({ via, sample }) => ({ via, sample: { ...sample, timeMs: T } }));

describe('samplesToLines through a real influxd', () => {
  it.each(ATTACKS)('an agent cannot write a point for another host or tenant through $via', async ({ sample }) => {
    const result = await roundTrip([sample]);
    const hosts = new Set(result.stored.points.map((p) => p.tags.host));
    const tenants = new Set(result.stored.points.map((p) => p.tags.tenant));
    expect({ hosts: [...hosts], tenants: [...tenants] }).toEqual(
      result.mapped.lines.length > 0 ? { hosts: [ID.host], tenants: [ID.tenant] } : { hosts: [], tenants: [] },
    );
    expectExactlyStored([sample], result);
  });

  it('a field named tenant or host is refused: it would answer `WHERE tenant = ...` for another tenant', async () => {
    const db = `lp_${++databases}`;
    await query([`CREATE DATABASE ${db}`]);
    const own = samplesToLines([{ measurement: 'cpu', timeMs: T, fields: [{ key: 'usage_user', float: 1 }] }], { host: 'pc-1', tenant: 'acme' }, { nowMs: T });
    const forged = samplesToLines(
      [
        {
          measurement: 'cpu',
          timeMs: T + 1,
          fields: [
            { key: 'usage_user', float: 99.5 },
            { key: 'tenant', str: 'acme' },
            { key: 'host', str: 'pc-1' },
          ],
        },
      ],
      ID,
      { nowMs: T },
    );
    expect(forged.rejected).toEqual([{ index: 0, reason: 'reserved_key' }]);
    const body = [...own.lines, ...forged.lines].map((line) => line + '\n').join('');
    expect((await fetch(`${server.url}/write?db=${db}&precision=ms`, { method: 'POST', body })).status).toBe(204);
    const rows = (await query([`SELECT usage_user FROM cpu WHERE tenant = 'acme'`], db))[0]!.series?.[0]?.values;
    expect(rows).toEqual([[T, 1]]);
    await query([`DROP DATABASE ${db}`]);
  });

  it('Windows texts round-trip exactly: drive and UNC paths, event messages with quotes, backslashes, line breaks and any script', async () => {
    const batch: WireSample[] = [
      {
        measurement: 'disk',
        tags: [
          { key: 'path', value: '\\C:' },
          { key: 'device', value: 'C:' },
        ],
        fields: [{ key: 'free', int: 1 }],
      },
      { measurement: 'share', tags: [{ key: 'path', value: '\\\\fileserver\\Public Share' }], fields: [{ key: 'free', int: 2 }] },
      {
        measurement: 'eventlog',
        tags: [{ key: 'source', value: 'Service Control Manager' }],
        fields: [
          { key: 'image', str: 'C:\\Windows\\System32\\svchost.exe' },
          { key: 'message', str: 'The "Print Spooler" service stopped.\r\nPath: C:\\Windows\\\nGrüße, 服务已停止 ✅ 🖨️\\' },
        ],
      },
    ].map((s) => ({ ...s, timeMs: T }));
    const result = await roundTrip(batch);
    expect(result.mapped.rejected).toEqual([]);
    expectExactlyStored(batch, result);
  });

  it(`hostile names, tag values and strings: every accepted sample is exactly its own point, nothing else is written (${RUNS} batches)`, async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(batchArb, async (batch) => {
        const result = await roundTrip(batch);
        accepted += result.mapped.lines.length;
        refused += result.mapped.rejected.length;
        expectExactlyStored(batch, result);
      }),
      { numRuns: RUNS, examples: [[ATTACKS.map((a, i) => ({ ...a.sample, measurement: `${a.sample.measurement}${i}` }))]] },
    );
    // Both sides of the property were exercised: many samples written, many refused.
    expect({ accepted: accepted > 2 * RUNS, refused: refused > 2 * RUNS }, `${accepted} accepted, ${refused} refused`).toEqual({
      accepted: true,
      refused: true,
    });
  }, 120_000);
});
