// Which spooled batch the link may send next: an in-flight window that is small in the steady state and widens
// while batches wait behind it, bounded in batches and bytes, and a pace (token buckets on frames and bytes) that
// keeps a draining agent inside the collector's per-agent rate limits however fast acks come back. Bookkeeping only,
// over an injected clock; link.ts owns the socket and the timer, and its header gives the numbers' reasons.

/** Batches in flight when nothing waits behind them; where every connection and every UNAVAILABLE starts again. */
export const BASE_WINDOW = 4;
/** Batches in flight at most while a backlog drains. */
export const MAX_WINDOW = 16;
/** Encoded bytes in flight at most (one batch always may go, whatever its size). */
export const MAX_IN_FLIGHT_BYTES = 1024 * 1024;
/** The pace: sustained rate and burst of batch frames and of their bytes, kept across connections. */
export const PACE_FRAMES_PER_SECOND = 15;
export const PACE_FRAME_BURST = 50;
export const PACE_BYTES_PER_SECOND = 1024 * 1024;
export const PACE_BYTE_BURST = 1024 * 1024;

interface Bucket {
  readonly rate: number;
  readonly burst: number;
  tokens: number;
  at: number;
}

function refill(bucket: Bucket, now: number): void {
  bucket.tokens = Math.min(bucket.burst, bucket.tokens + (Math.max(0, now - bucket.at) * bucket.rate) / 1000);
  bucket.at = Math.max(now, bucket.at);
}

/** Milliseconds until `cost` tokens are there (a cost above the burst waits for a full bucket). */
function waitFor(bucket: Bucket, cost: number): number {
  const missing = Math.min(cost, bucket.burst) - bucket.tokens;
  return missing <= 0 ? 0 : Math.ceil((missing * 1000) / bucket.rate);
}

export class SendWindow {
  private size = BASE_WINDOW;
  private readonly flight = new Map<number, number>(); // seq -> encoded bytes
  private bytes = 0;
  private readonly frameBucket: Bucket;
  private readonly byteBucket: Bucket;

  constructor(private readonly now: () => number) {
    const at = now();
    this.frameBucket = { rate: PACE_FRAMES_PER_SECOND, burst: PACE_FRAME_BURST, tokens: PACE_FRAME_BURST, at };
    this.byteBucket = { rate: PACE_BYTES_PER_SECOND, burst: PACE_BYTE_BURST, tokens: PACE_BYTE_BURST, at };
  }

  /** Batches sent and not yet answered. */
  get inFlight(): number {
    return this.flight.size;
  }

  /** The window's current size in batches (BASE_WINDOW to MAX_WINDOW). */
  get limit(): number {
    return this.size;
  }

  has(seq: number): boolean {
    return this.flight.has(seq);
  }

  /** True when no batch may go whatever its size: the window is full until an answer frees a slot. */
  full(): boolean {
    return this.flight.size >= this.size;
  }

  /** For a batch of `bytes`: 0 = send it now; a number of ms = the pace allows it then; null = no room until an
   *  answer frees some. */
  admit(bytes: number): number | null {
    if (this.full() || (this.flight.size > 0 && this.bytes + bytes > MAX_IN_FLIGHT_BYTES)) return null;
    const now = this.now();
    refill(this.frameBucket, now);
    refill(this.byteBucket, now);
    return Math.max(waitFor(this.frameBucket, 1), waitFor(this.byteBucket, bytes));
  }

  /** The batch went out (after admit() said 0). */
  sent(seq: number, bytes: number): void {
    this.release(seq); // a resend after UNAVAILABLE while its first copy is still unanswered
    this.frameBucket.tokens -= 1;
    this.byteBucket.tokens -= Math.min(bytes, this.byteBucket.burst);
    this.flight.set(seq, bytes);
    this.bytes += bytes;
  }

  /** The batch was acked; `spooled`: batches the spool holds now. More than are in flight means batches wait
   *  behind the window, so the window is what holds them back: it widens by one (doubling per round trip). None
   *  waiting means the backlog is gone: back to the base. */
  acked(seq: number, spooled: number): void {
    this.release(seq);
    this.size = spooled > this.flight.size ? Math.min(MAX_WINDOW, this.size + 1) : BASE_WINDOW;
  }

  /** The collector cannot store now (UNAVAILABLE): the batch stays in the spool, the window is back to its base. */
  refused(seq: number): void {
    this.release(seq);
    this.size = BASE_WINDOW;
  }

  /** The connection is gone: nothing is in flight any more (the pace is kept). */
  reset(): void {
    this.flight.clear();
    this.bytes = 0;
    this.size = BASE_WINDOW;
  }

  private release(seq: number): void {
    this.bytes -= this.flight.get(seq) ?? 0;
    this.flight.delete(seq);
  }
}
