// What an agent downloads instead of a whole executable: its brotli-compressed copy, or a delta from the
// executable it runs now (delta-encode.ts). Each is made once per file (per pair for a delta), by one background
// job at a time, and kept in <data dir>/release-cache/ under the SHA-256 of what it is made of:
//   <sha256>.br                      the executable, brotli-compressed
//   <from sha256>-<to sha256>.wpd.br a delta from one executable to the other, brotli-compressed
// Names by content cannot go stale (a release's bytes never change under its hash), survive restarts, and are
// shared by every release that carries the same file. A job checks the hashes of what it read, so a file changed
// on disk is never cached under the manifest's hash, and a delta is replayed against both ends (deltaMismatch)
// before it is kept. Nothing is ever made per download; a download finds a file ready or queues its job.
//
// Decision: brotli (node:zlib) at quality FULL_QUALITY, window 2^WINDOW_BITS, for the compressed executable.
// Measured on the 121 MiB linux-x64 agent (BENCHMARKS.md, "Self-update: bytes per endpoint"), CPU to compress:
// gzip -6 35.1 % of the size in 4.1 s, gzip -9 34.9 % in 11.8 s; brotli q5 28.9 % in 5.8 s, q7 27.9 % in 13 s,
// q9 27.3 % in 54 s, q11 23.6 % in 462 s; each decompresses in under a second. q5 is 18 % smaller than gzip for
// about the same CPU. q11 would save another 18 % for 80 times the CPU (minutes per target and release), while
// the first download of a rollout waits at most PREPARE_WAIT_MS for a file not made yet (download-route.ts), and
// the compressed file is only the fallback: an agent on a loaded release gets a delta, even across a Node update
// (9 % of the file). A delta up to SMALL_DELTA_BYTES (the application's JavaScript) gets quality 11: cheap there.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createBrotliCompress } from 'node:zlib';
import { deltaMismatch, encodeDelta } from './delta-encode.js';
import type { DeltaEnds } from './delta-format.js';
import type { ReleaseExecutable } from './release-set.js';

/** The cache's directory under the collector's data directory. */
export const releaseCacheDir = (dataDir: string): string => join(dataDir, 'release-cache');
const FULL_QUALITY = 5;
const WINDOW_BITS = 24;
const SMALL_DELTA_BYTES = 8 * 1024 * 1024;
const SMALL_DELTA_QUALITY = 11;
const NAME = /^([0-9a-f]{64})(?:\.br|-([0-9a-f]{64})\.wpd\.br)$/;

export type Artifact = { kind: 'compressed'; file: ReleaseExecutable } | { kind: 'delta'; from: ReleaseExecutable; to: ReleaseExecutable };

export interface CachedFile {
  path: string;
  bytes: number;
}

export interface CacheLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface TransferCache {
  /** The artifact's file once made; otherwise queues its job (once) and returns null. */
  get(artifact: Artifact): CachedFile | null;
  /** The artifact's file, waiting up to `ms` for a queued or running job; null when not made by then. */
  settle(artifact: Artifact, ms: number): Promise<CachedFile | null>;
  /** Whether the artifact is made (queues nothing). */
  has(artifact: Artifact): boolean;
  /** Removes files of executables whose hash is not in `keep`, and leftovers of interrupted jobs; failed jobs may
   *  be tried again afterwards. */
  prune(keep: ReadonlySet<string>): void;
  /** Stops the running job, drops the queue and wakes every waiter. */
  close(): Promise<void>;
}

const nameOf = (a: Artifact): string => (a.kind === 'compressed' ? `${a.file.sha256}.br` : `${a.from.sha256}-${a.to.sha256}.wpd.br`);

const brotli = (quality: number, sizeHint: number) =>
  createBrotliCompress({
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_LGWIN]: WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: Math.min(sizeHint, 2 ** 30),
    },
  });

/** Reads an executable whole, hashing it piece by piece on the way (the event loop stays free); refuses one whose
 *  bytes are no longer the manifest's. */
async function readChecked(file: ReleaseExecutable, signal: AbortSignal): Promise<Buffer> {
  const data = Buffer.allocUnsafe(file.bytes);
  const hash = createHash('sha256');
  let at = 0;
  for await (const chunk of createReadStream(file.path, { signal }) as AsyncIterable<Buffer>) {
    if (at + chunk.length > data.length) throw new Error(`${file.file} changed on disk since the releases were loaded`);
    at += chunk.copy(data, at);
    hash.update(chunk);
  }
  if (at !== file.bytes || hash.digest('hex') !== file.sha256) throw new Error(`${file.file} changed on disk since the releases were loaded`);
  return data;
}

