// The Spool contract as one test suite that every implementation runs (MemorySpool and DiskSpool), the way
// Telegraf's memory and disk buffers share theirs. Call spoolContract(name, makeSpool) from a *.test.ts file.
import { describe, expect, it } from 'vitest';
import type { Settlement, SettleListener, Spool, SpoolEntry, SpoolStats } from '../../../../agent/src/delivery/spool/contract.js';

export interface SpoolFactoryOptions {
  /** The size bound in bytes of the entries' `bytes`. */
  maxBytes: number;
  onSettled?: SettleListener;
}

export type MakeSpool = (options: SpoolFactoryOptions) => Spool | Promise<Spool>;

const ROOMY = 1024 * 1024;

/** An entry of `size` bytes whose content names its seq, so a test can tell entries apart by their bytes. */
function entry(spool: Spool, size = 16, points = 3): SpoolEntry {
  const seq = spool.nextSeq();
  const bytes = new Uint8Array(size).fill(seq % 251);
  return { seq, bytes, points };
}

function appendMany(spool: Spool, count: number, size = 16, points = 3): SpoolEntry[] {
  const out: SpoolEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = entry(spool, size, points);
    spool.append(e);
    out.push(e);
  }
  return out;
}

const seqs = (entries: SpoolEntry[]): number[] => entries.map((e) => e.seq);

/** The totals of stats(), without the per-reason breakdown (checked on its own). */
const totals = ({ batches, bytes, droppedBatches, droppedPoints }: SpoolStats) => ({ batches, bytes, droppedBatches, droppedPoints });

