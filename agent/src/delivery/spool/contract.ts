// delivery/spool/: where batches wait between the batcher and the link. This contract, the two implementations
// (memory.ts, disk.ts) and the disk spool's file formats (codec.ts) and start-up (recovery.ts).
//
// The spool holds encoded batches from the moment they are made until the collector acks them. This is the
// contract; MemorySpool (memory.ts) is the in-memory implementation (tests, and the fallback when the state
// directory cannot hold a spool), DiskSpool (disk.ts) the one `run` uses. Both run one shared test suite
// (test/agent/delivery/spool/contract.ts).
export interface SpoolEntry {
  seq: number;
  /** An encoded Envelope{batch}, sent as is. */
  bytes: Uint8Array;
  /** Points in the batch, for the produced/acked/dropped counters. */
  points: number;
}

export type AckedEntry = Pick<SpoolEntry, 'seq' | 'points'>;

/** Why a batch left the spool without an ack: the spool was at its size bound (oldest dropped), the disk refused
 *  the write (ENOSPC/EDQUOT), another write or read error, or it was found damaged on disk (CRC, truncation). */
export type DropReason = 'full' | 'disk_full' | 'io_error' | 'corrupt';
export const DROP_REASONS: readonly DropReason[] = ['full', 'disk_full', 'io_error', 'corrupt'];

export interface DropCount {
  batches: number;
  points: number;
}

export interface SpoolStats {
  /** Unacked batches held, and the sum of their `bytes` (what the size bound counts). */
  batches: number;
  bytes: number;
  /** Batches and points dropped since start, all reasons together (= the sum of droppedBy). */
  droppedBatches: number;
  droppedPoints: number;
  droppedBy: Record<DropReason, DropCount>;
}

/** How a batch left the spool, for listeners that advance only when data is settled
 *  (checkpoints/ack-checkpoints.ts) and for the delivery ledger (delivery/ledger.ts), which records the points of
 *  each dropped batch. */
export type Settlement = 'acked' | DropReason;
export type SettleListener = (seq: number, how: Settlement, points: number) => void;

export interface Spool {
  /** Next sequence number to use; strictly increasing across the spool's life (for DiskSpool: across restarts). */
  nextSeq(): number;
  /** Keeps the entry (seq from nextSeq(), increasing); when over the size bound, drops the oldest entries and
   *  counts them. Never throws for lack of room or a failing disk: the loss is counted instead. Throws only when
   *  called after close() (a programming error). */
  append(entry: SpoolEntry): void;
  /** Unacked entries with seq > after, oldest first, at most `limit`. */
  pending(after: number, limit: number): SpoolEntry[];
  /** Removes the entry with this seq; returns its seq and points (undefined if already gone). */
  ack(seq: number): AckedEntry | undefined;
  stats(): SpoolStats;
  /** Releases files; what is unacked stays for the next start (DiskSpool). Idempotent; stats() still works. */
  close(): void;
}

export function emptyDrops(): Record<DropReason, DropCount> {
  return { full: { batches: 0, points: 0 }, disk_full: { batches: 0, points: 0 }, io_error: { batches: 0, points: 0 }, corrupt: { batches: 0, points: 0 } };
}

/** stats() from the held totals and the per-reason drops. */
export function spoolStats(batches: number, bytes: number, droppedBy: Record<DropReason, DropCount>): SpoolStats {
  let droppedBatches = 0;
  let droppedPoints = 0;
  for (const reason of DROP_REASONS) {
    droppedBatches += droppedBy[reason].batches;
    droppedPoints += droppedBy[reason].points;
  }
  return { batches, bytes, droppedBatches, droppedPoints, droppedBy: structuredClone(droppedBy) };
}