/** Writes `partial` with the compressed executable; returns the uncompressed size. */
async function compress(file: ReleaseExecutable, partial: string, signal: AbortSignal): Promise<number> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(file.path), tap, brotli(FULL_QUALITY, file.bytes), createWriteStream(partial, { mode: 0o600 }), { signal });
  if (bytes !== file.bytes || hash.digest('hex') !== file.sha256) throw new Error(`${file.file} changed on disk since the releases were loaded`);
  return bytes;
}

/** Writes `partial` with the compressed delta; returns the delta's uncompressed size. */
async function delta(from: ReleaseExecutable, to: ReleaseExecutable, partial: string, signal: AbortSignal): Promise<number> {
  const [source, target] = [await readChecked(from, signal), await readChecked(to, signal)];
  const ends: DeltaEnds = { sourceBytes: source.length, targetBytes: target.length, sourceSha256: from.sha256, targetSha256: to.sha256 };
  const parts = await encodeDelta(source, target, ends, signal);
  const mismatch = await deltaMismatch(parts, source, target, ends, signal);
  if (mismatch) throw new Error(`the delta does not rebuild ${to.file}: ${mismatch}`);
  const bytes = parts.reduce((sum, part) => sum + part.length, 0);
  const quality = bytes <= SMALL_DELTA_BYTES ? SMALL_DELTA_QUALITY : FULL_QUALITY;
  await pipeline(Readable.from(parts), brotli(quality, bytes), createWriteStream(partial, { mode: 0o600 }), { signal });
  return bytes;
}

interface Job {
  name: string;
  artifact: Artifact;
  done: Promise<void>;
  finish(): void;
}

export function createTransferCache(dir: string, log: CacheLog): TransferCache {
  const jobs = new Map<string, Job>();
  const queue: Job[] = [];
  /** Jobs that failed, by name: not tried again until the next prune (a reload). */
  const failed = new Map<string, string>();
  const stop = new AbortController();
  let running: Job | null = null;
  const partialOf = (name: string) => join(dir, `.${name}.partial-${process.pid}`);

  const ready = (name: string): CachedFile | null => {
    try {
      const path = join(dir, name);
      return { path, bytes: statSync(path).size };
    } catch {
      return null;
    }
  };

  const make = async (job: Job): Promise<void> => {
    const started = performance.now();
    const partial = partialOf(job.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      const a = job.artifact;
      const input = a.kind === 'compressed' ? await compress(a.file, partial, stop.signal) : await delta(a.from, a.to, partial, stop.signal);
      renameSync(partial, join(dir, job.name));
      const what = a.kind === 'compressed' ? { file: a.file.file } : { from: a.from.sha256, to: a.to.file };
      const ms = Math.round(performance.now() - started);
      log.info({ kind: a.kind, ...what, inputBytes: input, bytes: statSync(join(dir, job.name)).size, ms }, `release cache: ${a.kind} file made`);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
  };

  const kick = (): void => {
    if (running || stop.signal.aborted) return;
    const job = queue.shift();
    if (!job) return;
    running = job;
    make(job)
      .catch((error: unknown) => {
        if (stop.signal.aborted) return;
        failed.set(job.name, (error as Error).message);
        log.warn({ kind: job.artifact.kind, name: job.name, err: (error as Error).message }, 'release cache: making a file failed; agents get the next best');
      })
      .finally(() => {
        jobs.delete(job.name);
        running = null;
        job.finish();
        kick();
      });
  };

  const enqueue = (artifact: Artifact, name: string): void => {
    if (jobs.has(name) || failed.has(name) || stop.signal.aborted) return;
    let finish = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    const job: Job = { name, artifact, done, finish };
    jobs.set(name, job);
    // Deltas first: they are what an agent on a release asks for, and they are quick to make.
    const at = artifact.kind === 'delta' ? queue.findIndex((j) => j.artifact.kind !== 'delta') : -1;
    queue.splice(at === -1 ? queue.length : at, 0, job);
    kick();
  };

  const get = (artifact: Artifact): CachedFile | null => {
    const name = nameOf(artifact);
    const file = ready(name);
    if (!file) enqueue(artifact, name);
    return file;
  };

  return {
    get,
    has: (artifact) => ready(nameOf(artifact)) !== null,
    async settle(artifact, ms) {
      const first = get(artifact);
      const job = jobs.get(nameOf(artifact));
      if (first || !job || ms <= 0) return first;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([job.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
      return ready(nameOf(artifact));
    },
    prune(keep) {
      failed.clear();
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return; // nothing made yet
      }
      const live = running ? `.${running.name}.partial-${process.pid}` : null;
      for (const name of names) {
        const match = NAME.exec(name);
        const stale = match ? !keep.has(match[1]!) || (match[2] !== undefined && !keep.has(match[2])) : name !== live;
        if (stale) rmSync(join(dir, name), { force: true, recursive: true });
      }
    },
    async close() {
      stop.abort();
      const pending = [...jobs.values()];
      queue.length = 0;
      for (const job of pending) if (job !== running) job.finish();
      await running?.done;
    },
  };
}
