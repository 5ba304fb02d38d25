// The collector's delta encoder and the self-check the cache runs on every delta before serving it: deltas of
// edited files are small and replay exactly; a tampered delta (a byte of an add, the offset of a copy, a missing
// END) is caught; the encoder gives the event loop turns while it works on megabytes, and stops when aborted.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deltaMismatch, encodeDelta } from '../../../collector/src/releases/delta-encode.js';
import { DELTA_HEADER_BYTES, type DeltaEnds } from '../../../collector/src/releases/delta-format.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const endsOf = (source: Buffer, target: Buffer): DeltaEnds => ({
  sourceBytes: source.length,
  targetBytes: target.length,
  sourceSha256: sha256(source),
  targetSha256: sha256(target),
});

const SOURCE = Buffer.concat([randomBytes(100_000), Buffer.alloc(20_000), randomBytes(100_000)]);
const TARGET = Buffer.concat([SOURCE.subarray(0, 150_000), Buffer.from('watchpost-agent 0.2.0'), SOURCE.subarray(150_010)]);

describe('encodeDelta', () => {
  it('writes a small delta for a small edit, which replays to the target exactly', async () => {
    const ends = endsOf(SOURCE, TARGET);
    const delta = await encodeDelta(SOURCE, TARGET, ends);
    const bytes = delta.reduce((n, part) => n + part.length, 0);
    expect(bytes).toBeLessThan(DELTA_HEADER_BYTES + 60);
    expect(await deltaMismatch(delta, SOURCE, TARGET, ends)).toBeNull();
  });

  it('degrades to one add for a target that shares nothing with the source', async () => {
    const target = randomBytes(50_000);
    const delta = await encodeDelta(SOURCE, target, endsOf(SOURCE, target));
    expect(delta.reduce((n, part) => n + part.length, 0)).toBeLessThan(target.length + DELTA_HEADER_BYTES + 10);
    expect(await deltaMismatch(delta, SOURCE, target, endsOf(SOURCE, target))).toBeNull();
  });

  it('gives the event loop turns while it works, and stops when aborted', async () => {
    const big = randomBytes(16 * 1024 * 1024);
    const edited = Buffer.concat([big.subarray(0, 8_000_000), randomBytes(100_000), big.subarray(8_000_000)]);
    let turns = 0;
    let spinning = true;
    const spin = () => void (spinning && (turns++, setImmediate(spin)));
    spin();
    const delta = await encodeDelta(big, edited, endsOf(big, edited));
    spinning = false;
    expect(turns).toBeGreaterThan(3);
    expect(await deltaMismatch(delta, big, edited, endsOf(big, edited))).toBeNull();

    const stop = new AbortController();
    const pending = encodeDelta(big, edited, endsOf(big, edited), stop.signal);
    stop.abort(new Error('closing'));
    await expect(pending).rejects.toThrow('closing');
  });
});

describe('deltaMismatch', () => {
  it.each<[string, (delta: Buffer) => Buffer, RegExp]>([
    // The middle of the inserted text: its first bytes may happen to equal the source's (random) bytes there, and the
    // encoder then copies them, so the add starts later.
    ['a byte of an add', (d) => Buffer.from(d).fill(0x41, d.indexOf('post-agent') + 1, d.indexOf('post-agent') + 2), /add differs/],
    ['the offset of a copy', (d) => Buffer.from(d).fill(0x05, DELTA_HEADER_BYTES + 1, DELTA_HEADER_BYTES + 2), /copy differs|out of bounds/],
    ['a missing END', (d) => d.subarray(0, -1), /bad|unknown|ends at/],
    ['bytes after END', (d) => Buffer.concat([d, Buffer.from([0])]), /after END/],
    ['another target hash in the header', (d) => Buffer.from(d).fill(0, 56, 57), /header differs/],
  ])('catches %s', async (_name, tamper, reason) => {
    const ends = endsOf(SOURCE, TARGET);
    const delta = Buffer.concat(await encodeDelta(SOURCE, TARGET, ends));
    expect(await deltaMismatch([tamper(delta)], SOURCE, TARGET, ends)).toMatch(reason);
  });
});
