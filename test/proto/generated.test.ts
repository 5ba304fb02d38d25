// The generated protocol code is committed (never loaded from .proto text at run time); this fails when it is
// stale, i.e. when proto/watchpost.proto changed without `npm run gen`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wire } from '../../proto/index.js';

describe('proto/generated', () => {
  it('matches what pbjs/pbts generate from proto/watchpost.proto', () => {
    const out = mkdtempSync(join(tmpdir(), 'wp-proto-'));
    try {
      execFileSync('bash', ['scripts/gen-proto.sh'], { env: { ...process.env, OUT_DIR: out }, stdio: 'pipe' });
      for (const file of ['watchpost.js', 'watchpost.d.ts']) {
        const committed = readFileSync(join('proto/generated', file), 'utf8');
        expect(readFileSync(join(out, file), 'utf8'), `proto/generated/${file} is stale: run npm run gen`).toBe(committed);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('round-trips a batch with every field type, integers as plain numbers (no Long)', () => {
    const bytes = wire.Envelope.encode({
      batch: {
        seq: 4_000_000_000,
        samples: [
          {
            measurement: 'mem',
            timeMs: 1_795_000_000_123,
            tags: [{ key: 'host', value: 'ws-01' }],
            fields: [
              { key: 'total', int: 2 ** 40 },
              { key: 'used_percent', float: 12.5 },
              { key: 'os', str: 'Windows' },
              { key: 'up', bool: true },
            ],
          },
        ],
      },
    }).finish();
    const decoded = wire.Envelope.decode(bytes);
    expect(decoded.msg).toBe('batch');
    const sample = wire.Sample.decode(wire.Sample.encode(decoded.batch!.samples![0]!).finish());
    expect(decoded.batch!.seq).toBe(4_000_000_000);
    expect(sample.timeMs).toBe(1_795_000_000_123);
    expect(sample.fields.map((f) => [f.key, f.value, f.value ? (f as unknown as Record<string, unknown>)[f.value] : undefined])).toEqual([
      ['total', 'int', 2 ** 40],
      ['used_percent', 'float', 12.5],
      ['os', 'str', 'Windows'],
      ['up', 'bool', true],
    ]);
  });

  it('keeps field numbers stable (agents in the field depend on them)', () => {
    const proto = readFileSync('proto/watchpost.proto', 'utf8');
    for (const line of ['Hello hello = 1;', 'Batch batch = 3;', 'Ack ack = 4;', 'uint32 seq = 1;', 'double time_ms = 2;', 'double int = 3;']) {
      expect(proto).toContain(line);
    }
  });
});
