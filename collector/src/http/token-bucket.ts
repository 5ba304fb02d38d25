// Token buckets: `burst` tokens at most, refilled at `ratePerSecond`; each action costs tokens. The arithmetic is
// one pure function (takeTokens) over a small state value, so it is table-tested with plain numbers for time;
// the wrappers below only hold the state and read an injected clock.

export interface BucketRule {
  ratePerSecond: number;
  burst: number;
}

export interface BucketState {
  tokens: number;
  updatedMs: number;
}

export interface TakeResult {
  ok: boolean;
  state: BucketState;
  /** 0 when ok; else how long until `cost` tokens are there (Infinity if cost > burst: never). */
  retryAfterMs: number;
}

/**
 * Refills `state` up to `nowMs` (a new bucket, state undefined, starts full) and takes `cost` tokens if there
 * are enough; a refused take leaves the tokens (refilled) untouched. A clock that went backwards refills nothing.
 */
export function takeTokens(state: BucketState | undefined, rule: BucketRule, nowMs: number, cost = 1): TakeResult {
  const elapsedMs = state ? Math.max(0, nowMs - state.updatedMs) : 0;
  const tokens = state ? Math.min(rule.burst, state.tokens + (elapsedMs * rule.ratePerSecond) / 1000) : rule.burst;
  const updatedMs = state ? Math.max(nowMs, state.updatedMs) : nowMs;
  if (tokens >= cost) return { ok: true, state: { tokens: tokens - cost, updatedMs }, retryAfterMs: 0 };
  const retryAfterMs = cost > rule.burst ? Infinity : Math.ceil(((cost - tokens) * 1000) / rule.ratePerSecond);
  return { ok: false, state: { tokens, updatedMs }, retryAfterMs };
}

/** One bucket (e.g. one agent connection's frames). */
export interface TokenBucket {
  take(cost?: number): TakeResult;
}

export function createTokenBucket(rule: BucketRule, now: () => number = Date.now): TokenBucket {
  let state: BucketState | undefined;
  return {
    take(cost = 1) {
      const result = takeTokens(state, rule, now(), cost);
      state = result.state;
      return result;
    },
  };
}

/**
 * One bucket per key (a source IP), at most `maxKeys` of them: the least recently used key is forgotten when a
 * new one would exceed the bound, so a flood of source addresses costs bounded memory. A forgotten key starts
 * again with a full bucket, which is the price of the bound (an attacker must then hold more addresses than
 * maxKeys to profit from it).
 */
export interface KeyedLimiter {
  take(key: string, cost?: number): TakeResult;
  /** What take(key, cost) would answer now, taking nothing and leaving the key's bucket and recency as they are. */
  peek(key: string, cost?: number): TakeResult;
  readonly size: number;
}

export function createKeyedLimiter(rule: BucketRule, options: { maxKeys: number; now?: () => number }): KeyedLimiter {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, BucketState>();
  return {
    take(key, cost = 1) {
      const previous = buckets.get(key);
      const result = takeTokens(previous, rule, now(), cost);
      // Delete and set again, so Map iteration order is least recently used first.
      buckets.delete(key);
      buckets.set(key, result.state);
      if (buckets.size > options.maxKeys) buckets.delete(buckets.keys().next().value!);
      return result;
    },
    peek: (key, cost = 1) => takeTokens(buckets.get(key), rule, now(), cost),
    get size() {
      return buckets.size;
    },
  };
}