export function spoolContract(name: string, makeSpool: MakeSpool): void {
  describe(`Spool contract: ${name}`, () => {
    it('hands out strictly increasing sequence numbers, all positive', async () => {
      const spool = await makeSpool({ maxBytes: ROOMY });
      const got = Array.from({ length: 50 }, () => spool.nextSeq());
      expect(got[0]).toBeGreaterThan(0);
      for (let i = 1; i < got.length; i++) expect(got[i]!).toBeGreaterThan(got[i - 1]!);
    });

    it('keeps sequence numbers increasing after appends and acks', async () => {
      const spool = await makeSpool({ maxBytes: ROOMY });
      const [a, b] = appendMany(spool, 2);
      spool.ack(a!.seq);
      spool.ack(b!.seq);
      expect(spool.nextSeq()).toBeGreaterThan(b!.seq);
    });

    it('starts empty', async () => {
      const spool = await makeSpool({ maxBytes: ROOMY });
      expect(spool.pending(0, 10)).toEqual([]);
      expect(totals(spool.stats())).toEqual({ batches: 0, bytes: 0, droppedBatches: 0, droppedPoints: 0 });
    });

    it('returns pending entries oldest first, with their bytes and points unchanged', async () => {
      const spool = await makeSpool({ maxBytes: ROOMY });
      const appended = appendMany(spool, 5);
      const pending = spool.pending(0, 10);
      expect(seqs(pending)).toEqual(seqs(appended));
      for (const [i, e] of pending.entries()) {
        expect(Buffer.from(e.bytes).equals(Buffer.from(appended[i]!.bytes))).toBe(true);
        expect(e.points).toBe(3);
      }
    });

    it('pending(after, limit) returns only seq > after, at most limit', async () => {
      const spool = await makeSpool({ maxBytes: ROOMY });
      const all = seqs(appendMany(spool, 6));
      expect(seqs(spool.pending(0, 2))).toEqual(all.slice(0, 2));
      expect(seqs(spool.pending(all[1]!, 3))).toEqual(all.slice(2, 5));
      expect(seqs(spool.pending(all[4]!, 10))).toEqual(all.slice(5));
      expect(spool.pending(all[5]!, 10)).toEqual([]);
      expect(spool.pending(0, 0)).toEqual([]);
    });

    it('pending(after) works when `after` is an acked seq in the middle', async () => {
      const spool = await makeSpool({ maxBytes: ROOMY });
      const all = seqs(appendMany(spool, 4));
      spool.ack(all[1]!);
      expect(seqs(spool.pending(all[1]!, 10))).toEqual(all.slice(2));
      expect(seqs(spool.pending(0, 10))).toEqual([all[0], all[2], all[3]]);
    });

    it('ack removes exactly that entry and returns it; a second ack returns undefined', async () => {
      const spool = await makeSpool({ maxBytes: ROOMY });
      const [a, b, c] = appendMany(spool, 3, 10);
      const acked = spool.ack(b!.seq);
      expect(acked?.seq).toBe(b!.seq);
      expect(acked?.points).toBe(3);
      expect(spool.ack(b!.seq)).toBeUndefined();
      expect(spool.ack(c!.seq + 1000)).toBeUndefined();
      expect(seqs(spool.pending(0, 10))).toEqual([a!.seq, c!.seq]);
      expect(spool.stats()).toMatchObject({ batches: 2, bytes: 20, droppedBatches: 0, droppedPoints: 0 });
    });

    it('counts batches and bytes of what it holds', async () => {
      const spool = await makeSpool({ maxBytes: ROOMY });
      appendMany(spool, 3, 100);
      expect(totals(spool.stats())).toEqual({ batches: 3, bytes: 300, droppedBatches: 0, droppedPoints: 0 });
    });

    it('over the bound, drops the oldest entries and counts the batches and points dropped', async () => {
      const spool = await makeSpool({ maxBytes: 100 });
      const first = appendMany(spool, 2, 40, 5); // 80 bytes: fits
      expect(spool.stats()).toMatchObject({ batches: 2, bytes: 80, droppedBatches: 0 });
      const third = entry(spool, 40, 7);
      spool.append(third); // 120 bytes: the oldest goes
      expect(seqs(spool.pending(0, 10))).toEqual([first[1]!.seq, third.seq]);
      expect(totals(spool.stats())).toEqual({ batches: 2, bytes: 80, droppedBatches: 1, droppedPoints: 5 });
      expect(spool.ack(first[0]!.seq)).toBeUndefined();
    });

    it('drops as many of the oldest as it takes, and keeps counting across appends', async () => {
      const spool = await makeSpool({ maxBytes: 100 });
      const small = appendMany(spool, 4, 25, 2); // exactly 100 bytes: at the bound, nothing dropped
      expect(spool.stats().droppedBatches).toBe(0);
      const big = entry(spool, 60, 9);
      spool.append(big); // 160 -> drop 3 oldest (25 each) to reach 85
      expect(seqs(spool.pending(0, 10))).toEqual([small[3]!.seq, big.seq]);
      expect(totals(spool.stats())).toEqual({ batches: 2, bytes: 85, droppedBatches: 3, droppedPoints: 6 });
      const last = entry(spool, 30, 1);
      spool.append(last); // 115 -> drop the remaining small one
      expect(seqs(spool.pending(0, 10))).toEqual([big.seq, last.seq]);
      expect(totals(spool.stats())).toEqual({ batches: 2, bytes: 90, droppedBatches: 4, droppedPoints: 8 });
    });

    it('keeps the newest entry even when it alone exceeds the bound', async () => {
      const spool = await makeSpool({ maxBytes: 100 });
      const [old] = appendMany(spool, 1, 50, 4);
      const huge = entry(spool, 150, 11);
      spool.append(huge);
      expect(seqs(spool.pending(0, 10))).toEqual([huge.seq]);
      expect(totals(spool.stats())).toEqual({ batches: 1, bytes: 150, droppedBatches: 1, droppedPoints: 4 });
      expect(spool.ack(old!.seq)).toBeUndefined();
      expect(spool.ack(huge.seq)?.points).toBe(11);
      expect(totals(spool.stats())).toEqual({ batches: 0, bytes: 0, droppedBatches: 1, droppedPoints: 4 });
    });

    it('does not count acked entries as dropped, and acking frees room', async () => {
      const spool = await makeSpool({ maxBytes: 100 });
      const [a, b] = appendMany(spool, 2, 50, 5);
      spool.ack(a!.seq);
      const c = entry(spool, 50, 5);
      spool.append(c); // 100 bytes: fits because a was acked
      expect(seqs(spool.pending(0, 10))).toEqual([b!.seq, c.seq]);
      expect(totals(spool.stats())).toEqual({ batches: 2, bytes: 100, droppedBatches: 0, droppedPoints: 0 });
    });
    it('counts drops by reason: the size bound drops are `full`, and the totals are the sum', async () => {
      const spool = await makeSpool({ maxBytes: 100 });
      appendMany(spool, 3, 40, 6); // the first is dropped
      const { droppedBy, droppedBatches, droppedPoints } = spool.stats();
      expect(droppedBy).toEqual({
        full: { batches: 1, points: 6 },
        disk_full: { batches: 0, points: 0 },
        io_error: { batches: 0, points: 0 },
        corrupt: { batches: 0, points: 0 },
      });
      expect([droppedBatches, droppedPoints]).toEqual([1, 6]);
    });

    it('tells the settle listener about every ack and every drop, once each, with its points', async () => {
      const settled: [number, Settlement, number][] = [];
      const spool = await makeSpool({ maxBytes: 100, onSettled: (seq, how, points) => settled.push([seq, how, points]) });
      const [a, b, c] = appendMany(spool, 3, 40); // a is dropped when c arrives
      spool.ack(c!.seq);
      spool.ack(c!.seq);
      spool.ack(a!.seq);
      expect(settled).toEqual([
        [a!.seq, 'full', 3],
        [c!.seq, 'acked', 3],
      ]);
      expect(seqs(spool.pending(0, 10))).toEqual([b!.seq]);
    });

    it('close() is idempotent, keeps stats readable, and refuses later appends', async () => {
      const spool = await makeSpool({ maxBytes: ROOMY });
      appendMany(spool, 2, 10);
      spool.close();
      spool.close();
      expect(totals(spool.stats())).toEqual({ batches: 2, bytes: 20, droppedBatches: 0, droppedPoints: 0 });
      expect(() => spool.append(entry(spool))).toThrow(/closed/);
    });
  });
}
