// A keyed 64-bit fingerprint of a sequence of texts: HalfSipHash-1-3 (Aumasson and Bernstein's SipHash on 32-bit
// words; the reference halfsiphash.c with cROUNDS=1, dROUNDS=3 and 8-byte output) over their UTF-16LE bytes, each
// text framed by its length, so that no two different sequences give the same bytes.
//
// Why keyed, and why this function: the series budget stores fingerprints, not tag sets (a tag set may be tens of
// KB; 8 bytes per series keep 20,000 agents' budgets in memory). Two tag sets with one fingerprint count as one
// series, so an agent that could make fingerprints collide at will could pass its budget with series InfluxDB
// stores apart. With a key drawn at random when the collector starts, and output the agent never sees, a
// collision is a guess (about n / 2^64 per new tag set against n known ones). A fast unkeyed hash (FNV, Murmur3)
// would not do: Murmur3 has collisions that hold for every seed. HalfSipHash-1-3 is what Linux uses for
// hash-flooding-resistant hashtables where a full SipHash costs too much. The texts are hashed where they are (no
// joined string): SipHash-2-4 from npm (64-bit words emulated, its input a byte array) took 3 us per tag set, more
// than the rest of a point's ingest (scripts/bench/admission-cost.ts measures this one).
import { randomBytes } from 'node:crypto';

export interface Fingerprinter {
  /** Writes the fingerprint of texts[0..count) (each framed by its length) into out[0] (low word) and out[1]. */
  texts(texts: readonly string[], count: number, out: Uint32Array): void;
  /** The plain HalfSipHash-1-3 of one text's UTF-16LE bytes, without a length: for the reference vectors. */
  raw(text: string, out: Uint32Array): void;
}

/** A fingerprinter with this 8-byte key (tests pass one; the collector draws one at start). */
export function createFingerprinter(key: Uint8Array = randomBytes(8)): Fingerprinter {
  if (key.length !== 8) throw new Error('fingerprint key: expected 8 bytes');
  const k0 = key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24);
  const k1 = key[4]! | (key[5]! << 8) | (key[6]! << 16) | (key[7]! << 24);
  const one: string[] = [''];
  return {
    texts: (texts, count, out) => halfSipHash13(texts, count, true, k0, k1, out),
    raw(text, out) {
      one[0] = text;
      halfSipHash13(one, 1, false, k0, k1, out);
    },
  };
}

/**
 * Two code units (little-endian) make one message word. Framed, each text is its length as one word, then its
 * units, the last word of an odd length filled with 0: every text starts on a word, and the lengths keep apart
 * what a plain concatenation would join. Raw (one text), an odd last unit goes into the final word, as the
 * reference does with leftover bytes.
 */
function halfSipHash13(texts: readonly string[], count: number, framed: boolean, k0: number, k1: number, out: Uint32Array): void {
  let v0 = k0;
  let v1 = k1 ^ 0xee; // the 8-byte-output variant
  let v2 = 0x6c796765 ^ k0;
  let v3 = 0x74656462 ^ k1;
  let units = 0;
  let tail = 0;
  for (let t = 0; t < count; t++) {
    const text = texts[t]!;
    const n = text.length;
    const words = framed ? (n + 1) >> 1 : n >> 1;
    for (let w = framed ? -1 : 0; w < words; w++) {
      const i = 2 * w;
      const m = w < 0 ? n : text.charCodeAt(i) | (i + 1 < n ? text.charCodeAt(i + 1) << 16 : 0);
      v3 ^= m;
      // SIPROUND (cROUNDS = 1), the same as rounds() below, written out on purpose: with the state in locals the hash
      // takes 0.57 us per tag set of 11 texts, through rounds() on the state array 0.66 us (15 % more, per point).
      v0 = (v0 + v1) | 0;
      v1 = (v1 << 5) | (v1 >>> 27);
      v1 ^= v0;
      v0 = (v0 << 16) | (v0 >>> 16);
      v2 = (v2 + v3) | 0;
      v3 = (v3 << 8) | (v3 >>> 24);
      v3 ^= v2;
      v0 = (v0 + v3) | 0;
      v3 = (v3 << 7) | (v3 >>> 25);
      v3 ^= v0;
      v2 = (v2 + v1) | 0;
      v1 = (v1 << 13) | (v1 >>> 19);
      v1 ^= v2;
      v2 = (v2 << 16) | (v2 >>> 16);
      v0 ^= m;
    }
    units += framed ? 2 * (words + 1) : n;
    if (!framed && n & 1) tail = text.charCodeAt(n - 1);
  }
  // The last word: the length in bytes (mod 256) in the top byte, a leftover unit in the low two.
  const b = ((units * 2) << 24) | tail;
  const v = STATE;
  v[0] = v0;
  v[1] = v1;
  v[2] = v2;
  v[3] = v3 ^ b;
  rounds(v, 1);
  v[0]! ^= b;
  v[2]! ^= 0xee;
  rounds(v, 3);
  out[0] = v[1]! ^ v[3]!;
  v[1]! ^= 0xdd;
  rounds(v, 3);
  out[1] = v[1]! ^ v[3]!;
}

/** The finalization's state: one buffer, reused (fingerprints are computed one at a time, synchronously). */
const STATE = new Int32Array(4);

function rounds(v: Int32Array, n: number): void {
  let v0 = v[0]!,
    v1 = v[1]!,
    v2 = v[2]!,
    v3 = v[3]!;
  for (let r = 0; r < n; r++) {
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
  }
  v[0] = v0;
  v[1] = v1;
  v[2] = v2;
  v[3] = v3;
}
