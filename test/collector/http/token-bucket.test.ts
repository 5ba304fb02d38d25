// The token bucket arithmetic as a table over plain times, and the per-IP map's bound.
import { describe, expect, it } from 'vitest';
import { createKeyedLimiter, createTokenBucket, takeTokens, type BucketState } from '../../../collector/src/http/token-bucket.js';

const rule = { ratePerSecond: 2, burst: 4 };

describe('takeTokens', () => {
  it.each<[string, BucketState | undefined, number, number, { ok: boolean; tokens: number; retryAfterMs: number }]>([
    ['a new bucket starts full', undefined, 1000, 1, { ok: true, tokens: 3, retryAfterMs: 0 }],
    ['takes the last token', { tokens: 1, updatedMs: 1000 }, 1000, 1, { ok: true, tokens: 0, retryAfterMs: 0 }],
    ['refuses when empty, says when one is back', { tokens: 0, updatedMs: 1000 }, 1000, 1, { ok: false, tokens: 0, retryAfterMs: 500 }],
    ['refills at the rate', { tokens: 0, updatedMs: 1000 }, 1500, 1, { ok: true, tokens: 0, retryAfterMs: 0 }],
    ['refills no higher than the burst', { tokens: 0, updatedMs: 0 }, 60_000, 1, { ok: true, tokens: 3, retryAfterMs: 0 }],
    ['a partial refill is kept on refusal', { tokens: 0, updatedMs: 1000 }, 1250, 1, { ok: false, tokens: 0.5, retryAfterMs: 250 }],
    ['a multi-token cost waits for all of them', { tokens: 1, updatedMs: 0 }, 0, 3, { ok: false, tokens: 1, retryAfterMs: 1000 }],
    ['a cost above the burst never passes', { tokens: 4, updatedMs: 0 }, 0, 5, { ok: false, tokens: 4, retryAfterMs: Infinity }],
    ['a clock going backwards refills nothing', { tokens: 0, updatedMs: 5000 }, 1000, 1, { ok: false, tokens: 0, retryAfterMs: 500 }],
  ])('%s', (_what, state, now, cost, expected) => {
    const result = takeTokens(state, rule, now, cost);
    expect({ ok: result.ok, tokens: result.state.tokens, retryAfterMs: result.retryAfterMs }).toEqual(expected);
  });

  it('lets a burst through, then exactly the rate', () => {
    let now = 0;
    const bucket = createTokenBucket(rule, () => now);
    const passed = (n: number) => Array.from({ length: n }, () => bucket.take().ok).filter(Boolean).length;
    expect(passed(10)).toBe(4);
    now += 3000;
    expect(passed(10)).toBe(4); // 6 refilled, capped at the burst
    now += 1000;
    expect(passed(10)).toBe(2);
  });
});

describe('createKeyedLimiter', () => {
  it('keeps one bucket per key', () => {
    const limiter = createKeyedLimiter({ ratePerSecond: 1, burst: 1 }, { maxKeys: 10, now: () => 0 });
    expect(limiter.take('10.0.0.1').ok).toBe(true);
    expect(limiter.take('10.0.0.1').ok).toBe(false);
    expect(limiter.take('10.0.0.2').ok).toBe(true);
  });

  it('never holds more than maxKeys, forgetting the least recently used', () => {
    const limiter = createKeyedLimiter({ ratePerSecond: 1, burst: 1 }, { maxKeys: 3, now: () => 0 });
    for (let i = 0; i < 1000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBe(3);
    limiter.take('a');
    limiter.take('b');
    limiter.take('c');
    limiter.take('a'); // refused, and now the most recently used
    limiter.take('d'); // evicts b, not a
    expect(limiter.take('a').ok).toBe(false);
    expect(limiter.take('b').ok).toBe(true);
  });

  it('peeks without taking, remembering, or refreshing a key', () => {
    let t = 0;
    const limiter = createKeyedLimiter({ ratePerSecond: 1, burst: 2 }, { maxKeys: 2, now: () => t });
    expect(limiter.peek('10.0.0.1')).toMatchObject({ ok: true });
    expect(limiter.size).toBe(0);
    limiter.take('10.0.0.1');
    limiter.take('10.0.0.1');
    expect(limiter.peek('10.0.0.1')).toMatchObject({ ok: false, retryAfterMs: 1000 });
    t = 1000;
    expect(limiter.peek('10.0.0.1').ok).toBe(true);
    expect(limiter.peek('10.0.0.1').ok).toBe(true); // still one token: peeking took none
    limiter.take('10.0.0.2');
    limiter.peek('10.0.0.1'); // not made the most recently used
    limiter.take('10.0.0.3'); // evicts 10.0.0.1
    expect(limiter.take('10.0.0.1').state.tokens).toBe(1); // a full bucket again, minus this take
  });
});
