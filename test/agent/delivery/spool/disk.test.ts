// DiskSpool on real files: the shared Spool contract, then what only a disk spool must do: survive a restart (a
// clean close and an abandoned instance alike), keep seqs increasing when every segment is gone, delete settled
// segments, skip and quarantine damaged data exactly once, and keep going on a real filesystem that is full.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool, type DiskSpoolOptions } from '../../../../agent/src/delivery/spool/disk.js';
import { HEADER_BYTES } from '../../../../agent/src/delivery/spool/codec.js';
import type { SpoolEntry } from '../../../../agent/src/delivery/spool/contract.js';
import { recordingLogger } from '../../helpers/recording-log.js';
import { spoolContract } from './contract.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-spool-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(dir: string, options: Partial<DiskSpoolOptions> = {}): DiskSpool {
  const spool = DiskSpool.open(dir, { log: recordingLogger(), ...options });
  cleanups.push(() => spool.close());
  return spool;
}

spoolContract('DiskSpool', ({ maxBytes, onSettled }) => open(tempDir(), { maxBytes, ...(onSettled ? { onSettled } : {}) }));

/** Appends `count` batches of `size` bytes whose content is derived from their seq. */
function fill(spool: DiskSpool, count: number, size = 50, points = 2): SpoolEntry[] {
  return Array.from({ length: count }, () => {
    const seq = spool.nextSeq();
    const entry = { seq, bytes: new Uint8Array(size).map((_, i) => (seq * 7 + i) % 256), points };
    spool.append(entry);
    return entry;
  });
}

const seqs = (entries: { seq: number }[]): number[] => entries.map((e) => e.seq);
const segmentFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.seg'))
    .sort();
const corruptFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.corrupt'));

function expectSameBytes(got: SpoolEntry[], want: SpoolEntry[]): void {
  expect(seqs(got)).toEqual(seqs(want));
  for (const [i, e] of got.entries()) expect(Buffer.from(e.bytes).equals(Buffer.from(want[i]!.bytes))).toBe(true);
}

describe('DiskSpool across restarts', () => {
  it('replays unacked batches in order with their bytes, forgets acked ones, and continues the sequence', () => {
    const dir = tempDir();
    const first = open(dir);
    const all = fill(first, 5);
    first.ack(all[0]!.seq);
    first.ack(all[2]!.seq);
    first.close();
    const second = open(dir);
    expectSameBytes(second.pending(0, 10), [all[1]!, all[3]!, all[4]!]);
    expect(second.stats()).toMatchObject({ batches: 3, bytes: 150, droppedBatches: 0 });
    expect(second.nextSeq()).toBeGreaterThan(all[4]!.seq);
  });

  it('recovers everything an abandoned instance wrote (no close(): a crash)', () => {
    const dir = tempDir();
    const crashed = DiskSpool.open(dir, { log: recordingLogger() });
    const all = fill(crashed, 3);
    crashed.ack(all[1]!.seq);
    const after = open(dir);
    expectSameBytes(after.pending(0, 10), [all[0]!, all[2]!]);
    crashed.close();
  });

  it('continues the sequence when every batch was acked and every segment deleted', () => {
    const dir = tempDir();
    const first = open(dir, { segmentBytes: 200 });
    const all = fill(first, 7);
    for (const e of all) first.ack(e.seq);
    first.close();
    const second = open(dir);
    expect(segmentFiles(dir)).toEqual([]);
    expect(second.stats().batches).toBe(0);
    expect(second.nextSeq()).toBeGreaterThan(all[6]!.seq);
  });

  it('continues the sequence from the segments when the seq file is lost', () => {
    const dir = tempDir();
    const first = open(dir);
    const all = fill(first, 3);
    first.close();
    rmSync(join(dir, 'seq'));
    expect(open(dir).nextSeq()).toBeGreaterThan(all[2]!.seq);
  });

  it('ignores a torn last entry in an ack sidecar', () => {
    const dir = tempDir();
    const first = open(dir);
    const all = fill(first, 3);
    first.ack(all[0]!.seq);
    first.close();
    const [seg] = segmentFiles(dir);
    appendFileSync(join(dir, seg!.replace('.seg', '.ack')), Buffer.from([0, 0, 0]));
    expect(seqs(open(dir).pending(0, 10))).toEqual([all[1]!.seq, all[2]!.seq]);
  });
});

