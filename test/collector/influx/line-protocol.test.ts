import { describe, expect, it } from 'vitest';
import { wire, type watchpost } from '../../../proto/index.js';
import {
  MAX_FIELDS,
  MAX_FUTURE_SKEW_MS,
  MAX_NAME_LENGTH,
  MAX_SERIES_KEY_BYTES,
  MAX_STRING_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TAGS,
  samplesToLines,
  type SampleRejection,
} from '../../../collector/src/influx/line-protocol.js';

type WireSample = watchpost.v1.Sample.$Properties;

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const T = NOW - 60_000;
const ID = { host: 'srv-01', tenant: 'acme' };

const sample = (over: Partial<WireSample> = {}): WireSample => ({
  measurement: 'cpu',
  timeMs: T,
  tags: [],
  fields: [{ key: 'usage_idle', float: 97.5 }],
  ...over,
});

const lineOf = (s: WireSample): string => {
  const { lines, rejected } = samplesToLines([s], ID, { nowMs: NOW });
  expect(rejected).toEqual([]);
  return lines[0] ?? '';
};

describe('samplesToLines: encoding', () => {
  const cases: { name: string; sample: WireSample; line: string }[] = [
    {
      name: 'float, int, string and bool fields; identity tags added',
      sample: sample({
        fields: [
          { key: 'f', float: 1.5 },
          { key: 'i', int: 42 },
          { key: 's', str: 'ok' },
          { key: 'b', bool: true },
          { key: 'n', bool: false },
        ],
      }),
      line: `cpu,host=srv-01,tenant=acme f=1.5,i=42i,s="ok",b=true,n=false ${T}`,
    },
    {
      name: 'a float with an integral value stays a float (no i suffix)',
      sample: sample({
        fields: [
          { key: 'f', float: 5 },
          { key: 'neg', int: -7 },
        ],
      }),
      line: `cpu,host=srv-01,tenant=acme f=5,neg=-7i ${T}`,
    },
    {
      name: 'exponent notation is passed through (valid InfluxDB float syntax)',
      sample: sample({
        fields: [
          { key: 'big', float: 1e21 },
          { key: 'tiny', float: 1.5e-7 },
        ],
      }),
      line: `cpu,host=srv-01,tenant=acme big=1e+21,tiny=1.5e-7 ${T}`,
    },
    {
      name: 'tags sorted by key',
      sample: sample({
        tags: [
          { key: 'zone', value: 'z' },
          { key: 'cpu', value: 'cpu-total' },
          { key: 'a', value: '1' },
        ],
      }),
      line: `cpu,a=1,cpu=cpu-total,host=srv-01,tenant=acme,zone=z usage_idle=97.5 ${T}`,
    },
    {
      name: 'the agent cannot choose host or tenant, even with unencodable values',
      sample: sample({
        tags: [
          { key: 'tenant', value: 'other' },
          { key: 'host', value: 'x\n' },
          { key: 'host', value: 'y' },
        ],
      }),
      line: `cpu,host=srv-01,tenant=acme usage_idle=97.5 ${T}`,
    },
    {
      name: 'empty tag values are dropped',
      sample: sample({
        tags: [
          { key: 'path', value: '' },
          { key: 'fstype', value: 'NTFS' },
        ],
      }),
      line: `cpu,fstype=NTFS,host=srv-01,tenant=acme usage_idle=97.5 ${T}`,
    },
    {
      name: 'measurement escapes commas and spaces but not equals',
      sample: sample({ measurement: 'my meas,ure=ment' }),
      line: `my\\ meas\\,ure=ment,host=srv-01,tenant=acme usage_idle=97.5 ${T}`,
    },
    {
      name: 'tag keys, tag values and field keys escape commas, equals and spaces',
      sample: sample({
        tags: [{ key: 'k,e=y z', value: 'v 1,2=3' }],
        fields: [{ key: 'f x,y=z', int: 1 }],
      }),
      line: `cpu,host=srv-01,k\\,e\\=y\\ z=v\\ 1\\,2\\=3,tenant=acme f\\ x\\,y\\=z=1i ${T}`,
    },
    {
      name: 'backslashes inside names are kept as they are (only a trailing one is unencodable)',
      sample: sample({ tags: [{ key: 'path', value: 'C:\\Windows' }] }),
      line: `cpu,host=srv-01,path=C:\\Windows,tenant=acme usage_idle=97.5 ${T}`,
    },
    {
      name: 'Windows drive and UNC paths as tag values: a backslash before a letter is kept as it is',
      sample: sample({
        tags: [
          { key: 'path', value: '\\C:' },
          { key: 'share', value: '\\\\fileserver\\Public Share' },
        ],
      }),
      line: `cpu,host=srv-01,path=\\C:,share=\\\\fileserver\\Public\\ Share,tenant=acme usage_idle=97.5 ${T}`,
    },
    {
      name: 'quotes, apostrophes and `=` in names and tag values need no backslash before them',
      sample: sample({ measurement: 'a"b=c\'d', tags: [{ key: 'k"\'', value: 'it\'s "x"' }], fields: [{ key: 'f"\'', int: 1 }] }),
      line: `a"b=c'd,host=srv-01,k"'=it's\\ "x",tenant=acme f"'=1i ${T}`,
    },
    {
      name: 'a Windows image path in a string field',
      sample: sample({ fields: [{ key: 'image', str: 'C:\\Windows\\System32\\svchost.exe' }] }),
      line: `cpu,host=srv-01,tenant=acme image="C:\\\\Windows\\\\System32\\\\svchost.exe" ${T}`,
    },
    {
      name: 'an event message with quotes, backslashes, CRLF, tabs, umlauts, CJK and emoji is kept whole',
      sample: sample({ fields: [{ key: 'message', str: 'The "Print Spooler" service stopped.\r\n\tPath: C:\\Windows\\\nGrüße, 服务已停止 ✅ 🖨️\\' }] }),
      line: `cpu,host=srv-01,tenant=acme message="The \\"Print Spooler\\" service stopped.\r\n\tPath: C:\\\\Windows\\\\\nGrüße, 服务已停止 ✅ 🖨️\\\\" ${T}`,
    },
    {
      name: 'control characters in a string field are kept (only names and tag values refuse them)',
      sample: sample({ fields: [{ key: 's', str: 'a\u0000b\u007fc' }] }),
      line: `cpu,host=srv-01,tenant=acme s="a\u0000b\u007fc" ${T}`,
    },
    {
      name: 'string fields escape double quotes and backslashes, keep line breaks',
      sample: sample({ fields: [{ key: 'message', str: 'say "hi"\nC:\\dir\\' }] }),
      line: `cpu,host=srv-01,tenant=acme message="say \\"hi\\"\nC:\\\\dir\\\\" ${T}`,
    },
    {
      name: 'an empty string field is a value',
      sample: sample({ fields: [{ key: 's', str: '' }] }),
      line: `cpu,host=srv-01,tenant=acme s="" ${T}`,
    },
    {
      name: 'fractional milliseconds are rounded (precision ms)',
      sample: sample({ timeMs: T + 0.6 }),
      line: `cpu,host=srv-01,tenant=acme usage_idle=97.5 ${T + 1}`,
    },
    {
      name: 'limits are inclusive',
      sample: sample({
        measurement: 'm'.repeat(MAX_NAME_LENGTH),
        tags: [{ key: 't', value: 'v'.repeat(MAX_TAG_VALUE_LENGTH) }],
        fields: [{ key: 's', str: 'x'.repeat(MAX_STRING_LENGTH) }],
        timeMs: NOW + MAX_FUTURE_SKEW_MS,
      }),
      line: `${'m'.repeat(MAX_NAME_LENGTH)},host=srv-01,t=${'v'.repeat(MAX_TAG_VALUE_LENGTH)},tenant=acme s="${'x'.repeat(MAX_STRING_LENGTH)}" ${NOW + MAX_FUTURE_SKEW_MS}`,
    },
  ];
  it.each(cases)('$name', ({ sample: s, line }) => {
    expect(lineOf(s)).toBe(line);
  });

  it('reads fields of messages decoded from the wire (oneof discriminator)', () => {
    const bytes = wire.Sample.encode({
      measurement: 'disk',
      timeMs: T,
      fields: [
        { key: 'free', int: 10 },
        { key: 'used_percent', float: 0 },
      ],
    }).finish();
    expect(lineOf(wire.Sample.decode(bytes))).toBe(`disk,host=srv-01,tenant=acme free=10i,used_percent=0 ${T}`);
  });
});

