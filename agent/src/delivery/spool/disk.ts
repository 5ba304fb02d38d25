// The spool on disk: every batch is written (and fsynced) before the link may send it, and stays until the
// collector acks it or the size bound drops it, so an agent restart, a crash or a power cut loses nothing unacked.
// Layout of <stateDir>/spool/ (formats in codec.ts): append-only segment files `<id>.seg`, each with an
// `<id>.ack` sidecar of settled seqs, and `seq`, the sequence lease. Damaged data found at open (a torn tail
// after power loss, a CRC mismatch) is counted as `corrupt`, logged once with the file name, and moved aside to
// `<id>.seg.<offset>.corrupt`, so the next start is clean. Two agents must not share one state directory.
import { appendFileSync, closeSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ackName, encodeAck, encodeRecord, HEADER_BYTES, MAX_PAYLOAD_BYTES, segmentName, verifyRecord } from './codec.js';
import { errorCode, fsyncDir, recoverSpool, writeLeaseFile } from './recovery.js';
import { emptyDrops, spoolStats, type DropReason, type SettleListener, type Spool, type SpoolEntry, type SpoolStats } from './contract.js';
import type { Logger } from '../../base/log.js';

export const DEFAULT_SPOOL_MAX_BYTES = 256 * 1024 * 1024;
/** Segments roll at this size (or maxBytes/8 if smaller, at least MIN_SEGMENT_BYTES): a fully settled segment is
 *  deleted whole, and under disk pressure the oldest one is dropped whole, so segments are the unit of freeing. */
export const SEGMENT_BYTES = 8 * 1024 * 1024;
const MIN_SEGMENT_BYTES = 64 * 1024;
/** Fsync policy: every append is fdatasync'ed before append() returns, so nothing the link sent can be lost to a
 *  power cut. Batches are few (one per probe run), and write+fdatasync of 4 KiB measured 0.2 ms on this project's
 *  ext4 build machine (directory fsync 0.08 ms). Acks are written without fsync: a crash may forget the last acks,
 *  and those batches are sent again (at-least-once; the collector rewrites the same points). */
const FSYNC_APPENDS = true;
/** The `seq` file holds a bound every handed-out seq is below, raised this far ahead: one small write per this many
 *  batches keeps seqs increasing across restarts even when every segment was acked and deleted. */
const SEQ_LEASE = 1024;
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

export interface DiskSpoolOptions {
  maxBytes?: number;
  segmentBytes?: number;
  log: Logger;
  onSettled?: SettleListener;
}

interface Segment {
  id: number;
  /** Bytes in the file, and records in it not yet settled (acked or dropped). */
  size: number;
  live: number;
}

interface Held {
  seq: number;
  points: number;
  length: number;
  offset: number;
  segment: Segment;
}

export class DiskSpool implements Spool {
  private readonly segments: Segment[] = [];
  private active: { segment: Segment; fd: number; records: number } | null = null;
  private readonly held = new Map<number, Held>();
  /** Held seqs in ascending order from `head`; settled ones are skipped and trimmed lazily. */
  private order: number[] = [];
  private head = 0;
  private bytes = 0;
  private next = 1;
  private lease = 0;
  /** Highest segment id ever seen in the directory: a new segment never reuses the name of one whose deletion
   *  failed. */
  private lastId = 0;
  private readonly dropped = emptyDrops();
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private closed = false;
  private ackWriteFailed = false;

  /** Opens (creating) the spool in `dir` and recovers what is there. Throws only if the directory is unusable. */
  static open(dir: string, options: DiskSpoolOptions): DiskSpool {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const spool = new DiskSpool(dir, options);
    spool.recover();
    return spool;
  }

  private constructor(
    private readonly dir: string,
    private readonly options: DiskSpoolOptions,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
    this.segmentBytes = options.segmentBytes ?? Math.min(SEGMENT_BYTES, Math.max(MIN_SEGMENT_BYTES, Math.floor(this.maxBytes / 8)));
  }

  nextSeq(): number {
    const seq = this.next++;
    if (seq >= this.lease) this.writeLease(seq + SEQ_LEASE);
    return seq;
  }

