// influx/ owns the way from line protocol to InfluxDB 1.x: the mapping (line-protocol.ts), this writer and its
// contract, the /write transport (http.ts), database, retention and rollups (database.ts), the move of raw points out
// of the former raw policy (raw-migration.ts). No store, no alerting.
//
// The collector's InfluxDB writer: batches line protocol from many agent connections into /write requests and
// tells each caller, as a value, whether ITS lines were stored, so the WebSocket handler acks only stored batches.
//
// Two transports, on purpose (see http.ts and database.ts for the reasons):
//   - writes: our own line protocol POSTed with Node's fetch (the `influx` package cannot post raw lines);
//   - database/retention policy management and the health ping: the `influx` package.
//
// Contract:
//   - write(lines) resolves when the batch holding the lines was written or definitively failed; never rejects.
//     { ok: false, retryable: true }: nothing can be promised stored; the agent keeps its spool and resends.
//     { ok: false, retryable: false }: InfluxDB refused these lines for good (type conflict, ...); resending
//     would fail again. The other callers of a refused batch are isolated: each one's lines are resent alone
//     (writes are idempotent: same series and time replace), so one bad agent cannot fail everyone's batch.
//   - Backpressure: while InfluxDB is unhealthy, or when MAX_QUEUED_POINTS would be exceeded, write() fails at
//     once with retryable:true instead of holding memory. Health is set by every write attempt and by a
//     periodic ping (an unref'd timer), so the writer notices when InfluxDB is back.
//   - After close() (which flushes what is queued), write() fails with retryable:true.
import { InfluxDB, type IPoolOptions } from 'influx';
import { postLines, splitCredentials, type PostOutcome, type WriteTarget } from './http.js';
import { DEFAULT_RETENTION_POLICY, ensureDatabase, rawPolicyName, retentionMs, type RetentionPolicy } from './database.js';
import { migrateLegacyRaw } from './raw-migration.js';
import { backoffMs, type BackoffShape } from '../backoff.js';

import type { InfluxWriter, InfluxWriterOptions, WriteResult, WriterCounters, WriterLogger, WriterStatus, WriterTimers } from './writer-contract.js';

export type * from './writer-contract.js';
export { type RetentionPolicy } from './database.js';

export const DEFAULT_DATABASE = 'watchpost';
export const DEFAULT_BATCH_SIZE = 5000;
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
/**
 * Points held in memory (queued plus in flight) before write() refuses more. It must exceed what the connected
 * agents can have in flight at once (agents x the link's 4 unacked batches x points per batch), or busy agents
 * are refused and sit out the link's 5 s retry although InfluxDB keeps up: 50,000 refused 7 % of the batches of
 * 200 agents sending 110-point batches (BENCHMARKS.md). 250,000 encoded lines are about 40 MB, outside the JS heap.
 */
export const MAX_QUEUED_POINTS = 250_000;
/** A batch is also sealed at this many bytes, far below InfluxDB's default 25 MB max-body-size. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_RETRIES = 3;
export const RETRY_BASE_MS = 250;
export const RETRY_MAX_MS = 5000;
/** Full jitter: a random wait up to the exponential step, so reconnecting collectors do not stampede. */
const RETRY_BACKOFF: BackoffShape = { baseMs: RETRY_BASE_MS, maxMs: RETRY_MAX_MS, jitter: 'full' };
export const REQUEST_TIMEOUT_MS = 10_000;
export const PING_INTERVAL_MS = 5000;
const PING_TIMEOUT_MS = 2000;

/**
 * One caller's lines within one batch (a caller's lines may span batches), encoded at once: the line strings then
 * die young, and what waits for InfluxDB is bytes outside the JS heap. Holding the strings for the second or so a
 * batch waits promoted them to the old generation, whose collections were a third of the collector's CPU under
 * load (BENCHMARKS.md, ingest throughput).
 */
interface Part {
  body: Buffer<ArrayBuffer>; // the lines, each ended by '\n'
  points: number;
  settle(result: WriteResult): void;
}

interface Batch {
  parts: Part[];
  points: number;
  bytes: number;
}

/** The `influx` pool must not park the host after an error: our own health logic decides, and retries. */
type Backoff = NonNullable<IPoolOptions['backoff']>;
const NO_POOL_BACKOFF: Backoff = { getDelay: () => 0, next: () => NO_POOL_BACKOFF, reset: () => NO_POOL_BACKOFF };

const consoleLogger: WriterLogger = {
  info: (obj, msg) => console.info(msg ?? '', obj),
  warn: (obj, msg) => console.warn(msg ?? '', obj),
  error: (obj, msg) => console.error(msg ?? '', obj),
};

