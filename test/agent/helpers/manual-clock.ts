// A manual clock for agent core tests: implements the agent's Timers interface and now(); time moves only when a
// test calls advance(), which fires due timers in time order and lets promise callbacks run after each one.
import { setImmediate as realImmediate } from 'node:timers/promises';
import type { TimerHandle, Timers } from '../../../agent/src/base/timers.js';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
  everyMs: number | null;
}

export class ManualClock implements Timers {
  private time: number;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now = (): number => this.time;

  setTimeout = (fn: () => void, ms: number): TimerHandle => this.add(fn, ms, null);
  setInterval = (fn: () => void, ms: number): TimerHandle => this.add(fn, ms, ms);
  clearTimeout = (handle: TimerHandle): void => void this.pending.delete(handle as number);
  clearInterval = (handle: TimerHandle): void => void this.pending.delete(handle as number);

  /** Number of timers still scheduled. */
  get timerCount(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, earliest first. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    await settle();
    for (let due = this.nextDue(until); due; due = this.nextDue(until)) {
      this.time = due.at;
      if (due.everyMs === null) this.pending.delete(due.id);
      else due.at += due.everyMs;
      due.fn();
      await settle();
    }
    this.time = until;
    await settle();
  }

  private add(fn: () => void, ms: number, everyMs: number | null): number {
    const id = this.nextId++;
    this.pending.set(id, { id, at: this.time + Math.max(0, ms), fn, everyMs });
    return id;
  }

  private nextDue(until: number): Pending | undefined {
    let first: Pending | undefined;
    for (const p of this.pending.values()) {
      if (p.at <= until && (!first || p.at < first.at || (p.at === first.at && p.id < first.id))) first = p;
    }
    return first;
  }
}

/** Lets every queued promise callback run (a macrotask turn drains the microtask queue). */
export async function settle(): Promise<void> {
  await realImmediate();
  await realImmediate();
}
