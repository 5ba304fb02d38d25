// The collectors serving from one store, on each backend: registered, alive, stopped, and the live ones by their
// last sign of life.
import { describe, expect, it } from 'vitest';
import { codeOf, open, T0, tempDbPath } from './helpers.js';

describe('collectors', () => {
  it('registers, says alive, stops, and lists the live ones by their last sign of life', () => {
    const location = tempDbPath();
    const a = open(location);
    const b = open(location);
    a.collectors.register('c_a', 'host-a', T0);
    b.collectors.register('c_b', 'host-b', T0);
    expect(a.collectors.alive('c_a', T0 + 5_000)).toBe(true);
    expect(b.collectors.alive('c_nobody', T0 + 5_000)).toBe(false);
    expect(b.collectors.live(T0 + 1).map((c) => c.id)).toEqual(['c_a']);
    expect(a.collectors.live(T0).map((c) => c.id)).toEqual(['c_a', 'c_b']);
    b.collectors.stopped('c_b', T0 + 6_000);
    expect(b.collectors.alive('c_b', T0 + 7_000)).toBe(false);
    expect(a.collectors.live(T0).map((c) => c.id)).toEqual(['c_a']);
    expect(a.collectors.list()).toEqual([
      { id: 'c_a', hostname: 'host-a', startedAt: T0, seenAt: T0 + 5_000, stoppedAt: null },
      { id: 'c_b', hostname: 'host-b', startedAt: T0, seenAt: T0 + 6_000, stoppedAt: T0 + 6_000 },
    ]);
    expect(a.collectors.prune(T0 + 5_500)).toBe(1);
    expect(a.collectors.list().map((c) => c.id)).toEqual(['c_b']);
    expect(codeOf(() => a.collectors.register('c_x', 'host-x', -1))).toBe('invalid_argument');
  });
});