const realTimers: WriterTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function createInfluxWriter(options: InfluxWriterOptions): InfluxWriter {
  return new Writer(options);
}

class Writer implements InfluxWriter {
  readonly counters: WriterCounters = { pointsWritten: 0, pointsRejected: 0, batchesWritten: 0, writeErrors: 0, writesRefused: 0 };
  private log: WriterLogger;
  private readonly target: WriteTarget;
  private readonly influx: InfluxDB;
  private readonly policy: RetentionPolicy;
  private readonly timers: WriterTimers;
  private readonly batchSize: number;
  private current: Batch = emptyBatch();
  private readonly sealed: Batch[] = [];
  private pending = 0;
  private draining: Promise<void> | undefined;
  private flushTimer: unknown;
  private pingTimer: unknown;
  private health: { healthy: boolean; reason?: string } = { healthy: true };
  private lastWriteAt: number | undefined;
  private lastError: string | undefined;
  private closed = false;
  /** The move out of the former raw policy, while it runs; close() stops it between two queries. */
  private migration: Promise<unknown> | undefined;
  private readonly closing = new AbortController();

  constructor(private readonly options: InfluxWriterOptions) {
    this.log = options.logger ?? consoleLogger;
    this.timers = options.timers ?? realTimers;
    this.policy = options.retentionPolicy ?? DEFAULT_RETENTION_POLICY;
    this.batchSize = clamp(options.batchSize ?? DEFAULT_BATCH_SIZE, 1, MAX_QUEUED_POINTS, 'batchSize', this.log);
    const database = options.database ?? DEFAULT_DATABASE;
    // Credentials may come in influx.url (http.ts, splitCredentials); options.username/password win.
    const { url, ...inUrl } = splitCredentials(options.url);
    const username = options.username ?? inUrl.username;
    const password = options.password ?? inUrl.password;
    // The former default policy name means autogen from the first write: the move into it runs beside the writes.
    this.target = { url, database, retentionPolicy: rawPolicyName(this.policy.name), username, password };
    const auth = username === undefined && password === undefined ? {} : { username: username ?? '', password: password ?? '' };
    this.influx = new InfluxDB({
      ...hostOptions(url),
      ...auth,
      database,
      pool: { maxRetries: 0, requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, backoff: NO_POOL_BACKOFF },
    });
    this.schedulePing();
  }

  write(lines: string[]): Promise<WriteResult> {
    const refusal = this.refusal(lines.length);
    if (refusal) {
      this.counters.writesRefused++;
      return Promise.resolve(refusal);
    }
    if (lines.length === 0) return Promise.resolve({ ok: true });
    return new Promise((resolve) => this.enqueue(lines, resolve));
  }

  private refusal(count: number): WriteResult | undefined {
    if (this.closed) return { ok: false, retryable: true, reason: 'writer closed' };
    if (!this.health.healthy) return { ok: false, retryable: true, reason: `InfluxDB unavailable: ${this.health.reason}` };
    const max = this.options.maxQueuedPoints ?? MAX_QUEUED_POINTS;
    if (count > max) return { ok: false, retryable: false, reason: `${count} points exceed the writer queue (${max})`, rejected: count };
    if (this.pending + count > max) return { ok: false, retryable: true, reason: `write queue full (${this.pending} points pending)` };
    return undefined;
  }

