// The InfluxDB writer's public types: what the WebSocket handler, /healthz and /metrics see. The behaviour behind
// them is described at the top of writer.ts.
import type { RetentionPolicy } from './database.js';

/**
 * ok: every line stored. retryable: nothing can be promised stored; the same lines may succeed later. Not retryable:
 * InfluxDB refused `rejected` of the lines for good (its partial write's dropped=N; absent: all of them) and stored
 * the others.
 */
export type WriteResult = { ok: true } | { ok: false; retryable: boolean; reason: string; rejected?: number };

/** Where points go (the InfluxDB writer). Resolves when the lines are stored or definitively refused. */
export interface PointSink {
  write(lines: string[]): Promise<WriteResult>;
}

export interface WriterStatus {
  healthy: boolean;
  reason?: string;
  lastWriteAt?: number;
  lastError?: string;
  /** Points queued or in flight. */
  pending: number;
}

export interface WriterCounters {
  pointsWritten: number;
  /** Points InfluxDB refused for good (from its "dropped=N" when it says, else every line of the caller). */
  pointsRejected: number;
  batchesWritten: number;
  /** Failed /write requests, retries included. */
  writeErrors: number;
  /** write() calls refused without trying: unhealthy, queue full or closed. */
  writesRefused: number;
}

/** pino-compatible (fastify's app.log fits). */
export interface WriterLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Timer seam for tests; handles are unref'd when they support it. */
export interface WriterTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface InfluxWriterOptions {
  url: string;
  database?: string;
  retentionPolicy?: RetentionPolicy;
  username?: string;
  password?: string;
  batchSize?: number;
  flushIntervalMs?: number;
  maxQueuedPoints?: number;
  maxRetries?: number;
  requestTimeoutMs?: number;
  /** 0 disables the periodic ping (tests call checkHealth()). */
  pingIntervalMs?: number;
  logger?: WriterLogger;
  timers?: WriterTimers;
  /** Waits between retries; tests pass one that resolves at once. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface InfluxWriter {
  write(lines: string[]): Promise<WriteResult>;
  /** Sends everything queued now; resolves when it has been written or failed. */
  flush(): Promise<void>;
  ensureDatabase(): Promise<void>;
  /** Pings InfluxDB and updates the health (the periodic ping calls it too). */
  checkHealth(): Promise<boolean>;
  status(): WriterStatus;
  readonly counters: Readonly<WriterCounters>;
  setLogger(logger: WriterLogger): void;
  close(): Promise<void>;
}
