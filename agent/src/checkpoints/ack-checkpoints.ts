// checkpoints/: the probes' positions in their sources: the file they are kept in (store.ts) and this rule, that
// they advance only once the batch carrying the data is settled.
//
// Checkpoints that advance only with acks. A probe that reads from a position (an event log's record id) must
// not save "read up to X" until the batch carrying those records is safe, or a crash loses them. It
// registers "when batch N is settled, commit X" under its key; the spool reports every batch it settles.
//
// Contract:
// - Per key, checkpoints commit in seq order: X of batch N commits once N and every earlier batch registered under
//   the same key are settled, so an out-of-order ack (N+1 before N) waits for N. When several are ready at once,
//   only the newest commits (it supersedes the older ones).
// - A dropped batch (spool full, disk full, damaged) settles like an ack: its checkpoint advances past data that
//   is lost. The loss is already counted and reported as a drop; re-reading it instead would put the oldest data
//   back into a spool that just had to drop it, and a batch the disk refused would be refused again. So a drop
//   never blocks a key's later checkpoints.
// - Register before the batch is appended (the spool may drop it inside append()). Settlement of a seq nobody
//   registered is ignored.
// - Kept in memory only: after a restart, batches still in the disk spool are replayed without their checkpoints,
//   and the probe resumes from its last committed one, so those records are read and sent again (at-least-once;
//   the same points are rewritten).
import type { Settlement } from '../delivery/spool/contract.js';

interface Waiting {
  seq: number;
  commit: () => void;
  settled: boolean;
}

export class AckCheckpoints {
  private readonly byKey = new Map<string, Waiting[]>();
  private readonly bySeq = new Map<number, { key: string; waiting: Waiting }[]>();

  /** `onError` receives a commit that threw (the checkpoint is then given up; the next one will supersede it). */
  constructor(private readonly onError: (key: string, error: unknown) => void = () => {}) {}

  /** Commit `commit` under `key` once batch `seq` and every earlier one of this key are settled. Seqs per key must
   *  increase (they come from the spool's nextSeq()). */
  register(seq: number, key: string, commit: () => void): void {
    const queue = this.byKey.get(key) ?? [];
    const last = queue.at(-1);
    if (last && last.seq >= seq) throw new Error(`checkpoint for ${key}: seq ${seq} after ${last.seq}`);
    const waiting = { seq, commit, settled: false };
    queue.push(waiting);
    this.byKey.set(key, queue);
    this.bySeq.set(seq, [...(this.bySeq.get(seq) ?? []), { key, waiting }]);
  }

  /** The spool's settle listener: batch `seq` was acked or dropped. */
  settle(seq: number, _how: Settlement): void {
    const entries = this.bySeq.get(seq);
    if (!entries) return;
    this.bySeq.delete(seq);
    for (const { key, waiting } of entries) {
      waiting.settled = true;
      this.advance(key);
    }
  }

  /** Checkpoints still waiting, per key (for status and tests). */
  waiting(): Record<string, number> {
    return Object.fromEntries([...this.byKey].map(([key, queue]) => [key, queue.length]));
  }

  private advance(key: string): void {
    const queue = this.byKey.get(key)!;
    let ready: Waiting | undefined;
    while (queue[0]?.settled) ready = queue.shift();
    if (queue.length === 0) this.byKey.delete(key);
    if (!ready) return;
    try {
      ready.commit();
    } catch (error) {
      this.onError(key, error);
    }
  }
}