describe('samplesToLines: rejections', () => {
  const many = <X>(n: number, make: (i: number) => X): X[] => Array.from({ length: n }, (_, i) => make(i));
  const cases: { reason: SampleRejection; why: string; sample: WireSample }[] = [
    { reason: 'empty_name', why: 'no measurement', sample: sample({ measurement: '' }) },
    { reason: 'empty_name', why: 'measurement missing', sample: { timeMs: T, fields: [{ key: 'f', float: 1 }] } },
    { reason: 'empty_name', why: 'empty tag key', sample: sample({ tags: [{ key: '', value: 'v' }] }) },
    { reason: 'empty_name', why: 'empty field key', sample: sample({ fields: [{ key: '', float: 1 }] }) },
    { reason: 'name_too_long', why: 'measurement', sample: sample({ measurement: 'm'.repeat(MAX_NAME_LENGTH + 1) }) },
    { reason: 'name_too_long', why: 'tag key', sample: sample({ tags: [{ key: 'k'.repeat(MAX_NAME_LENGTH + 1), value: 'v' }] }) },
    { reason: 'name_too_long', why: 'field key', sample: sample({ fields: [{ key: 'k'.repeat(MAX_NAME_LENGTH + 1), int: 1 }] }) },
    { reason: 'unencodable', why: 'comment-like measurement', sample: sample({ measurement: '#cpu' }) },
    { reason: 'unencodable', why: 'newline in measurement', sample: sample({ measurement: 'cpu\nx f=1' }) },
    { reason: 'unencodable', why: 'carriage return in tag value', sample: sample({ tags: [{ key: 'k', value: 'a\rb' }] }) },
    { reason: 'unencodable', why: 'newline in field key', sample: sample({ fields: [{ key: 'a\nb', float: 1 }] }) },
    { reason: 'unencodable', why: 'trailing backslash in tag value', sample: sample({ tags: [{ key: 'path', value: 'C:\\' }] }) },
    { reason: 'unencodable', why: 'trailing backslash in measurement', sample: sample({ measurement: 'cpu\\' }) },
    { reason: 'unencodable', why: 'trailing backslash in tag key', sample: sample({ tags: [{ key: 'k\\', value: 'v' }] }) },
    { reason: 'unencodable', why: 'trailing backslash in field key', sample: sample({ fields: [{ key: 'f\\', float: 1 }] }) },
    // A backslash before a character that is special in that place: InfluxDB's line splitter and its parsers
    // would read the pair differently (the injection), or its name unescaping would drop the backslash.
    { reason: 'unencodable', why: 'backslash before a space in a tag key (the injection)', sample: sample({ tags: [{ key: 'a\\ b', value: '"' }] }) },
    { reason: 'unencodable', why: 'backslash before a comma in a tag value', sample: sample({ tags: [{ key: 'k', value: 'a\\,b' }] }) },
    { reason: 'unencodable', why: 'backslash before = in a tag value', sample: sample({ tags: [{ key: 'k', value: 'a\\=b' }] }) },
    { reason: 'unencodable', why: 'backslash before a quote in a tag value', sample: sample({ tags: [{ key: 'k', value: 'a\\"b' }] }) },
    { reason: 'unencodable', why: 'two backslashes before a space in a tag value', sample: sample({ tags: [{ key: 'k', value: 'a\\\\ b' }] }) },
    { reason: 'unencodable', why: 'backslash before a space in a measurement', sample: sample({ measurement: 'cpu\\ x="' }) },
    { reason: 'unencodable', why: 'backslash before = in a measurement (stored without it)', sample: sample({ measurement: 'a\\=b' }) },
    { reason: 'unencodable', why: 'backslash before a quote in a measurement (stored without it)', sample: sample({ measurement: 'a\\"b' }) },
    { reason: 'unencodable', why: 'backslash before = in a field key (crashes influxd 1.6)', sample: sample({ fields: [{ key: 'k\\="', str: 'x' }] }) },
    { reason: 'unencodable', why: 'backslash before a quote in a field key (stored without it)', sample: sample({ fields: [{ key: 'a\\"b', int: 1 }] }) },
    { reason: 'unencodable', why: 'backslash before a comma in a field key', sample: sample({ fields: [{ key: 'a\\,b', int: 1 }] }) },
    // Control characters: InfluxDB skips a leading TAB or NUL as white space, a line feed ends the line.
    { reason: 'unencodable', why: 'measurement starting with TAB', sample: sample({ measurement: '\tcpu' }) },
    { reason: 'unencodable', why: 'measurement starting with NUL', sample: sample({ measurement: '\u0000cpu' }) },
    { reason: 'unencodable', why: 'escape character in a measurement', sample: sample({ measurement: 'cpu\u001b[31m' }) },
    { reason: 'unencodable', why: 'TAB inside a tag value', sample: sample({ tags: [{ key: 'k', value: 'a\tb' }] }) },
    { reason: 'unencodable', why: 'NUL in a tag key', sample: sample({ tags: [{ key: 'k\u0000', value: 'v' }] }) },
    { reason: 'unencodable', why: 'DEL in a field key', sample: sample({ fields: [{ key: '\u007ff', int: 1 }] }) },
    { reason: 'unencodable', why: 'field key starting with TAB', sample: sample({ fields: [{ key: '\tf', int: 1 }] }) },
    {
      reason: 'unencodable',
      why: 'a lone UTF-16 surrogate in a tag value (UTF-8 cannot carry it)',
      sample: sample({ tags: [{ key: 'k', value: 'a\ud800' }] }),
    },
    { reason: 'reserved_key', why: 'tag named time', sample: sample({ tags: [{ key: 'time', value: 'x' }] }) },
    {
      reason: 'reserved_key',
      why: "field named tenant (it would answer WHERE tenant = ... in the tag's place)",
      sample: sample({
        fields: [
          { key: 'usage', float: 1 },
          { key: 'tenant', str: 'other' },
        ],
      }),
    },
    { reason: 'reserved_key', why: 'field named host', sample: sample({ fields: [{ key: 'host', str: 'victim' }] }) },
    { reason: 'reserved_key', why: 'field named time', sample: sample({ fields: [{ key: 'time', float: 1 }] }) },
    {
      reason: 'duplicate_key',
      why: 'tag twice',
      sample: sample({
        tags: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      }),
    },
    {
      reason: 'duplicate_key',
      why: 'field twice',
      sample: sample({
        fields: [
          { key: 'a', float: 1 },
          { key: 'a', int: 2 },
        ],
      }),
    },
    { reason: 'too_many_tags', why: '', sample: sample({ tags: many(MAX_TAGS + 1, (i) => ({ key: `t${i}`, value: 'v' })) }) },
    { reason: 'too_many_fields', why: '', sample: sample({ fields: many(MAX_FIELDS + 1, (i) => ({ key: `f${i}`, float: i })) }) },
    { reason: 'tag_value_too_long', why: '', sample: sample({ tags: [{ key: 'k', value: 'v'.repeat(MAX_TAG_VALUE_LENGTH + 1) }] }) },
    {
      reason: 'series_key_too_long',
      why: 'tags each within bounds, over 65,535 bytes together in UTF-8',
      sample: sample({ tags: many(MAX_TAGS, (i) => ({ key: `t${i}`, value: 'ü'.repeat(MAX_TAG_VALUE_LENGTH) })) }),
    },
    { reason: 'no_fields', why: 'empty list', sample: sample({ fields: [] }) },
    { reason: 'no_fields', why: 'missing', sample: { measurement: 'cpu', timeMs: T } },
    { reason: 'field_without_value', why: '', sample: sample({ fields: [{ key: 'f' }] }) },
    { reason: 'non_finite_number', why: 'NaN float', sample: sample({ fields: [{ key: 'f', float: NaN }] }) },
    { reason: 'non_finite_number', why: 'Infinity float', sample: sample({ fields: [{ key: 'f', float: Infinity }] }) },
    { reason: 'non_finite_number', why: '-Infinity int', sample: sample({ fields: [{ key: 'f', int: -Infinity }] }) },
    { reason: 'bad_integer', why: 'fraction', sample: sample({ fields: [{ key: 'i', int: 1.5 }] }) },
    { reason: 'bad_integer', why: 'beyond 2^53', sample: sample({ fields: [{ key: 'i', int: 2 ** 53 }] }) },
    { reason: 'string_too_long', why: '', sample: sample({ fields: [{ key: 's', str: 'x'.repeat(MAX_STRING_LENGTH + 1) }] }) },
    { reason: 'bad_time', why: 'missing', sample: sample({ timeMs: undefined }) },
    { reason: 'bad_time', why: 'zero (proto default)', sample: sample({ timeMs: 0 }) },
    { reason: 'bad_time', why: 'NaN', sample: sample({ timeMs: NaN }) },
    { reason: 'bad_time', why: 'an unset clock in 1980', sample: sample({ timeMs: Date.UTC(1980, 0, 1) }) },
    { reason: 'time_in_future', why: '', sample: sample({ timeMs: NOW + MAX_FUTURE_SKEW_MS + 1 }) },
  ];
  it.each(cases)('$reason: $why', ({ reason, sample: s }) => {
    expect(samplesToLines([s], ID, { nowMs: NOW })).toEqual({ lines: [], rejected: [{ index: 0, reason }] });
  });

  it("keeps a series key just within InfluxDB's 65,535 bytes", () => {
    const tags = many(MAX_TAGS, (i) => ({ key: `t${String(i).padStart(2, '0')}`, value: 'v'.repeat(MAX_TAG_VALUE_LENGTH - 50) }));
    const line = lineOf(sample({ tags }));
    expect(Buffer.byteLength(line.slice(0, line.indexOf(' ')))).toBeGreaterThan(MAX_SERIES_KEY_BYTES - 5_000);
    expect(Buffer.byteLength(line.slice(0, line.indexOf(' ')))).toBeLessThanOrEqual(MAX_SERIES_KEY_BYTES);
  });

  it('refuses the injection of the issue: a string field cannot become a line for another host or tenant', () => {
    const attack = sample({
      tags: [{ key: 'x', value: 'a\\ b\\="' }],
      fields: [{ key: 's', str: `z\ncpu,host=VICTIM,tenant=acme usage_user=99.5 ${T}\n` }],
    });
    expect(samplesToLines([attack], ID, { nowMs: NOW })).toEqual({ lines: [], rejected: [{ index: 0, reason: 'unencodable' }] });
  });

  it('refuses every sample of a batch whose identity cannot be encoded (no line without its own host and tenant)', () => {
    for (const identity of [
      { host: 'pc\\ 1', tenant: 'acme' },
      { host: 'pc-1', tenant: 'acme\n' },
      { host: 'pc-1\\', tenant: 'acme' },
    ]) {
      expect(samplesToLines([sample(), sample()], identity, { nowMs: NOW })).toEqual({
        lines: [],
        rejected: [
          { index: 0, reason: 'bad_identity' },
          { index: 1, reason: 'bad_identity' },
        ],
      });
    }
  });

  it('keeps the good samples of a batch and reports the bad ones by index', () => {
    const batch = [sample(), sample({ fields: [] }), sample({ measurement: 'mem' }), sample({ timeMs: 0 })];
    const { lines, rejected } = samplesToLines(batch, ID, { nowMs: NOW });
    expect(lines).toEqual([`cpu,host=srv-01,tenant=acme usage_idle=97.5 ${T}`, `mem,host=srv-01,tenant=acme usage_idle=97.5 ${T}`]);
    expect(rejected).toEqual([
      { index: 1, reason: 'no_fields' },
      { index: 3, reason: 'bad_time' },
    ]);
  });
});