describe('DiskSpool segments', () => {
  it('rolls segments at segmentBytes and deletes each once all its batches are settled', () => {
    const dir = tempDir();
    const spool = open(dir, { segmentBytes: 2 * (HEADER_BYTES + 50) }); // two batches per segment
    const all = fill(spool, 5);
    expect(segmentFiles(dir)).toHaveLength(3);
    spool.ack(all[1]!.seq); // out of order: the first segment still holds all[0]
    expect(segmentFiles(dir)).toHaveLength(3);
    spool.ack(all[0]!.seq);
    expect(segmentFiles(dir)).toHaveLength(2);
    spool.ack(all[2]!.seq);
    spool.ack(all[3]!.seq);
    expect(segmentFiles(dir)).toHaveLength(1);
    expect(seqs(spool.pending(0, 10))).toEqual([all[4]!.seq]);
  });

  it('over the bound drops the oldest (whole segments), counts them, logs once per drop, and does not replay them', () => {
    const dir = tempDir();
    const log = recordingLogger();
    const spool = open(dir, { maxBytes: 500, segmentBytes: 2 * (HEADER_BYTES + 100), log });
    const all = fill(spool, 5, 100, 3); // 500 bytes: at the bound
    expect(spool.stats().droppedBatches).toBe(0);
    const [big] = fill(spool, 1, 250, 9); // needs 250 more: the three oldest go
    expect(seqs(spool.pending(0, 10))).toEqual([all[3]!.seq, all[4]!.seq, big!.seq]);
    expect(spool.stats()).toMatchObject({ batches: 3, bytes: 450, droppedBatches: 3, droppedPoints: 9 });
    expect(spool.stats().droppedBy.full).toEqual({ batches: 3, points: 9 });
    expect(log.count(/full; dropped the oldest/)).toBe(1);
    expect(log.lines.find((l) => /full; dropped/.test(l.message))?.fields).toMatchObject({ batches: 3, points: 9 });
    // The first segment (all[0], all[1]) went whole; the second keeps all[3] with all[2] marked in its sidecar.
    expect(segmentFiles(dir)).toEqual(['0000000002.seg', '0000000003.seg', '0000000004.seg']);
    spool.close();
    expect(seqs(open(dir).pending(0, 10))).toEqual([all[3]!.seq, all[4]!.seq, big!.seq]);
  });
});

describe('DiskSpool damaged data', () => {
  function threeBatches(dir: string): SpoolEntry[] {
    const spool = open(dir);
    const all = fill(spool, 3, 50, 4);
    spool.close();
    return all;
  }

  it('a truncated tail (power loss mid-write) is skipped, counted, logged with the file, quarantined, and gone on the next start', () => {
    const dir = tempDir();
    const all = threeBatches(dir);
    const [seg] = segmentFiles(dir);
    const file = join(dir, seg!);
    const cutAt = statSync(file).size - 10; // inside the third record's payload
    truncateSync(file, cutAt);
    const log = recordingLogger();
    const spool = open(dir, { log });
    expectSameBytes(spool.pending(0, 10), all.slice(0, 2));
    expect(spool.stats().droppedBy.corrupt).toEqual({ batches: 1, points: 4 }); // points from the intact header
    const line = log.lines.find((l) => l.level === 'error' && /damaged segment/.test(l.message));
    expect(line?.fields).toMatchObject({ file: seg, damage: 'truncated', batches: 1 });
    expect(corruptFiles(dir)).toEqual([`${seg}.${2 * (HEADER_BYTES + 50)}.corrupt`]);
    expect(statSync(file).size).toBe(2 * (HEADER_BYTES + 50));
    expect(spool.nextSeq()).toBeGreaterThan(all[2]!.seq);
    spool.close();
    const again = recordingLogger();
    const clean = open(dir, { log: again });
    expect(clean.stats().droppedBy.corrupt).toEqual({ batches: 0, points: 0 });
    expect(again.lines.filter((l) => l.level !== 'debug')).toEqual([]);
    expect(seqs(clean.pending(0, 10))).toEqual(seqs(all.slice(0, 2)));
  });

  it('a flipped byte fails the CRC: that record and the rest of the segment are counted (intact ones by resync) and quarantined', () => {
    const dir = tempDir();
    const all = threeBatches(dir);
    const file = join(dir, segmentFiles(dir)[0]!);
    const bytes = readFileSync(file);
    bytes[HEADER_BYTES + 50 + HEADER_BYTES + 7]! ^= 0x40; // the second record's payload
    writeFileSync(file, bytes);
    const log = recordingLogger();
    const spool = open(dir, { log });
    expectSameBytes(spool.pending(0, 10), all.slice(0, 1));
    expect(spool.stats().droppedBy.corrupt).toEqual({ batches: 2, points: 8 });
    expect(log.lines.find((l) => /damaged segment/.test(l.message))?.fields).toMatchObject({ damage: 'crc_mismatch', batches: 2, points: 8 });
    expect(corruptFiles(dir)).toHaveLength(1);
    expect(spool.nextSeq()).toBeGreaterThan(all[2]!.seq);
    spool.close();
    expect(open(dir).stats().droppedBy.corrupt).toEqual({ batches: 0, points: 0 });
  });

  it('a segment damaged from its first byte is renamed aside whole', () => {
    const dir = tempDir();
    threeBatches(dir);
    const [seg] = segmentFiles(dir);
    const fd = openSync(join(dir, seg!), 'r+');
    writeSync(fd, Buffer.from('XXXX'), 0, 4, 0);
    closeSync(fd);
    const spool = open(dir);
    expect(spool.pending(0, 10)).toEqual([]);
    expect(spool.stats().droppedBy.corrupt.batches).toBe(3); // the bad first record + two found by resync
    expect(segmentFiles(dir)).toEqual([]);
    expect(corruptFiles(dir)).toEqual([`${seg}.0.corrupt`]);
  });

  it('a batch damaged on disk after it was written is dropped when read, counted and logged, not sent', () => {
    const dir = tempDir();
    const log = recordingLogger();
    const spool = open(dir, { log });
    const all = fill(spool, 3, 50, 4);
    const file = join(dir, segmentFiles(dir)[0]!);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([0xff, 0xee]), 0, 2, HEADER_BYTES + 50 + HEADER_BYTES + 3);
    closeSync(fd);
    expect(seqs(spool.pending(0, 10))).toEqual([all[0]!.seq, all[2]!.seq]);
    expect(spool.stats()).toMatchObject({ batches: 2, droppedBy: { corrupt: { batches: 1, points: 4 } } });
    expect(log.count(/damaged on disk/)).toBe(1);
  });
});

