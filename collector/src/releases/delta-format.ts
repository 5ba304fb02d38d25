// The delta format agents rebuild a new executable from (their decoder is agent/src/update/delta.ts, a twin kept on
// purpose: agent and collector never import each other; a test feeds this side's deltas to that decoder):
//
//   header, 88 bytes: "WPDELTA" 0x01 | source size u64 LE | target size u64 LE | source SHA-256 (32) | target SHA-256 (32)
//   instructions until END:
//     0x01 COPY  varint offset, varint length   the target's next bytes are source[offset, offset + length)
//     0x02 ADD   varint length, then the bytes  the target's next bytes are these
//     0x00 END                                  the target is complete; nothing may follow
//   varint: unsigned LEB128, at most 8 bytes.
//
// The delta is served brotli-encoded. Offsets are absolute, so every instruction can be checked on its own against
// the two sizes in the header.

export const DELTA_MAGIC = Buffer.from('WPDELTA\x01', 'latin1');
export const DELTA_HEADER_BYTES = 88;
export const OP_END = 0x00;
export const OP_COPY = 0x01;
export const OP_ADD = 0x02;
export const MAX_VARINT_BYTES = 8;
/** Literal runs at least this long are kept as references to the target instead of being copied. */
const INLINE_LIMIT = 4096;
const PART_BYTES = 64 * 1024;

export interface DeltaEnds {
  sourceBytes: number;
  targetBytes: number;
  sourceSha256: string;
  targetSha256: string;
}

export function deltaHeader(ends: DeltaEnds): Buffer {
  const header = Buffer.alloc(DELTA_HEADER_BYTES);
  DELTA_MAGIC.copy(header, 0);
  header.writeBigUInt64LE(BigInt(ends.sourceBytes), 8);
  header.writeBigUInt64LE(BigInt(ends.targetBytes), 16);
  header.write(ends.sourceSha256, 24, 32, 'hex');
  header.write(ends.targetSha256, 56, 32, 'hex');
  return header;
}

/** Builds a delta as a list of buffers (long literal runs are slices of the target, not copies). */
export class DeltaWriter {
  private readonly parts: Buffer[] = [];
  private part = Buffer.allocUnsafe(PART_BYTES);
  private used = 0;
  bytes = 0;

  constructor(ends: DeltaEnds) {
    this.raw(deltaHeader(ends));
  }

  private room(n: number): void {
    if (this.used + n <= this.part.length) return;
    this.flush();
    if (n > this.part.length) this.part = Buffer.allocUnsafe(n);
  }

  private flush(): void {
    if (this.used === 0) return;
    this.parts.push(this.part.subarray(0, this.used));
    this.part = Buffer.allocUnsafe(PART_BYTES);
    this.used = 0;
  }

  private raw(bytes: Buffer): void {
    this.room(bytes.length);
    this.used += bytes.copy(this.part, this.used);
    this.bytes += bytes.length;
  }

  private varint(value: number): void {
    this.room(MAX_VARINT_BYTES);
    let v = value;
    for (;;) {
      const low = v % 128;
      v = Math.floor(v / 128);
      this.part[this.used++] = v > 0 ? low | 0x80 : low;
      this.bytes++;
      if (v === 0) return;
    }
  }

  private op(code: number): void {
    this.room(1);
    this.part[this.used++] = code;
    this.bytes++;
  }

  copy(offset: number, length: number): void {
    this.op(OP_COPY);
    this.varint(offset);
    this.varint(length);
  }

  add(bytes: Buffer): void {
    this.op(OP_ADD);
    this.varint(bytes.length);
    if (bytes.length < INLINE_LIMIT) return this.raw(bytes);
    this.flush();
    this.parts.push(bytes);
    this.bytes += bytes.length;
  }

  end(): Buffer[] {
    this.op(OP_END);
    this.flush();
    return this.parts;
  }
}