  append(entry: SpoolEntry): void {
    if (this.closed) throw new Error('spool is closed');
    const length = entry.bytes.byteLength;
    if (length > MAX_PAYLOAD_BYTES) return this.dropNew(entry, 'full', `batch of ${length} bytes is larger than a record may be`);
    this.makeRoom(length);
    const record = encodeRecord(entry.seq, entry.points, entry.bytes);
    let offset: number;
    try {
      offset = this.write(record);
    } catch (error) {
      const code = errorCode(error);
      if (!DISK_FULL_CODES.has(code)) return this.dropNew(entry, 'io_error', `write failed: ${code}`);
      this.options.log.warn('spool: disk full; dropping the oldest segment to make room', { dir: this.dir });
      this.freeDisk();
      try {
        offset = this.write(record);
      } catch (again) {
        return this.dropNew(entry, DISK_FULL_CODES.has(errorCode(again)) ? 'disk_full' : 'io_error', `write failed: ${errorCode(again)}`);
      }
    }
    this.hold({ seq: entry.seq, points: entry.points, length, offset, segment: this.active!.segment });
  }

  pending(after: number, limit: number): SpoolEntry[] {
    const out: SpoolEntry[] = [];
    for (let i = this.firstAfter(after); i < this.order.length && out.length < limit; i++) {
      const held = this.held.get(this.order[i]!);
      if (!held) continue;
      const bytes = this.read(held);
      if (bytes) out.push({ seq: held.seq, bytes, points: held.points });
    }
    return out;
  }

  ack(seq: number): { seq: number; points: number } | undefined {
    const held = this.held.get(seq);
    if (!held) return undefined;
    this.settle([held], 'acked');
    return { seq, points: held.points };
  }

  stats(): SpoolStats {
    return spoolStats(this.held.size, this.bytes, this.dropped);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.active) closeSync(this.active.fd);
    this.active = null;
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  private hold(held: Held): void {
    this.held.set(held.seq, held);
    this.order.push(held.seq);
    this.bytes += held.length;
    held.segment.live += 1;
  }

  /** Index of the first held seq > after (binary search; seqs are appended in increasing order). */
  private firstAfter(after: number): number {
    while (this.head < this.order.length && !this.held.has(this.order[this.head]!)) this.head++;
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    let lo = this.head;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order[mid]! > after) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Appends a record to the active segment (rolling or creating it first); returns its offset. On failure the
   *  segment is cut back to its last whole record, so a partial write never sits before later records. */
  private write(record: Buffer): number {
    if (this.active && this.active.records > 0 && this.active.segment.size + record.length > this.segmentBytes) this.roll();
    if (!this.active) {
      const id = ++this.lastId;
      const fd = openSync(this.path(segmentName(id)), 'wx+', 0o600);
      const segment = { id, size: 0, live: 0 };
      this.segments.push(segment);
      this.active = { segment, fd, records: 0 };
      fsyncDir(this.dir);
    }
    const { fd, segment } = this.active;
    const offset = segment.size;
    try {
      for (let done = 0; done < record.length;) done += writeSync(fd, record, done, record.length - done, offset + done);
      if (FSYNC_APPENDS) fdatasyncSync(fd);
    } catch (error) {
      try {
        ftruncateSync(fd, offset);
      } catch {
        // The torn record is caught by its CRC at the next open.
      }
      throw error;
    }
    segment.size += record.length;
    this.active.records += 1;
    return offset;
  }

  private roll(): void {
    const { fd, segment } = this.active!;
    closeSync(fd);
    this.active = null;
    if (segment.live === 0) this.deleteSegment(segment);
  }

