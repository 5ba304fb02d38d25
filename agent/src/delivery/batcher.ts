// Groups the scheduler's samples into batches for the spool: one batch per frame keeps frames few and bounded.
// A batch leaves when it is full or when its oldest sample has waited maxDelayMs, whichever comes first.
import type { Sample } from '../sample.js';
import { realTimers, type TimerHandle, type Timers } from '../base/timers.js';

/** Largest batch; bigger inputs are split. Bounds the frame size the collector has to accept. */
export const DEFAULT_MAX_SAMPLES = 1000;
/** Longest a sample waits in a pending batch: the data reaches the collector at most this late. */
export const DEFAULT_MAX_DELAY_MS = 2000;

export interface BatcherOptions {
  maxSamples?: number;
  maxDelayMs?: number;
  /** Receives each batch (never empty, in arrival order). Called synchronously from add()/flush()/close() or from a
   *  timer; it must not throw (a throw from a timer would be an uncaught exception). */
  onBatch(samples: Sample[]): void;
  timers?: Timers;
}

export interface Batcher {
  /** Queues samples; emits full batches at once. Throws after close(). */
  add(samples: readonly Sample[]): void;
  /** Emits whatever is pending now (nothing if empty). */
  flush(): void;
  /** Flushes and refuses further samples. Idempotent. */
  close(): void;
}

export function createBatcher(options: BatcherOptions): Batcher {
  const maxSamples = options.maxSamples ?? DEFAULT_MAX_SAMPLES;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  if (!Number.isInteger(maxSamples) || maxSamples < 1) throw new Error(`maxSamples: expected >= 1, got ${maxSamples}`);
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < 0) throw new Error(`maxDelayMs: expected >= 0, got ${maxDelayMs}`);
  const timers = options.timers ?? realTimers;
  let pending: Sample[] = [];
  let timer: TimerHandle | null = null;
  let closed = false;

  function disarm(): void {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
  }

  function emit(batch: Sample[]): void {
    disarm();
    options.onBatch(batch);
  }

  function flush(): void {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    emit(batch);
  }

  function add(samples: readonly Sample[]): void {
    if (closed) throw new Error('batcher is closed');
    pending = pending.concat(samples);
    while (pending.length >= maxSamples) emit(pending.splice(0, maxSamples));
    // The timer belongs to the oldest pending sample: armed when a batch starts, cleared when one is emitted. What
    // is left over after a split arrived in this call, so its clock starts now.
    if (pending.length > 0 && timer === null) timer = timers.setTimeout(flush, maxDelayMs);
  }

  function close(): void {
    if (closed) return;
    flush();
    closed = true;
    disarm();
  }

  return { add, flush, close };
}