  /** Adds the lines to the current batch (sealing full batches); resolve runs once all their parts settled. */
  private enqueue(lines: string[], resolve: (result: WriteResult) => void): void {
    let remaining = 0;
    let failure: WriteResult | undefined;
    let rejected = 0;
    const settle = (result: WriteResult): void => {
      if (!result.ok && !result.retryable) rejected += result.rejected ?? 0;
      if (!result.ok && (!failure || result.retryable)) failure = result; // retryable wins: the agent must resend
      if (--remaining > 0) return;
      // Refused for good: the points refused add up over the parts (one batch each).
      resolve(failure && !failure.ok && !failure.retryable ? { ...failure, rejected } : (failure ?? { ok: true }));
    };
    let start = 0;
    while (start < lines.length) {
      // The lines that fit in the current batch by count; then by size, judged on the encoded part.
      const end = Math.min(lines.length, start + this.batchSize - this.current.points);
      let body = encodeLines(lines, start, end);
      let taken = end - start;
      while (taken > 1 && this.current.bytes + body.length > MAX_BATCH_BYTES) {
        taken = Math.ceil(taken / 2);
        body = encodeLines(lines, start, start + taken);
      }
      this.current.parts.push({ body, points: taken, settle: once(settle) });
      remaining++;
      this.current.points += taken;
      this.current.bytes += body.length;
      start += taken;
      if (this.current.points >= this.batchSize || this.current.bytes >= MAX_BATCH_BYTES || start < lines.length) this.seal();
    }
    this.pending += lines.length;
    if (this.sealed.length > 0) void this.drain();
    if (this.current.points > 0 && this.flushTimer === undefined) {
      this.flushTimer = this.timers.setTimeout(() => void this.flush(), this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    }
  }

  private seal(): void {
    if (this.current.points > 0) this.sealed.push(this.current);
    this.current = emptyBatch();
    if (this.flushTimer !== undefined) this.timers.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  async flush(): Promise<void> {
    this.seal();
    while (this.draining || this.sealed.length > 0) await this.drain();
  }

  /** Sends sealed batches one at a time, in order; concurrent callers share the same loop. A batch sealed while
   *  the loop was finishing starts a new loop. */
  private drain(): Promise<void> {
    this.draining ??= this.drainLoop().finally(() => {
      this.draining = undefined;
      if (this.sealed.length > 0) void this.drain();
    });
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    for (let batch = this.sealed.shift(); batch; batch = this.sealed.shift()) {
      try {
        await this.send(batch);
      } catch (error) {
        // A bug, not InfluxDB's answer: the callers must still hear back, and may resend.
        this.log.error({ err: (error as Error).message }, 'influx writer failed unexpectedly');
        this.release(batch);
        for (const part of batch.parts) part.settle({ ok: false, retryable: true, reason: 'internal error' });
      }
    }
  }

  private async send(batch: Batch): Promise<void> {
    const body =
      batch.parts.length === 1
        ? batch.parts[0]!.body
        : Buffer.concat(
            batch.parts.map((p) => p.body),
            batch.bytes,
          );
    const outcome = await this.post(body, batch.points);
    let outcomes = batch.parts.map(() => outcome);
    if (outcome.kind === 'refused' && batch.parts.length > 1) {
      this.log.warn({ reason: outcome.reason }, 'InfluxDB refused a batch; resending each caller alone');
      outcomes = [];
      for (const part of batch.parts) outcomes.push(await this.post(part.body, part.points));
    }
    this.release(batch); // before settling: a caller that hears back sees its points no longer pending
    batch.parts.forEach((part, i) => this.finish(part, outcomes[i] ?? outcome));
  }

  /** Point counters follow each caller's final outcome, so points resent alone are not counted twice. */
  private countPoints(part: Part, outcome: PostOutcome): void {
    if (outcome.kind === 'retryable') return;
    const rejected = outcome.kind === 'refused' ? refusedPoints(outcome, part.points) : 0;
    this.counters.pointsWritten += part.points - rejected;
    this.counters.pointsRejected += rejected;
  }

  private release(batch: Batch): void {
    this.pending -= batch.points;
    batch.points = 0;
  }

  private finish(part: Part, outcome: PostOutcome): void {
    this.countPoints(part, outcome);
    if (outcome.kind === 'ok') return part.settle({ ok: true });
    if (outcome.kind === 'retryable') return part.settle({ ok: false, retryable: true, reason: outcome.reason });
    part.settle({ ok: false, retryable: false, reason: outcome.reason, rejected: refusedPoints(outcome, part.points) });
  }

  /** One /write with retries; updates health and counters. */
  private async post(body: Buffer<ArrayBuffer>, points: number): Promise<PostOutcome> {
    const maxRetries = this.options.maxRetries ?? DEFAULT_MAX_RETRIES;
    for (let attempt = 0; ; attempt++) {
      const outcome = await postLines(this.target, body, this.options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS);
      this.record(outcome, points);
      if (outcome.kind !== 'retryable' || attempt >= maxRetries || this.closed) return outcome;
      if (outcome.missingDatabase) await this.ensureDatabase().catch(() => undefined);
      await this.sleep(backoffMs(attempt, RETRY_BACKOFF, this.options.random ?? Math.random));
    }
  }

  private record(outcome: PostOutcome, points: number): void {
    if (outcome.kind === 'retryable') {
      this.counters.writeErrors++;
      this.lastError = outcome.reason;
      this.setHealth(false, outcome.reason);
      return;
    }
    this.setHealth(true);
    const rejected = outcome.kind === 'refused' ? refusedPoints(outcome, points) : 0;
    if (outcome.kind === 'refused') {
      this.counters.writeErrors++;
      this.lastError = outcome.reason;
      this.log.error({ reason: outcome.reason, status: outcome.status, points, rejected }, 'InfluxDB refused points');
    }
    if (rejected < points) {
      this.counters.batchesWritten++;
      this.lastWriteAt = (this.options.now ?? Date.now)();
    }
  }

  private setHealth(healthy: boolean, reason?: string): void {
    if (healthy !== this.health.healthy) {
      if (healthy) this.log.info({}, 'InfluxDB reachable again');
      else this.log.warn({ reason }, 'InfluxDB unavailable; refusing writes until it answers');
    }
    this.health = healthy ? { healthy } : { healthy, reason };
  }

  async ensureDatabase(): Promise<void> {
    const warn = (message: string): void => this.log.warn({ retentionPolicy: this.policy.name }, message);
    try {
      const backend = await ensureDatabase(this.influx, this.target.database, this.policy, retentionMs(this.policy, warn), warn);
      this.setHealth(true);
      // Without continuous queries there is no SELECT ... INTO to move points with (ensureDatabase said so).
      if (backend.continuousQueries) this.migrateLegacyRaw();
    } catch (error) {
      const reason = `cannot prepare database ${this.target.database}: ${(error as Error).message}`;
      this.setHealth(false, reason);
      throw new Error(reason, { cause: error });
    }
  }

  /** Starts moving the former raw policy's points into the one written to, in the background, unless running. */
  private migrateLegacyRaw(): void {
    if (this.migration || this.closed) return;
    const log = { info: (obj: object, msg?: string) => this.log.info(obj, msg), warn: (obj: object, msg?: string) => this.log.warn(obj, msg) };
    const { database, retentionPolicy } = this.target;
    this.migration = migrateLegacyRaw(this.influx, database, retentionPolicy, { log, signal: this.closing.signal }).finally(() => {
      this.migration = undefined;
    });
  }

  async checkHealth(): Promise<boolean> {
    const hosts = await this.influx.ping(PING_TIMEOUT_MS).catch(() => []);
    const online = hosts.length > 0 && hosts.every((h) => h.online);
    // An answer that is not 2xx is most often 401: InfluxDB 3 wants its token for /ping too.
    const status = hosts.find((h) => !h.online)?.res?.statusCode;
    this.setHealth(
      online,
      online ? undefined : status ? `InfluxDB answered ${status} to /ping at ${this.target.url}` : `no answer to ping at ${this.target.url}`,
    );
    return online;
  }

  private schedulePing(): void {
    const interval = this.options.pingIntervalMs ?? PING_INTERVAL_MS;
    if (interval <= 0 || this.closed) return;
    this.pingTimer = this.timers.setTimeout(() => {
      void this.checkHealth().finally(() => this.schedulePing());
    }, interval);
  }

  status(): WriterStatus {
    const { healthy, reason } = this.health;
    return { healthy, reason, lastWriteAt: this.lastWriteAt, lastError: this.lastError, pending: this.pending };
  }

  setLogger(logger: WriterLogger): void {
    this.log = logger;
  }

  async close(): Promise<void> {
    if (this.pingTimer !== undefined) this.timers.clearTimeout(this.pingTimer);
    this.closing.abort();
    await this.flush();
    this.closed = true;
    await this.migration;
  }

  private sleep(ms: number): Promise<void> {
    return this.options.sleep ? this.options.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));
  }
}