// A real full filesystem: a 256 KiB tmpfs. Mounting needs root (or CAP_SYS_ADMIN); elsewhere this one block is
// skipped with a note, the rest of the file still runs.
const canMount = process.platform === 'linux' && process.getuid?.() === 0;
if (!canMount) console.warn('delivery/spool/disk.test.ts: not root, so the real full-filesystem (tmpfs) tests are skipped');
describe.runIf(canMount)('DiskSpool on a full filesystem (256 KiB tmpfs)', () => {
  let mountpoint = '';
  beforeAll(() => {
    mountpoint = mkdtempSync(join(tmpdir(), 'watchpost-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountpoint]);
  });
  afterAll(() => {
    execFileSync('umount', [mountpoint]);
    rmSync(mountpoint, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const name of readdirSync(mountpoint)) rmSync(join(mountpoint, name), { recursive: true, force: true });
  });

  /** Fills what is left of the filesystem with one file, until the kernel says ENOSPC. */
  function fillDisk(): string {
    const file = join(mountpoint, 'filler');
    const fd = openSync(file, 'w');
    const chunk = Buffer.alloc(4096, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    return file;
  }

  it('when the spool itself fills the disk, the oldest segment is dropped (disk_full) and the newest batches are kept', () => {
    const log = recordingLogger();
    const spool = open(join(mountpoint, 'spool'), { maxBytes: 64 * 1024 * 1024, segmentBytes: 48 * 1024, log });
    const all = fill(spool, 40, 16 * 1024, 5); // 640 KiB into 256 KiB: never throws
    const held = seqs(spool.pending(0, 100));
    const stats = spool.stats();
    expect(stats.droppedBy.disk_full.batches).toBeGreaterThan(0);
    expect(stats.droppedBy.disk_full.points).toBe(5 * stats.droppedBy.disk_full.batches);
    expect(stats.batches + stats.droppedBatches).toBe(40);
    expect(held).toEqual(seqs(all.slice(-held.length))); // a contiguous newest tail
    expect(held.at(-1)).toBe(all[39]!.seq);
    expect(log.count(/disk full/)).toBeGreaterThan(0);
  });

  it('a batch that cannot be written even after freeing is dropped as disk_full; once space is back, appends work again', () => {
    const log = recordingLogger();
    const spool = open(join(mountpoint, 'spool'), { log });
    const filler = fillDisk();
    const [lost] = fill(spool, 1, 16 * 1024, 7);
    expect(spool.stats()).toMatchObject({ batches: 0, droppedBy: { disk_full: { batches: 1, points: 7 } } });
    expect(log.lines.find((l) => /batch dropped \(disk_full\)/.test(l.message))?.fields).toMatchObject({ seq: lost!.seq, points: 7 });
    rmSync(filler);
    const [kept] = fill(spool, 1, 16 * 1024, 7);
    expectSameBytes(spool.pending(0, 10), [kept!]);
    expect(spool.stats().droppedBy.disk_full.batches).toBe(1);
  });
});
