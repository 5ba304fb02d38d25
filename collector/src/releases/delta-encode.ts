// The delta encoder: COPY/ADD instructions (delta-format.ts) that turn one agent executable into another, and the
// self-check every delta passes before the cache keeps it (deltaMismatch: it replays the delta under the agent's rules).
//
// Decision: our own encoder rather than an npm one, for three reasons:
//   1. the collector's event loop serves every agent: the encoder must yield (this one works in slices of
//      SLICE_MS), and the candidates run synchronously over whole buffers (fossil-delta, the closest fit, took 27 s
//      without a pause and 1.2 GB between two Node 24 binaries, its output kept in a JS array of numbers;
//      bsdiff-node is a native build that needs about 17 bytes of memory per input byte; VCDIFF has only a
//      decoder on npm);
//   2. the agent's side had to be ours anyway (streaming, positional reads, bounded memory), so the format is one
//      we define and can bounds-check instruction by instruction;
//   3. the job is narrow: two builds of the same Node differ only in the application blob, and the runtime is
//      copied from the old file, so a block-matching encoder (the one rsync and Fossil use) finds it all.
//
// Algorithm: the source is cut into WINDOW-byte blocks, each indexed by a polynomial hash; the target is scanned
// with the same hash rolling byte by byte; a candidate block is checked byte for byte (never trusted on its hash),
// extended forwards and backwards as far as the bytes agree, and the longest of up to MAX_CANDIDATES becomes a
// COPY; what matches nothing becomes an ADD. A target that shares nothing with the source degrades to one ADD of
// itself (the cache then serves the compressed file, which is smaller).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DELTA_HEADER_BYTES, deltaHeader, DeltaWriter, MAX_VARINT_BYTES, OP_ADD, OP_COPY, OP_END, type DeltaEnds } from './delta-format.js';

/** Bytes per indexed source block and per hashed target window. */
const WINDOW = 32;
/** Source blocks tried per target position (runs of one byte value hash alike). */
const MAX_CANDIDATES = 16;
/** Longest stretch of work between two turns of the event loop. */
const SLICE_MS = 10;
/** Bytes compared at once when a match is extended: from the first size, doubled while they agree (one compare per
 *  MiB over a runtime copied whole), halved back where they differ, the last few byte by byte. */
const COMPARE_FIRST = 256;
const COMPARE_MAX = 1024 * 1024;
/** Longest COPY: a runtime copied whole becomes a few of them, with a turn of the event loop between. */
const MAX_COPY = 8 * 1024 * 1024;
const HASH_BASE = 0x01000193;
const SPREAD = 0x9e3779b1;

/** HASH_BASE^(WINDOW-1) mod 2^32: what the byte leaving the window weighed. */
const OUTGOING = (() => {
  let p = 1;
  for (let i = 0; i < WINDOW - 1; i++) p = Math.imul(p, HASH_BASE);
  return p;
})();

function hashAt(data: Buffer, at: number): number {
  let h = 0;
  for (let i = 0; i < WINDOW; i++) h = (Math.imul(h, HASH_BASE) + data[at + i]!) | 0;
  return h;
}

/** Bytes equal from a[ai] and b[bi] onwards, at most `limit`. */
function forward(a: Buffer, ai: number, b: Buffer, bi: number, limit: number): number {
  const max = Math.min(a.length - ai, b.length - bi, limit);
  let n = 0;
  for (let step = COMPARE_FIRST; step >= COMPARE_FIRST;) {
    if (n + step <= max && a.compare(b, bi + n, bi + n + step, ai + n, ai + n + step) === 0) {
      n += step;
      step = Math.min(step * 2, COMPARE_MAX);
    } else {
      step >>= 1;
    }
  }
  while (n < max && a[ai + n] === b[bi + n]) n++;
  return n;
}

/** Bytes equal before a[ai] and b[bi], at most `limit`. */
function backward(a: Buffer, ai: number, b: Buffer, bi: number, limit: number): number {
  let n = 0;
  const max = Math.min(limit, ai, bi);
  while (n < max && a[ai - n - 1] === b[bi - n - 1]) n++;
  return n;
}

/** Yields to the event loop once a slice is used up; throws when `signal` aborted. */
function slicer(signal: AbortSignal | undefined): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < SLICE_MS) return;
    await nextTurn();
    signal?.throwIfAborted();
    since = performance.now();
  };
}

interface SourceIndex {
  head: Int32Array;
  next: Int32Array;
  shift: number;
}

async function indexSource(source: Buffer, pause: () => Promise<void>): Promise<SourceIndex> {
  const blocks = Math.floor(source.length / WINDOW);
  const bits = Math.max(4, Math.ceil(Math.log2(blocks + 1)));
  const head = new Int32Array(2 ** bits).fill(-1);
  const next = new Int32Array(blocks);
  const shift = 32 - bits;
  for (let b = 0; b < blocks; b++) {
    const slot = Math.imul(hashAt(source, b * WINDOW), SPREAD) >>> shift;
    next[b] = head[slot]!;
    head[slot] = b;
    if ((b & 0x3fff) === 0) await pause();
  }
  return { head, next, shift };
}