const emptyBatch = (): Batch => ({ parts: [], points: 0, bytes: 0 });

/** A partial write's dropped=N counts the points InfluxDB refused (the others are stored); without it, all were. */
const refusedPoints = (outcome: Extract<PostOutcome, { kind: 'refused' }>, points: number): number => Math.min(outcome.dropped ?? points, points);

/** lines[start..end) as UTF-8, each line ended by '\n' (InfluxDB accepts the final newline). */
function encodeLines(lines: readonly string[], start: number, end: number): Buffer<ArrayBuffer> {
  let bytes = end - start; // the newlines
  for (let i = start; i < end; i++) bytes += Buffer.byteLength(lines[i]!);
  const out = Buffer.allocUnsafeSlow(bytes) as Buffer<ArrayBuffer>;
  let at = 0;
  for (let i = start; i < end; i++) {
    at += out.write(lines[i]!, at);
    out[at++] = 0x0a;
  }
  return out;
}

function once<A>(fn: (arg: A) => void): (arg: A) => void {
  let called = false;
  return (arg) => {
    if (!called) fn(arg);
    called = true;
  };
}

function clamp(value: number, min: number, max: number, name: string, log: WriterLogger): number {
  const clamped = Math.min(max, Math.max(min, Math.floor(value)));
  if (clamped !== value) log.warn({ [name]: value, using: clamped }, `influx writer: ${name} out of range`);
  return clamped;
}

/** The `influx` package wants host, port and protocol apart. */
function hostOptions(url: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const parsed = new URL(url);
  const protocol = parsed.protocol === 'https:' ? 'https' : 'http';
  return { host: parsed.hostname, port: Number(parsed.port) || (protocol === 'https' ? 443 : 8086), protocol };
}
