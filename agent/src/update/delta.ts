// Rebuilding a new executable from the running one and a delta the collector made (collector/src/releases/delta-format.ts
// is the encoder's twin of this format; agent and collector never import each other, and a test feeds the encoder's
// deltas to this decoder). The delta is untrusted input until the result's SHA-256 equals the signed one: every
// instruction is bounds-checked before it touches a file, and the caller checks the result's hash and signature as
// for any download, and falls back to the full file when anything here fails.
//
// Format (the bytes after brotli decoding):
//   header, 88 bytes: "WPDELTA" 0x01 | source size u64 LE | target size u64 LE | source SHA-256 (32) | target SHA-256 (32)
//   instructions until END:
//     0x01 COPY  varint offset, varint length   the target's next bytes are source[offset, offset + length)
//     0x02 ADD   varint length, then the bytes  the target's next bytes are these
//     0x00 END                                  the target is complete; nothing may follow
//   varint: unsigned LEB128, at most 8 bytes.
//
// Why a binary delta of the whole executable rather than a rebuild of Node plus the new application blob: the
// injection (postject) lays the blob out differently per format (an ELF note, a PE resource, a Mach-O segment) and
// re-writes headers, so rebuilding it here would mean carrying postject's logic in every agent; a COPY/ADD delta is
// format-blind, and between two builds of the same Node it is the few bytes that changed in the blob (the runtime
// is copied from this very file).
//
// Memory stays bounded whatever the sizes: the source is read positionally in OUT_BUFFER_BYTES pieces, literal
// bytes pass through as they arrive, and one buffer collects the output before each write.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

export const DELTA_MAGIC = Buffer.from('WPDELTA\x01', 'latin1');
export const DELTA_HEADER_BYTES = 88;
export const OP_END = 0x00;
export const OP_COPY = 0x01;
export const OP_ADD = 0x02;
const MAX_VARINT_BYTES = 8;
/** Output collected before a write; also the largest positional read of the source. */
const OUT_BUFFER_BYTES = 1024 * 1024;

/** A delta that cannot be applied: malformed, out of bounds, for another source or target, or truncated. */
export class DeltaError extends Error {}

export interface DeltaSource {
  /** The running executable. */
  path: string;
  /** Its SHA-256 (lowercase hex): the delta must name it. */
  sha256: string;
}

export interface ApplyOptions {
  /** The hash the delta must say it makes (the offer's). */
  targetSha256: string;
  /** Largest target accepted. */
  maxBytes: number;
  /** Permissions of the new file. */
  mode: number;
}

export interface Applied {
  sha256: string;
  bytes: number;
}

/** Reads the decoded delta stream: bytes and runs of bytes, with "truncated" when it ends early. */
class Input {
  private chunk: Buffer = Buffer.alloc(0);
  private at = 0;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** False at the end of the stream. */
  async more(): Promise<boolean> {
    while (this.at >= this.chunk.length) {
      const next = await this.source.next();
      if (next.done) return false;
      this.chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
      this.at = 0;
    }
    return true;
  }

  async byte(): Promise<number> {
    if (!(await this.more())) throw new DeltaError('the delta is truncated');
    return this.chunk[this.at++]!;
  }

  /** Up to `max` (at least 1) of the next bytes, without copying. */
  async upTo(max: number): Promise<Buffer> {
    if (!(await this.more())) throw new DeltaError('the delta is truncated');
    const n = Math.min(max, this.chunk.length - this.at);
    this.at += n;
    return this.chunk.subarray(this.at - n, this.at);
  }

  async exactly(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let got = 0; got < n;) {
      const part = await this.upTo(n - got);
      parts.push(part);
      got += part.length;
    }
    return Buffer.concat(parts);
  }

  async varint(what: string): Promise<number> {
    let value = 0;
    for (let i = 0, scale = 1; i < MAX_VARINT_BYTES; i++, scale *= 128) {
      const b = await this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
    }
    throw new DeltaError(`${what}: a number longer than ${MAX_VARINT_BYTES} bytes`);
  }
}