/** The delta from `source` to `target` as buffers to send one after the other (see delta-format.ts). */
export async function encodeDelta(source: Buffer, target: Buffer, ends: DeltaEnds, signal?: AbortSignal): Promise<Buffer[]> {
  const pause = slicer(signal);
  const out = new DeltaWriter(ends);
  const { head, next, shift } = await indexSource(source, pause);
  let literal = 0; // start of the target bytes not yet covered
  let pos = 0;
  let h = target.length >= WINDOW ? hashAt(target, 0) : 0;
  let steps = 0;
  while (pos + WINDOW <= target.length) {
    if ((++steps & 0xfff) === 0) await pause();
    let bestLength = 0;
    let bestSource = 0;
    let bestTarget = 0;
    let block = head[Math.imul(h, SPREAD) >>> shift]!;
    for (let tried = 0; block >= 0 && tried < MAX_CANDIDATES; tried++, block = next[block]!) {
      const s = block * WINDOW;
      if (source.compare(target, pos, pos + WINDOW, s, s + WINDOW) !== 0) continue;
      const back = backward(source, s, target, pos, pos - literal);
      const length = back + WINDOW + forward(source, s + WINDOW, target, pos + WINDOW, MAX_COPY - back - WINDOW);
      if (length > bestLength) [bestLength, bestSource, bestTarget] = [length, s - back, pos - back];
    }
    if (bestLength > 0) {
      if (bestTarget > literal) out.add(target.subarray(literal, bestTarget));
      out.copy(bestSource, bestLength);
      pos = literal = bestTarget + bestLength;
      if (bestLength >= COMPARE_MAX) await pause();
      if (pos + WINDOW <= target.length) h = hashAt(target, pos);
      continue;
    }
    if (pos + WINDOW < target.length) h = (Math.imul(h - Math.imul(target[pos]!, OUTGOING), HASH_BASE) + target[pos + WINDOW]!) | 0;
    pos++;
  }
  if (literal < target.length) out.add(target.subarray(literal));
  return out.end();
}

/** A cursor over the parts of a delta, for the self-check below. */
class Parts {
  private index = 0;
  private at = 0;
  constructor(private readonly parts: readonly Buffer[]) {}

  byte(): number | undefined {
    while (this.index < this.parts.length && this.at >= this.parts[this.index]!.length) {
      this.index++;
      this.at = 0;
    }
    return this.index < this.parts.length ? this.parts[this.index]![this.at++] : undefined;
  }

  /** Whether the next `n` bytes equal target[from, from + n) (false when fewer are left). */
  equal(target: Buffer, from: number, n: number): boolean {
    for (let done = 0; done < n;) {
      if (this.byte() === undefined) return false;
      this.at--;
      const part = this.parts[this.index]!;
      const k = Math.min(n - done, part.length - this.at);
      if (part.compare(target, from + done, from + done + k, this.at, this.at + k) !== 0) return false;
      this.at += k;
      done += k;
    }
    return true;
  }

  varint(): number | undefined {
    let value = 0;
    for (let i = 0, scale = 1; i < MAX_VARINT_BYTES; i++, scale *= 128) {
      const b = this.byte();
      if (b === undefined) return undefined;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
    }
    return undefined;
  }
}

/**
 * Whether `delta` turns `source` into exactly `target` under the agent's rules (every instruction in bounds, END
 * at the target's size, nothing after it): null when it does, else why not. The cache runs it on every delta it
 * makes before serving it; it yields like the encoder.
 */
export async function deltaMismatch(delta: readonly Buffer[], source: Buffer, target: Buffer, ends: DeltaEnds, signal?: AbortSignal): Promise<string | null> {
  const pause = slicer(signal);
  const input = new Parts(delta);
  if (!input.equal(deltaHeader(ends), 0, DELTA_HEADER_BYTES)) return 'header differs';
  let at = 0;
  for (let steps = 1; ; steps++) {
    if ((steps & 0xfff) === 0) await pause();
    const op = input.byte();
    if (op === OP_END) break;
    if (op === OP_COPY) {
      const offset = input.varint();
      const length = input.varint();
      if (offset === undefined || length === undefined || length === 0) return `bad copy at target byte ${at}`;
      if (offset + length > source.length || at + length > target.length) return `copy out of bounds at target byte ${at}`;
      if (source.compare(target, at, at + length, offset, offset + length) !== 0) return `copy differs at target byte ${at}`;
      at += length;
      if (length >= COMPARE_MAX) await pause();
    } else if (op === OP_ADD) {
      const length = input.varint();
      if (!length || at + length > target.length) return `bad add at target byte ${at}`;
      if (!input.equal(target, at, length)) return `add differs at target byte ${at}`;
      at += length;
    } else {
      return `unknown instruction at target byte ${at}`;
    }
  }
  if (at !== target.length) return `ends at ${at} of ${target.length} bytes`;
  return input.byte() === undefined ? null : 'data after END';
}