  private read(held: Held): Buffer | undefined {
    const buf = Buffer.allocUnsafe(HEADER_BYTES + held.length);
    let fd: number | undefined;
    try {
      fd = openSync(this.path(segmentName(held.segment.id)), 'r');
      const got = readSync(fd, buf, 0, buf.length, held.offset);
      const payload = got === buf.length ? verifyRecord(buf, held.seq) : undefined;
      if (payload) return payload;
      this.options.log.error('spool: batch damaged on disk; dropped', { file: segmentName(held.segment.id), seq: held.seq });
    } catch (error) {
      this.options.log.error('spool: cannot read a batch; dropped', { file: segmentName(held.segment.id), seq: held.seq, err: errorCode(error) });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    this.settle([held], 'corrupt');
    return undefined;
  }

  /** Drops the oldest held batches until `incoming` more bytes fit the bound (the incoming batch itself is kept
   *  even when it alone is larger). Logs once per call that drops. */
  private makeRoom(incoming: number): void {
    const victims: Held[] = [];
    let bytes = this.bytes;
    for (let i = this.firstAfter(0); i < this.order.length && bytes + incoming > this.maxBytes; i++) {
      const held = this.held.get(this.order[i]!);
      if (!held) continue;
      victims.push(held);
      bytes -= held.length;
    }
    if (victims.length === 0) return;
    this.settle(victims, 'full');
    const points = victims.reduce((sum, v) => sum + v.points, 0);
    this.options.log.warn('spool: full; dropped the oldest batches', { batches: victims.length, points, maxBytes: this.maxBytes });
  }

  /** Disk full: deletes a whole segment to free space, the active one if it holds nothing unsettled, else the
   *  oldest (its unacked batches are dropped as disk_full). */
  private freeDisk(): void {
    const victim = this.active && this.active.segment.live === 0 && this.active.segment.size > 0 ? this.active.segment : this.segments[0];
    if (!victim) return;
    if (this.active?.segment === victim) this.roll();
    const lost = [...this.held.values()].filter((h) => h.segment === victim);
    if (lost.length) this.settle(lost, 'disk_full');
    if (this.segments.includes(victim)) this.deleteSegment(victim);
  }

  private dropNew(entry: SpoolEntry, reason: DropReason, why: string): void {
    this.dropped[reason].batches += 1;
    this.dropped[reason].points += entry.points;
    this.options.log.error(`spool: batch dropped (${reason}): ${why}`, { seq: entry.seq, points: entry.points, dir: this.dir });
    this.options.onSettled?.(entry.seq, reason, entry.points);
  }

  /** Records that these batches left the spool: counted, then their segment deleted if nothing in it is left
   *  unsettled (and it is not being written), else their seqs appended to its sidecar. */
  private settle(batches: Held[], how: 'acked' | DropReason): void {
    const touched = new Map<Segment, number[]>();
    for (const held of batches) {
      this.held.delete(held.seq);
      this.bytes -= held.length;
      held.segment.live -= 1;
      if (how !== 'acked') {
        this.dropped[how].batches += 1;
        this.dropped[how].points += held.points;
      }
      const seqs = touched.get(held.segment) ?? [];
      seqs.push(held.seq);
      touched.set(held.segment, seqs);
    }
    for (const [segment, seqs] of touched) {
      if (segment.live === 0 && this.active?.segment !== segment) this.deleteSegment(segment);
      else this.writeAcks(segment, seqs);
    }
    for (const held of batches) this.options.onSettled?.(held.seq, how, held.points);
  }

  private writeAcks(segment: Segment, seqs: number[]): void {
    try {
      appendFileSync(this.path(ackName(segment.id)), Buffer.concat(seqs.map(encodeAck)), { mode: 0o600 });
    } catch (error) {
      if (!this.ackWriteFailed) this.options.log.warn('spool: cannot record acks; those batches may be sent again after a restart', { err: errorCode(error) });
      this.ackWriteFailed = true;
    }
  }

  private deleteSegment(segment: Segment): void {
    // The lease must cover every seq in the segment before the last trace of them goes.
    if (this.next > this.lease) this.writeLease(this.next + SEQ_LEASE);
    try {
      rmSync(this.path(segmentName(segment.id)), { force: true });
      rmSync(this.path(ackName(segment.id)), { force: true });
      fsyncDir(this.dir);
    } catch (error) {
      this.options.log.warn('spool: cannot delete a settled segment', { file: segmentName(segment.id), err: errorCode(error) });
    }
    this.segments.splice(this.segments.indexOf(segment), 1);
  }

  private writeLease(lease: number): void {
    this.lease = lease;
    try {
      writeLeaseFile(this.dir, lease);
    } catch (error) {
      this.options.log.warn('spool: cannot save the sequence lease; seqs may repeat after a restart', { err: errorCode(error) });
    }
  }

  /** Rebuilds the index from what recoverSpool() found intact, and deletes segments with nothing left unsettled. */
  private recover(): void {
    const found = recoverSpool(this.dir, this.options.log);
    this.lease = found.lease;
    this.next = Math.max(found.lease, found.maxSeq + 1, 1);
    this.lastId = found.lastId;
    Object.assign(this.dropped.corrupt, found.corrupt);
    for (const { id, size, records } of found.segments) {
      const segment: Segment = { id, size, live: 0 };
      this.segments.push(segment);
      for (const r of records) this.hold({ seq: r.seq, points: r.points, length: r.length, offset: r.offset, segment });
    }
    this.order.sort((a, b) => a - b); // already sorted unless files were renamed by hand
    for (const segment of [...this.segments]) if (segment.live === 0) this.deleteSegment(segment);
  }
}
