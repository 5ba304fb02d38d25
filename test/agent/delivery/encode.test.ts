// Sample -> wire: the Int wrapper makes an integer field, a plain number a float (even when it is whole), and the
// bytes the spool keeps decode back, with wire.Envelope, to the same measurement, tags, fields and time.
import { describe, expect, it } from 'vitest';
import { wire } from '../../../proto/index.js';
import { encodeBatch, toWireSample } from '../../../agent/src/delivery/encode.js';
import { int, type FieldValue, type Sample } from '../../../agent/src/sample.js';

const sample = (fields: Record<string, FieldValue>): Sample => ({
  measurement: 'disk',
  tags: { host: 'pc-042', tenant: 'acme', path: 'C:' },
  fields,
  time: 1_763_769_541_123,
});

describe('toWireSample', () => {
  it.each<[string, FieldValue, 'int' | 'float' | 'str' | 'bool', unknown]>([
    ['Int -> int', int(42), 'int', 42],
    ['Int of a fraction is truncated', int(7.9), 'int', 7],
    ['negative Int', int(-3), 'int', -3],
    ['Int zero is still an int', int(0), 'int', 0],
    ['number -> float', 12.5, 'float', 12.5],
    ['whole number stays a float', 2, 'float', 2],
    ['zero float', 0, 'float', 0],
    ['string', 'NTFS', 'str', 'NTFS'],
    ['empty string', '', 'str', ''],
    ['true', true, 'bool', true],
    ['false is still a bool', false, 'bool', false],
  ])('%s', (_name, value, kind, expected) => {
    const [field] = toWireSample(sample({ v: value })).fields ?? [];
    expect(field).toEqual({ key: 'v', [kind]: expected });
  });

  it('keeps measurement, time and every tag', () => {
    const out = toWireSample(sample({ used_percent: 50 }));
    expect(out.measurement).toBe('disk');
    expect(out.timeMs).toBe(1_763_769_541_123);
    expect(out.tags).toEqual([
      { key: 'host', value: 'pc-042' },
      { key: 'tenant', value: 'acme' },
      { key: 'path', value: 'C:' },
    ]);
  });
});

describe('encodeBatch', () => {
  it('decodes back with wire.Envelope: seq, samples and each field in its oneof member', () => {
    const samples = [
      sample({ total: int(1_000_000_000_000), used_percent: 41.25, fstype: 'NTFS', readonly: false }),
      { measurement: 'system', tags: { host: 'pc-042' }, fields: { uptime: int(86_400) }, time: 1_763_769_542_000 },
    ];
    const envelope = wire.Envelope.decode(encodeBatch(7, samples));
    expect(envelope.msg).toBe('batch');
    expect(envelope.batch?.seq).toBe(7);
    const [disk, system] = envelope.batch?.samples ?? [];
    expect(disk?.measurement).toBe('disk');
    expect(disk?.timeMs).toBe(1_763_769_541_123);
    expect((disk?.tags ?? []).map((t) => [t.key, t.value])).toEqual([
      ['host', 'pc-042'],
      ['tenant', 'acme'],
      ['path', 'C:'],
    ]);
    expect((disk?.fields ?? []).map((f) => [f.key, f.value, f[f.value!]])).toEqual([
      ['total', 'int', 1_000_000_000_000],
      ['used_percent', 'float', 41.25],
      ['fstype', 'str', 'NTFS'],
      ['readonly', 'bool', false],
    ]);
    expect((system?.fields ?? []).map((f) => [f.key, f.value, f[f.value!]])).toEqual([['uptime', 'int', 86_400]]);
  });

  it('encodes an empty batch', () => {
    const envelope = wire.Envelope.decode(encodeBatch(1, []));
    expect(envelope.batch?.seq).toBe(1);
    expect(envelope.batch?.samples).toEqual([]);
  });
});
