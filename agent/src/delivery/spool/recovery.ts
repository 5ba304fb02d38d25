// The disk spool's start-up: read every segment and its ack sidecar, keep what is intact and unsettled, and move
// damaged tails aside so they are counted once and never seen again. Also the small file helpers the spool shares
// (directory fsync, the sequence lease). Never throws for damaged content; only for an unreadable directory.
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ackName, decodeAcks, parseSegmentName, scanSegment, segmentName, type RecordInfo } from './codec.js';
import type { DropCount } from './contract.js';
import type { Logger } from '../../base/log.js';

export const SEQ_FILE = 'seq';
const ACK_NAME = /^(\d{10})\.ack$/;

export const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'EIO';

/** Makes a file's creation, rename or deletion durable. */
export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there; NTFS journals names
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse directory fsync (EINVAL); the name then becomes durable with the next sync.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes the sequence lease atomically and durably. Throws on failure (the caller logs). */
export function writeLeaseFile(dir: string, lease: number): void {
  const temp = join(dir, `${SEQ_FILE}.tmp`);
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${lease}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, join(dir, SEQ_FILE));
  fsyncDir(dir);
}

export interface RecoveredSegment {
  id: number;
  size: number;
  /** Its intact records not yet settled, in file order. */
  records: RecordInfo[];
}

export interface Recovered {
  segments: RecoveredSegment[];
  /** The sequence lease and the highest seq found in any record (intact or in a damaged tail). */
  lease: number;
  maxSeq: number;
  /** The highest segment id in the directory, usable or not. */
  lastId: number;
  corrupt: DropCount;
}

export function recoverSpool(dir: string, log: Logger): Recovered {
  const names = readdirSync(dir);
  const ids = names
    .map(parseSegmentName)
    .filter((id): id is number => id !== undefined)
    .sort((a, b) => a - b);
  for (const name of names) {
    const ack = ACK_NAME.exec(name);
    // Leftovers of a crash: a half-written lease, a sidecar whose segment was already deleted.
    if (name.endsWith('.tmp') || (ack && !ids.includes(Number(ack[1])))) rmSync(join(dir, name), { force: true });
  }
  let lease = 0;
  try {
    lease = Number.parseInt(readFileSync(join(dir, SEQ_FILE), 'utf8'), 10) || 0;
  } catch {
    // Absent on first start; if lost, the segments still tell the highest seq.
  }
  const out: Recovered = { segments: [], lease, maxSeq: 0, lastId: ids.at(-1) ?? 0, corrupt: { batches: 0, points: 0 } };
  const seen = new Set<number>();
  for (const id of ids) {
    const segment = recoverSegment(dir, id, out, log);
    if (!segment) continue;
    segment.records = segment.records.filter((r) => !seen.has(r.seq));
    for (const r of segment.records) seen.add(r.seq);
    out.segments.push(segment);
  }
  return out;
}

function readAcks(file: string): Set<number> {
  try {
    return decodeAcks(readFileSync(file));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return new Set(); // nothing in the segment settled yet
    throw error;
  }
}

function recoverSegment(dir: string, id: number, out: Recovered, log: Logger): RecoveredSegment | undefined {
  const name = segmentName(id);
  const file = join(dir, name);
  let buf: Buffer;
  let settled: Set<number>;
  try {
    buf = readFileSync(file);
    settled = readAcks(join(dir, ackName(id)));
  } catch (error) {
    log.error('spool: segment unreadable; moved aside and counted as one lost batch', { file: name, err: errorCode(error) });
    out.corrupt.batches += 1;
    quarantine(dir, name, null, 0, log);
    return undefined;
  }
  const scan = scanSegment(buf);
  for (const r of [...scan.records, ...scan.lost.records]) out.maxSeq = Math.max(out.maxSeq, r.seq);
  const segment = { id, size: scan.damagedAt ?? buf.length, records: scan.records.filter((r) => !settled.has(r.seq)) };
  if (scan.damagedAt === null) return segment;
  const lost = scan.lost.records.filter((r) => !settled.has(r.seq));
  const batches = scan.lost.unreadable + lost.length;
  const points = scan.lost.points - scan.lost.records.filter((r) => settled.has(r.seq)).reduce((sum, r) => sum + r.points, 0);
  out.corrupt.batches += batches;
  out.corrupt.points += points;
  log.error('spool: damaged segment; the rest of it is moved aside and counted as lost', {
    file: name,
    offset: scan.damagedAt,
    damage: scan.damage,
    bytes: buf.length - scan.damagedAt,
    batches,
    points,
  });
  quarantine(dir, name, buf, scan.damagedAt, log);
  return scan.damagedAt === 0 ? undefined : segment;
}

/** Moves the bytes from `offset` on to `<name>.<offset>.corrupt` and cuts the segment there (renames the whole
 *  file when nothing before `offset` is usable). A failure is logged; the next start then tries again. */
function quarantine(dir: string, name: string, buf: Buffer | null, offset: number, log: Logger): void {
  const file = join(dir, name);
  try {
    if (offset === 0 || !buf) {
      renameSync(file, `${file}.0.corrupt`);
    } else {
      writeFileSync(`${file}.${offset}.corrupt`, buf.subarray(offset), { mode: 0o600 });
      const fd = openSync(file, 'r+');
      try {
        ftruncateSync(fd, offset);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    fsyncDir(dir);
  } catch (error) {
    log.error('spool: cannot move a damaged segment aside', { file: name, err: errorCode(error) });
  }
}