describe('samplesToLines: the verdicts kept for repeated names (mapping speed)', () => {
  it('refuses a bad key every time it comes, not only the first time', () => {
    const bad = sample({ tags: [{ key: 'a b\\', value: 'x' }] });
    for (let i = 0; i < 3; i++) expect(samplesToLines([bad], ID, { nowMs: NOW }).rejected).toEqual([{ index: 0, reason: 'unencodable' }]);
  });

  it('maps correctly past the cache size: many distinct names, then the first ones again', () => {
    const named = (i: number): WireSample => sample({ measurement: `m ${i}`, tags: [{ key: `k,${i}`, value: `v=${i}` }], fields: [{ key: `f ${i}`, int: i }] });
    const expected = (i: number): string => `m\\ ${i},host=srv-01,k\\,${i}=v\\=${i},tenant=acme f\\ ${i}=${i}i ${T}`;
    const count = 45_000; // over twice the cache's 20,000 entries
    const { lines } = samplesToLines(
      Array.from({ length: count }, (_, i) => named(i)),
      ID,
      { nowMs: NOW },
    );
    expect(lines).toHaveLength(count);
    expect([lines[0], lines[20_001], lines[count - 1]]).toEqual([expected(0), expected(20_001), expected(count - 1)]);
    expect(samplesToLines([named(0), named(7)], ID, { nowMs: NOW }).lines).toEqual([expected(0), expected(7)]);
  });

  it('judges long tag values each time (they are not cached) and still escapes them', () => {
    const long = `${'x'.repeat(200)} y,z`;
    const line = lineOf(sample({ tags: [{ key: 'path', value: long }] }));
    expect(line).toBe(`cpu,host=srv-01,path=${'x'.repeat(200)}\\ y\\,z,tenant=acme usage_idle=97.5 ${T}`);
  });

  it("uses each batch's own identity even when the names are already known", () => {
    const other = { host: 'srv 02', tenant: 'beta,co' };
    expect(samplesToLines([sample()], other, { nowMs: NOW }).lines).toEqual([`cpu,host=srv\\ 02,tenant=beta\\,co usage_idle=97.5 ${T}`]);
    expect(samplesToLines([sample()], ID, { nowMs: NOW }).lines).toEqual([`cpu,host=srv-01,tenant=acme usage_idle=97.5 ${T}`]);
  });
});
