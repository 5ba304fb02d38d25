// The in-memory spool: the Spool contract (contract.ts) over a Map, for tests and as the fallback when the state
// directory cannot hold a disk spool (what is unacked is lost at exit).
import { emptyDrops, spoolStats, type SettleListener, type Spool, type SpoolEntry, type SpoolStats } from './contract.js';

export const DEFAULT_MEMORY_SPOOL_BYTES = 64 * 1024 * 1024;

export interface MemorySpoolOptions {
  maxBytes?: number;
  firstSeq?: number;
  onSettled?: SettleListener;
}

export class MemorySpool implements Spool {
  private readonly entries = new Map<number, SpoolEntry>(); // insertion order = seq order
  private bytes = 0;
  private seq: number;
  private readonly dropped = emptyDrops();
  private readonly maxBytes: number;
  private closed = false;

  constructor(private readonly options: MemorySpoolOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MEMORY_SPOOL_BYTES;
    this.seq = options.firstSeq ?? 1;
  }

  nextSeq(): number {
    return this.seq++;
  }

  append(entry: SpoolEntry): void {
    if (this.closed) throw new Error('spool is closed');
    this.entries.set(entry.seq, entry);
    this.bytes += entry.bytes.byteLength;
    for (const [seq, oldest] of this.entries) {
      if (this.bytes <= this.maxBytes || seq === entry.seq) break;
      this.remove(seq);
      this.dropped.full.batches += 1;
      this.dropped.full.points += oldest.points;
      this.options.onSettled?.(seq, 'full', oldest.points);
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
    const entry = this.remove(seq);
    if (entry) this.options.onSettled?.(seq, 'acked', entry.points);
    return entry;
  }

  stats(): SpoolStats {
    return spoolStats(this.entries.size, this.bytes, this.dropped);
  }

  close(): void {
    this.closed = true;
  }

  private remove(seq: number): SpoolEntry | undefined {
    const entry = this.entries.get(seq);
    if (!entry) return undefined;
    this.entries.delete(seq);
    this.bytes -= entry.bytes.byteLength;
    return entry;
  }
}
