// The batcher on a manual clock: a batch leaves when full (large inputs are split) or maxDelayMs after its oldest
// sample arrived; close() flushes.
import { describe, expect, it } from 'vitest';
import { createBatcher, type BatcherOptions } from '../../../agent/src/delivery/batcher.js';
import type { Sample } from '../../../agent/src/sample.js';
import { ManualClock } from '../helpers/manual-clock.js';

function samples(from: number, count: number): Sample[] {
  return Array.from({ length: count }, (_, i) => ({
    measurement: 'cpu',
    tags: { host: 'pc-01', tenant: 'acme' },
    fields: { n: from + i },
    time: 1000 + from + i,
  }));
}

/** Each emitted batch as the list of its `n` field values, so order and splits are visible. */
function setup(options: Partial<BatcherOptions> = {}) {
  const clock = new ManualClock();
  const batches: number[][] = [];
  const batcher = createBatcher({
    maxSamples: 3,
    maxDelayMs: 2000,
    timers: clock,
    onBatch: (batch) => void batches.push(batch.map((s) => s.fields.n as number)),
    ...options,
  });
  return { clock, batches, batcher };
}

describe('batcher', () => {
  it.each([
    ['below the limit', [2], [], [0, 1]],
    ['exactly the limit', [3], [[0, 1, 2]], []],
    [
      'one large input split',
      [8],
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
      [6, 7],
    ],
    [
      'several inputs filling batches',
      [2, 2, 2],
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
      [],
    ],
  ])('%s: emits full batches at once and keeps the rest', (_, sizes, full, rest) => {
    const h = setup();
    let next = 0;
    for (const size of sizes) {
      h.batcher.add(samples(next, size));
      next += size;
    }
    expect(h.batches).toEqual(full);
    h.batcher.flush();
    expect(h.batches.slice(full.length)).toEqual(rest.length ? [rest] : []);
  });

  it('emits a pending batch maxDelayMs after its first sample, not after the latest', async () => {
    const h = setup({ maxSamples: 100 });
    h.batcher.add(samples(0, 1));
    await h.clock.advance(1500);
    h.batcher.add(samples(1, 1));
    await h.clock.advance(499);
    expect(h.batches).toEqual([]);
    await h.clock.advance(1);
    expect(h.batches).toEqual([[0, 1]]);
    await h.clock.advance(10_000);
    expect(h.batches).toHaveLength(1);
    expect(h.clock.timerCount).toBe(0);
  });

  it('restarts the delay for what is left after a size split', async () => {
    const h = setup();
    h.batcher.add(samples(0, 2));
    await h.clock.advance(1000);
    h.batcher.add(samples(2, 2)); // [0,1,2] leaves now; [3] arrived now and waits its own 2000 ms
    expect(h.batches).toEqual([[0, 1, 2]]);
    await h.clock.advance(1999);
    expect(h.batches).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.batches).toEqual([[0, 1, 2], [3]]);
  });

  it('close() flushes, cancels the timer and refuses more samples', async () => {
    const h = setup();
    h.batcher.add(samples(0, 2));
    h.batcher.close();
    h.batcher.close();
    expect(h.batches).toEqual([[0, 1]]);
    expect(h.clock.timerCount).toBe(0);
    expect(() => h.batcher.add(samples(2, 1))).toThrow(/closed/);
    h.batcher.flush();
    expect(h.batches).toHaveLength(1);
  });

  it('ignores empty inputs and never emits an empty batch', async () => {
    const h = setup();
    h.batcher.add([]);
    h.batcher.flush();
    await h.clock.advance(5000);
    expect(h.batches).toEqual([]);
    expect(h.clock.timerCount).toBe(0);
  });

  it('keeps the samples themselves intact and in arrival order', () => {
    const got: Sample[][] = [];
    const batcher = createBatcher({ maxSamples: 1000, onBatch: (b) => void got.push(b), timers: new ManualClock() });
    const input = samples(0, 2500);
    batcher.add(input);
    batcher.close();
    expect(got.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(got.flat()).toEqual(input);
  });

  it.each([
    [{ maxSamples: 0 }, /maxSamples/],
    [{ maxSamples: 1.5 }, /maxSamples/],
    [{ maxDelayMs: -1 }, /maxDelayMs/],
  ])('rejects bad settings %o', (bad, message) => {
    expect(() => setup(bad)).toThrow(message);
  });
});
