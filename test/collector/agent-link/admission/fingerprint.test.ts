// The series budget's fingerprint is HalfSipHash-1-3 with 8-byte output over texts' UTF-16LE bytes. The vectors
// were made with the reference implementation (github.com/veorq/SipHash, halfsiphash.c, compiled with
// -DcROUNDS=1 -DdROUNDS=3, outlen 8): key 00 01 .. 07, message bytes 00 01 .. (n-1), output bytes in hex. A text
// is UTF-16LE, so only even lengths can be checked: code unit i is bytes 2i, 2i+1.
import { describe, expect, it } from 'vitest';
import { createFingerprinter } from '../../../../collector/src/agent-link/admission/fingerprint.js';

const VECTORS: Record<number, string> = {
  0: '76a5d0212320f72a',
  2: '78ee1fe15d3cd732',
  4: 'eb24dba0718cae05',
  6: 'af65e0c64df5d602',
  8: '3dcda8311dec7a5f',
  10: '3134fba809e041f2',
  12: '5577cc5cb3e73f93',
  14: '7da915ca92ec826b',
  16: '56d7c5b93d3e2ec2',
};

const KEY = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
const bytesOf = (words: Uint32Array): string => Buffer.from(words.buffer, words.byteOffset, 8).toString('hex'); // little-endian host

/** The text whose UTF-16LE bytes are 00 01 02 .. (bytes - 1). */
const countingText = (bytes: number): string => Array.from({ length: bytes / 2 }, (_, i) => String.fromCharCode((2 * i) | ((2 * i + 1) << 8))).join('');

describe('fingerprint', () => {
  it("matches the reference HalfSipHash-1-3 (8-byte output) on the reference's messages", () => {
    const fingerprint = createFingerprinter(KEY);
    const out = new Uint32Array(2);
    for (const [bytes, expected] of Object.entries(VECTORS)) {
      fingerprint.raw(countingText(Number(bytes)), out);
      expect(bytesOf(out), `${bytes} bytes`).toBe(expected);
    }
  });

  it('of several texts: the reference function over each text framed (its length as a word, padded to a word)', () => {
    const fingerprint = createFingerprinter(KEY);
    const [viaTexts, viaRaw] = [new Uint32Array(2), new Uint32Array(2)];
    fingerprint.texts(['path', '/data', 'x', ''], 4, viaTexts);
    const framed = (t: string) => String.fromCharCode(t.length & 0xffff, t.length >>> 16) + t + (t.length % 2 ? '\u0000' : '');
    fingerprint.raw(['path', '/data', 'x', ''].map(framed).join(''), viaRaw);
    expect(bytesOf(viaTexts)).toBe(bytesOf(viaRaw));
    // the lengths keep apart what a plain concatenation would not
    const other = new Uint32Array(2);
    fingerprint.texts(['pat', 'h/data', 'x', ''], 4, other);
    expect(bytesOf(other)).not.toBe(bytesOf(viaTexts));
    // only the first `count` texts count
    fingerprint.texts(['path', '/data', 'x', '', 'ignored'], 4, other);
    expect(bytesOf(other)).toBe(bytesOf(viaTexts));
  });

  it('depends on the key; without one, a random key is drawn', () => {
    const out = (key?: Uint8Array) => {
      const words = new Uint32Array(2);
      createFingerprinter(key).texts(['path', '/data'], 2, words);
      return bytesOf(words);
    };
    expect(out(KEY)).toBe(out(KEY));
    expect(out(Uint8Array.from([1, 1, 2, 3, 4, 5, 6, 7]))).not.toBe(out(KEY));
    expect(out()).not.toBe(out());
    expect(() => createFingerprinter(new Uint8Array(16))).toThrow(/8 bytes/);
  });
});