/** The new file: writes through one buffer, hashing what it writes, never past `size` bytes. */
class Output {
  private readonly buffer = Buffer.allocUnsafe(OUT_BUFFER_BYTES);
  private used = 0;
  readonly hash = createHash('sha256');
  written = 0;
  constructor(private readonly file: FileHandle) {}

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.file.write(this.buffer, 0, this.used);
    this.hash.update(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  async add(bytes: Buffer): Promise<void> {
    for (let at = 0; at < bytes.length;) {
      if (this.used === this.buffer.length) await this.flush();
      const n = bytes.copy(this.buffer, this.used, at);
      this.used += n;
      at += n;
    }
    this.written += bytes.length;
  }

  async copy(source: FileHandle, offset: number, length: number): Promise<void> {
    for (let done = 0; done < length;) {
      if (this.used === this.buffer.length) await this.flush();
      const n = Math.min(length - done, this.buffer.length - this.used);
      const { bytesRead } = await source.read(this.buffer, this.used, n, offset + done);
      if (bytesRead !== n) throw new DeltaError('the running executable is shorter than it was');
      this.used += n;
      done += n;
    }
    this.written += length;
  }

  async end(): Promise<string> {
    await this.flush();
    return this.hash.digest('hex');
  }
}

/** SHA-256 of a file, read through one OUT_BUFFER_BYTES buffer (a stream would leave a trail of chunks for the
 *  garbage collector: tens of MB of RSS for a 121 MB executable). */
export async function sha256File(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(OUT_BUFFER_BYTES);
    for (let n = (await file.read(buffer, 0, buffer.length, null)).bytesRead; n > 0; n = (await file.read(buffer, 0, buffer.length, null)).bytesRead) {
      hash.update(buffer.subarray(0, n));
    }
    return hash.digest('hex');
  } finally {
    await file.close();
  }
}

function u64(buffer: Buffer, at: number, what: string): number {
  const value = buffer.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new DeltaError(`${what} is out of range`);
  return Number(value);
}

/** Checks the header against what was asked for; returns the target size. */
function checkHeader(header: Buffer, sourceBytes: number, source: DeltaSource, options: ApplyOptions): number {
  if (!header.subarray(0, DELTA_MAGIC.length).equals(DELTA_MAGIC)) throw new DeltaError('not a Watchpost delta (bad magic or format version)');
  const declaredSource = u64(header, 8, 'the source size');
  const targetBytes = u64(header, 16, 'the target size');
  if (declaredSource !== sourceBytes) throw new DeltaError(`the delta is for a ${declaredSource}-byte source, the running executable has ${sourceBytes}`);
  if (header.toString('hex', 24, 56) !== source.sha256.toLowerCase()) throw new DeltaError('the delta is for another source executable');
  if (header.toString('hex', 56, 88) !== options.targetSha256.toLowerCase()) throw new DeltaError('the delta makes another executable than the one offered');
  if (targetBytes > options.maxBytes) throw new DeltaError(`the delta makes ${targetBytes} bytes, more than the ${options.maxBytes} allowed`);
  return targetBytes;
}

/** Runs the instructions into `out`, each checked against the source and target sizes first. */
async function run(input: Input, src: FileHandle, sourceBytes: number, targetBytes: number, out: Output): Promise<void> {
  for (;;) {
    const op = await input.byte();
    if (op === OP_END) break;
    if (op === OP_COPY) {
      const offset = await input.varint('copy offset');
      const length = await input.varint('copy length');
      if (length === 0) throw new DeltaError('a copy of 0 bytes');
      if (offset + length > sourceBytes) throw new DeltaError(`a copy of ${length} bytes at ${offset} reaches past the ${sourceBytes}-byte source`);
      if (out.written + length > targetBytes) throw new DeltaError(`a copy of ${length} bytes overflows the ${targetBytes}-byte target`);
      await out.copy(src, offset, length);
    } else if (op === OP_ADD) {
      const length = await input.varint('add length');
      if (length === 0) throw new DeltaError('an add of 0 bytes');
      if (out.written + length > targetBytes) throw new DeltaError(`an add of ${length} bytes overflows the ${targetBytes}-byte target`);
      for (let left = length; left > 0;) {
        const part = await input.upTo(left);
        await out.add(part);
        left -= part.length;
      }
    } else {
      throw new DeltaError(`unknown instruction 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
  if (out.written !== targetBytes) throw new DeltaError(`the delta ends after ${out.written} of the target's ${targetBytes} bytes`);
  if (await input.more()) throw new DeltaError('data after the end of the delta');
}

/**
 * Writes `dest` (created anew with options.mode) from `source` and the decoded `delta` stream. Resolves with the
 * result's SHA-256 and size; rejects with DeltaError (the delta is bad) or a file system error. The caller removes
 * `dest` on failure and compares the hash with the signed one.
 */
export async function applyDelta(delta: AsyncIterable<Buffer>, source: DeltaSource, dest: string, options: ApplyOptions): Promise<Applied> {
  const input = new Input(delta[Symbol.asyncIterator]());
  const src = await open(source.path, 'r');
  try {
    const sourceBytes = (await src.stat()).size;
    const targetBytes = checkHeader(await input.exactly(DELTA_HEADER_BYTES), sourceBytes, source, options);
    const file = await open(dest, 'w', options.mode);
    try {
      const out = new Output(file);
      await run(input, src, sourceBytes, targetBytes, out);
      const sha256 = await out.end();
      return { sha256, bytes: out.written };
    } finally {
      await file.close();
    }
  } finally {
    await src.close();
  }
}
