// The one backoff helper: the step doubles up to its cap, full jitter spreads a wait over [0, step), equal jitter
// over [step/2, step). Each caller's shape is the one it always had (writer: 250 ms to 5 s, full; desks: 1 s to
// 10 min, equal).
import { describe, expect, it } from 'vitest';
import { backoffMs, type BackoffShape } from '../../collector/src/backoff.js';

const FULL: BackoffShape = { baseMs: 250, maxMs: 5_000, jitter: 'full' };
const EQUAL: BackoffShape = { baseMs: 1_000, maxMs: 600_000, jitter: 'equal' };

describe('backoffMs', () => {
  it.each<[BackoffShape, number, number, number]>([
    [FULL, 0, 0, 0],
    [FULL, 0, 0.5, 125],
    [FULL, 3, 0.999, 1998],
    [FULL, 10, 0.5, 2_500],
    [EQUAL, 0, 0, 500],
    [EQUAL, 0, 0.999, 1_000],
    [EQUAL, 2, 0.5, 3_000],
    [EQUAL, 20, 0, 300_000],
  ])('%j, retry %i, random %d -> %i ms', (shape, retry, random, ms) => {
    expect(backoffMs(retry, shape, () => random)).toBe(ms);
  });
});
