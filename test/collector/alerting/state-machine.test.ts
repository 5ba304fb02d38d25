// The alert state machine stepped through synthetic timelines, Prometheus-rule-test style: each row is one
// observation (minute, active, impact) and the state and events expected after it.
import { describe, expect, it } from 'vitest';
import {
  INITIAL,
  isForgettable,
  step,
  type AlertEventKind,
  type AlertState,
  type AlertStatus,
  type Timing,
} from '../../../collector/src/alerting/state-machine.js';
import type { Impact, Observation } from '../../../collector/src/alerting/contract.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

type Row = [minute: number, active: boolean, impact: Impact, status: AlertStatus, events: AlertEventKind[]];

function obs(minute: number, active: boolean, impact: Impact = 'medium'): Observation {
  return { instance: '/', active, level: impact === 'high' ? 'critical' : 'warning', impact, at: T0 + minute * MIN, summary: `m${minute}`, value: minute };
}

function run(timing: Timing, rows: Row[]): AlertState {
  let state: AlertState | undefined;
  for (const [minute, active, impact, status, events] of rows) {
    const result = step(state, obs(minute, active, impact), timing);
    expect({ minute, status: result.state.status, events: result.events.map((e) => e.kind) }).toEqual({ minute, status, events });
    state = result.state;
  }
  return state!;
}

describe('alert state machine', () => {
  it('for: 5m goes pending, then firing once the condition has held for 5 minutes', () => {
    const end = run({ forMs: 5 * MIN, keepFiringForMs: 0 }, [
      [0, false, 'medium', 'inactive', []],
      [1, true, 'medium', 'pending', ['pending']],
      [3, true, 'medium', 'pending', []],
      [5, true, 'medium', 'pending', []],
      [6, true, 'medium', 'firing', ['firing']],
      [7, true, 'medium', 'firing', []],
      [8, false, 'medium', 'inactive', ['resolved']],
    ]);
    expect(end.resolvedAt).toBe(T0 + 8 * MIN);
    expect(end.firingSince).toBeNull();
  });

  it('a pending alert that clears vanishes: pending_cleared, never firing, no resolution', () => {
    const end = run({ forMs: 5 * MIN, keepFiringForMs: 0 }, [
      [0, true, 'medium', 'pending', ['pending']],
      [4, false, 'medium', 'inactive', ['pending_cleared']],
      [5, true, 'medium', 'pending', ['pending']],
      [9, true, 'medium', 'pending', []],
      [10, true, 'medium', 'firing', ['firing']],
    ]);
    expect(end.activeSince).toBe(T0 + 5 * MIN);
  });

  it('for: 0 fires on the first active observation', () => {
    run({ forMs: 0, keepFiringForMs: 0 }, [
      [0, true, 'high', 'firing', ['firing']],
      [1, true, 'high', 'firing', []],
    ]);
  });

  it('escalates and de-escalates by impact while firing, without leaving firing', () => {
    run({ forMs: 0, keepFiringForMs: 0 }, [
      [0, true, 'medium', 'firing', ['firing']],
      [1, true, 'high', 'firing', ['escalated']],
      [2, true, 'high', 'firing', []],
      [3, true, 'medium', 'firing', ['deescalated']],
      [4, true, 'low', 'firing', ['deescalated']],
    ]);
  });

  it('keep_firing_for damps a flapping condition: it resolves only after staying clear that long', () => {
    run({ forMs: 0, keepFiringForMs: 10 * MIN }, [
      [0, true, 'medium', 'firing', ['firing']],
      [1, false, 'medium', 'firing', []],
      [2, true, 'medium', 'firing', []],
      [3, false, 'medium', 'firing', []],
      [12, false, 'medium', 'firing', []],
      [13, false, 'medium', 'inactive', ['resolved']],
      [14, true, 'medium', 'firing', ['firing']],
    ]);
  });

  it('ignores replays: an observation not newer than the last one changes nothing', () => {
    const timing = { forMs: 0, keepFiringForMs: 0 };
    const firing = step(undefined, obs(5, true), timing).state;
    for (const replay of [obs(5, false), obs(4, false), obs(0, true, 'high')]) {
      const result = step(firing, replay, timing);
      expect(result.events).toEqual([]);
      expect(result.state).toBe(firing);
    }
  });

  it('never mutates the state it is given', () => {
    const firing = step(undefined, obs(0, true), { forMs: 0, keepFiringForMs: 0 }).state;
    const copy = structuredClone(firing);
    step(firing, obs(1, false), { forMs: 0, keepFiringForMs: 0 });
    expect(firing).toEqual(copy);
    expect(INITIAL.status).toBe('inactive');
  });

  it('survives a JSON round trip (how the store keeps it) mid-pending and mid-firing', () => {
    const timing = { forMs: 5 * MIN, keepFiringForMs: 10 * MIN };
    const pending = step(undefined, obs(0, true), timing).state;
    const restored = JSON.parse(JSON.stringify(pending)) as AlertState;
    expect(step(restored, obs(5, true), timing).events.map((e) => e.kind)).toEqual(['firing']);
    const firing = step(restored, obs(5, true), timing).state;
    const clearing = step(JSON.parse(JSON.stringify(firing)) as AlertState, obs(6, false), timing).state;
    expect(step(JSON.parse(JSON.stringify(clearing)) as AlertState, obs(16, false), timing).events.map((e) => e.kind)).toEqual(['resolved']);
  });

  it('forgets only inactive states that never fired or resolved long enough ago', () => {
    const timing = { forMs: 0, keepFiringForMs: 0 };
    const firing = step(undefined, obs(0, true), timing).state;
    const resolved = step(firing, obs(1, false), timing).state;
    expect(isForgettable(firing, T0 + 99 * MIN, MIN)).toBe(false);
    expect(isForgettable(resolved, T0 + 1 * MIN, 10 * MIN)).toBe(false);
    expect(isForgettable(resolved, T0 + 11 * MIN, 10 * MIN)).toBe(true);
    expect(isForgettable(step(undefined, obs(0, false), timing).state, T0, MIN)).toBe(true);
  });
});
