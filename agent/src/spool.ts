// The spool holds encoded batches from the moment they are made until the collector acks them. This is the
// contract; MemorySpool is the first implementation (a disk spool with the same contract follows, and both run
// one shared test suite).
export interface SpoolEntry {
  seq: number;
  /** An encoded Envelope{batch}, sent as is. */
  bytes: Uint8Array;
  /** Points in the batch, for the produced/acked/dropped counters. */
  points: number;
}

export interface SpoolStats {
  batches: number;
  bytes: number;
  /** Batches and points dropped because the spool was full (oldest first), since start. */
  droppedBatches: number;
  droppedPoints: number;
}

export interface Spool {
  /** Next sequence number to use; strictly increasing across the spool's life. */
  nextSeq(): number;
  /** Keeps the entry; when over the size bound, drops the oldest entries and counts them. */
  append(entry: SpoolEntry): void;
  /** Unacked entries with seq > after, oldest first, at most `limit`. */
  pending(after: number, limit: number): SpoolEntry[];
  /** Removes the entry with this seq; returns it (undefined if already gone). */
  ack(seq: number): SpoolEntry | undefined;
  stats(): SpoolStats;
}

export const DEFAULT_MEMORY_SPOOL_BYTES = 64 * 1024 * 1024;

export class MemorySpool implements Spool {
  private readonly entries = new Map<number, SpoolEntry>(); // insertion order = seq order
  private bytes = 0;
  private seq: number;
  private dropped = { batches: 0, points: 0 };

  constructor(
    private readonly maxBytes = DEFAULT_MEMORY_SPOOL_BYTES,
    firstSeq = 1,
  ) {
    this.seq = firstSeq;
  }

  nextSeq(): number {
    return this.seq++;
  }

  append(entry: SpoolEntry): void {
    this.entries.set(entry.seq, entry);
    this.bytes += entry.bytes.byteLength;
    for (const [seq, oldest] of this.entries) {
      if (this.bytes <= this.maxBytes || seq === entry.seq) break;
      this.remove(seq);
      this.dropped.batches += 1;
      this.dropped.points += oldest.points;
    }
  }

  pending(after: number, limit: number): SpoolEntry[] {
    const out: SpoolEntry[] = [];
    for (const entry of this.entries.values()) {
      if (out.length >= limit) break;
      if (entry.seq > after) out.push(entry);
    }
    return out;
  }

  ack(seq: number): SpoolEntry | undefined {
    return this.remove(seq);
  }

  stats(): SpoolStats {
    return { batches: this.entries.size, bytes: this.bytes, droppedBatches: this.dropped.batches, droppedPoints: this.dropped.points };
  }

  private remove(seq: number): SpoolEntry | undefined {
    const entry = this.entries.get(seq);
    if (!entry) return undefined;
    this.entries.delete(seq);
    this.bytes -= entry.bytes.byteLength;
    return entry;
  }
}
