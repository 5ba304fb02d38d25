// Rebuilding an executable from a delta (agent/src/update/delta.ts) on real files: deltas written by the collector's
// encoder (collector/src/releases/delta-encode.ts) rebuild their target exactly, whatever the edit and however the
// stream is cut; hostile deltas (out-of-range copies, size overflows, truncation, bad numbers, wrong ends) are
// refused with a reason before they write past a bound; and fetchRelease over a real HTTP server uses a delta when
// it rebuilds the offered hash and falls back to the full file when it does not.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDelta, DeltaError, type DeltaSource } from '../../../agent/src/update/delta.js';
import { downloadRequest, fetchRelease, type DownloadLimits } from '../../../agent/src/update/download.js';
import { encodeDelta } from '../../../collector/src/releases/delta-encode.js';
import { deltaHeader, type DeltaEnds } from '../../../collector/src/releases/delta-format.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const LIMITS: DownloadLimits = { maxBytes: 10_000_000, timeoutMs: 30_000, idleMs: 30_000 };

// Random bytes with a repeated stretch, as executables have (padding, tables).
const SOURCE = Buffer.concat([randomBytes(150_000), Buffer.alloc(40_000, 0x90), randomBytes(60_000)]);
const dir = mkdtempSync(join(tmpdir(), 'watchpost-delta-'));
const source: DeltaSource = { path: join(dir, 'running'), sha256: sha256(SOURCE) };
beforeAll(() => writeFileSync(source.path, SOURCE));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stream cut into pieces of `size` bytes, as a socket may deliver it. */
async function* pieces(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

const leb = (value: number): Buffer => {
  const out: number[] = [];
  let v = value;
  do {
    const low = v % 128;
    v = Math.floor(v / 128);
    out.push(v > 0 ? low | 0x80 : low);
  } while (v > 0);
  return Buffer.from(out);
};
const copy = (offset: number, length: number) => Buffer.concat([Buffer.from([0x01]), leb(offset), leb(length)]);
const add = (bytes: Buffer | string) => Buffer.concat([Buffer.from([0x02]), leb(Buffer.byteLength(bytes)), Buffer.from(bytes)]);
const END = Buffer.from([0x00]);

/** A hand-written delta: the header for `target` from SOURCE (fields overridable), then the instructions. */
function handMade(target: Buffer, instructions: Buffer[], header: Partial<DeltaEnds> = {}): Buffer {
  const ends = { sourceBytes: SOURCE.length, targetBytes: target.length, sourceSha256: source.sha256, targetSha256: sha256(target), ...header };
  return Buffer.concat([deltaHeader(ends), ...instructions]);
}

let n = 0;
async function apply(delta: Buffer, target: Buffer, chunk = 4096, maxBytes = LIMITS.maxBytes) {
  const dest = join(dir, `out-${++n}`);
  const applied = await applyDelta(pieces(delta, chunk), source, dest, { targetSha256: sha256(target), maxBytes, mode: 0o750 });
  return { applied, dest };
}

async function encoded(target: Buffer): Promise<Buffer> {
  const ends = { sourceBytes: SOURCE.length, targetBytes: target.length, sourceSha256: source.sha256, targetSha256: sha256(target) };
  return Buffer.concat(await encodeDelta(SOURCE, target, ends));
}

describe('applyDelta', () => {
  it('rebuilds the target from copies and adds, whatever the pieces the stream arrives in, with the mode asked', async () => {
    const target = Buffer.concat([SOURCE.subarray(1000, 50_000), Buffer.from('new application bytes'), SOURCE.subarray(0, 1000)]);
    const delta = handMade(target, [copy(1000, 49_000), add('new application bytes'), copy(0, 1000), END]);
    for (const chunk of [1, 7, 1 << 20]) {
      const { applied, dest } = await apply(delta, target, chunk);
      expect(applied).toEqual({ sha256: sha256(target), bytes: target.length });
      expect(readFileSync(dest).equals(target)).toBe(true);
      expect(statSync(dest).mode & 0o777).toBe(0o750);
    }
  });

  it.each([
    ['the same file', (s: Buffer) => s],
    ['a changed constant', (s: Buffer) => Buffer.concat([s.subarray(0, 100_000), Buffer.from('0.2.0'), s.subarray(100_005)])],
    ['a grown application at the end', (s: Buffer) => Buffer.concat([s, randomBytes(5000)])],
    ['a block moved and one removed', (s: Buffer) => Buffer.concat([s.subarray(200_000), s.subarray(0, 120_000)])],
    ['nothing in common', () => randomBytes(30_000)],
    ['an empty target', () => Buffer.alloc(0)],
  ])("rebuilds exactly what the collector's encoder was given: %s", async (_name, edit) => {
    const target = edit(SOURCE);
    const { applied, dest } = await apply(await encoded(target), target, 1000);
    expect(applied.sha256).toBe(sha256(target));
    expect(readFileSync(dest).equals(target)).toBe(true);
  });

  it("the encoder's small edits give small deltas: the runtime is copied, not sent", async () => {
    const target = Buffer.concat([SOURCE.subarray(0, 100_000), Buffer.from('0.2.0'), SOURCE.subarray(100_005)]);
    expect((await encoded(target)).length).toBeLessThan(200);
  });

  it('rebuilds any target made of edits of the source (property)', async () => {
    const edit = fc.record({ at: fc.nat(SOURCE.length), cut: fc.nat(5000), insert: fc.uint8Array({ maxLength: 300 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { maxLength: 6 }), async (edits) => {
        let target = SOURCE;
        for (const e of edits) {
          const at = Math.min(e.at, target.length);
          target = Buffer.concat([target.subarray(0, at), Buffer.from(e.insert), target.subarray(at + e.cut)]);
        }
        const { dest } = await apply(await encoded(target), target, 3001);
        expect(readFileSync(dest).equals(target)).toBe(true);
        rmSync(dest);
      }),
      { numRuns: 25 },
    );
  });

  const TARGET = Buffer.concat([SOURCE.subarray(0, 1000), Buffer.from('tail')]);
  it.each<[string, Buffer, RegExp]>([
    ['a copy reaching past the source', handMade(TARGET, [copy(SOURCE.length - 10, 1000), END]), /reaches past the \d+-byte source/],
    ['a copy at an absurd offset', handMade(TARGET, [copy(2 ** 55, 1000), END]), /reaches past/],
    ['a copy overflowing the target', handMade(TARGET, [copy(0, 1004), copy(0, 1), END]), /overflows the 1004-byte target/],
    ['an add overflowing the target', handMade(TARGET, [copy(0, 1000), add('tail!'), END]), /overflows the 1004-byte target/],
    ['a size that overflows the add', handMade(TARGET, [Buffer.from([0x02]), leb(2 ** 52), Buffer.from('tail'), END]), /overflows/],
    ['a number of more than 8 bytes', handMade(TARGET, [Buffer.from([0x01]), Buffer.alloc(9, 0xff), END]), /longer than 8 bytes/],
    ['a copy of 0 bytes', handMade(TARGET, [copy(0, 0), END]), /copy of 0 bytes/],
    ['an add of 0 bytes', handMade(TARGET, [add(''), END]), /add of 0 bytes/],
    ['an unknown instruction', handMade(TARGET, [Buffer.from([0x07]), END]), /unknown instruction 0x07/],
    ['an END before the target is complete', handMade(TARGET, [copy(0, 1000), END]), /ends after 1000 of the target's 1004 bytes/],
    ['data after END', handMade(TARGET, [copy(0, 1000), add('tail'), END, Buffer.from('x')]), /data after the end/],
    ['no END', handMade(TARGET, [copy(0, 1000), add('tail')]), /truncated/],
    ['a stream cut in an add', handMade(TARGET, [copy(0, 1000), add('tail')]).subarray(0, -2), /truncated/],
    ['a stream cut in the header', handMade(TARGET, []).subarray(0, 50), /truncated/],
    ['another magic', Buffer.concat([Buffer.from('WPDELTA\x02'), handMade(TARGET, [END]).subarray(8)]), /bad magic/],
    ['another source size', handMade(TARGET, [END], { sourceBytes: SOURCE.length + 1 }), /for a \d+-byte source/],
    ['another source', handMade(TARGET, [END], { sourceSha256: sha256(Buffer.from('x')) }), /another source executable/],
    ['another target than the offered one', handMade(TARGET, [END], { targetSha256: sha256(Buffer.from('x')) }), /another executable than the one offered/],
    ['a target size past the limit', handMade(TARGET, [END], { targetBytes: LIMITS.maxBytes + 1 }), /more than the 10000000 allowed/],
    ['a target size past 2^53', handMade(TARGET, [END], { targetBytes: 0 }).fill(0xff, 16, 24), /target size is out of range/],
  ])('refuses %s', async (_name, delta, reason) => {
    const error = await apply(delta, TARGET, 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeltaError);
    expect((error as Error).message).toMatch(reason);
  });
});

describe('fetchRelease over HTTP', () => {
  const TARGET = Buffer.concat([SOURCE.subarray(0, 200_000), Buffer.from('the 0.2.0 application'), SOURCE.subarray(200_000)]);
  let server: Server;
  let base = '';
  const seen: IncomingMessage[] = [];
  /** What the server answers a request that names the running executable (else the compressed file). */
  let deltaBody: Buffer | null = null;
  let compressed: Buffer;
  beforeAll(async () => {
    compressed = brotliCompressSync(TARGET);
    server = createServer((req, res) => {
      seen.push(req);
      if (req.url !== '/api/v1/releases/0.2.0/linux-x64') return void ((res.statusCode = 404), res.end());
      if (deltaBody && req.headers['x-watchpost-delta-from'] === source.sha256) {
        res.writeHead(200, { 'content-type': 'application/vnd.watchpost.delta', 'content-encoding': 'br' });
        return void res.end(brotliCompressSync(deltaBody));
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': 'br' });
      res.end(compressed);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const fetch = async (path = '/api/v1/releases/0.2.0/linux-x64') => {
    const request = downloadRequest({ server: base, credential: 'agent-1.secret' }, path);
    if ('error' in request) throw new Error(request.error);
    const fallbacks: string[] = [];
    seen.length = 0;
    const dest = join(dir, `fetched-${++n}`);
    const got = await fetchRelease(request, dest, { sha256: sha256(TARGET), source, limits: LIMITS, onFallback: (r) => fallbacks.push(r) });
    return { got, dest, fallbacks, asked: seen.map((r) => r.headers['x-watchpost-delta-from'] ?? null) };
  };

  it('rebuilds from the delta the collector sends, in one request', async () => {
    deltaBody = await encoded(TARGET);
    const { got, dest, fallbacks, asked } = await fetch();
    expect(got).toMatchObject({ ok: true, sha256: sha256(TARGET), bytes: TARGET.length, transfer: 'delta' });
    expect(got.ok && got.wireBytes).toBeLessThan(1000);
    expect(readFileSync(dest).equals(TARGET)).toBe(true);
    expect(asked).toEqual([source.sha256]);
    expect(fallbacks).toEqual([]);
  });

  it.each([
    ['a copy out of range', () => handMade(TARGET, [copy(SOURCE.length, 1), END]), /reaches past/],
    ['a size overflow', () => handMade(TARGET, [copy(0, 1000), copy(0, TARGET.length - 999), END]), /overflows/],
    ['a truncated delta', () => handMade(TARGET, [copy(0, 1000)]), /truncated/],
    [
      'a delta that rebuilds other bytes under the offered hash',
      () => handMade(TARGET, [add(randomBytes(TARGET.length)), END]),
      /rebuilt executable has sha256/,
    ],
  ])('falls back to the full file after %s', async (_name, body, reason) => {
    deltaBody = body();
    const { got, dest, fallbacks, asked } = await fetch();
    expect(got).toMatchObject({ ok: true, sha256: sha256(TARGET), transfer: 'compressed' });
    expect(readFileSync(dest).equals(TARGET)).toBe(true);
    expect(fallbacks).toEqual([expect.stringMatching(reason)]);
    expect(asked).toEqual([source.sha256, null]); // the second request asks for no delta
  });

  it('takes the full file in one request when the collector has no delta, and tries no second time after an HTTP error', async () => {
    deltaBody = null;
    const full = await fetch();
    expect(full.got).toMatchObject({ ok: true, transfer: 'compressed' });
    expect(full.asked).toEqual([source.sha256]);
    const missing = await fetch('/api/v1/releases/9.9.9/linux-x64');
    expect(missing.got).toEqual({ ok: false, reason: expect.stringContaining('HTTP 404') });
    expect(missing.asked).toHaveLength(1);
    expect(existsSync(missing.dest)).toBe(false);
  });
});
