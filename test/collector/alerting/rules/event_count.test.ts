// event_count rules: the sliding window over event times, with hysteresis, as events arrive and as the tick slides it.
import { describe, expect, it } from 'vitest';
import { at, Harness, MIN, ruleFrom, sample, shippedRule } from './harness.js';

const rule = ruleFrom({
  id: 'burst',
  kind: 'event_count',
  title: 'Errors',
  levels: ['error', 'critical'],
  count: 3,
  window: '10m',
  clear_count: 1,
  impact: 'low',
});

let record = 5000;
/** A journald error as the Linux eventlog probe sends it (minute may be fractional). */
const journalError = (minute: number, message = 'nginx.service: Main process exited, code=exited, status=1/FAILURE') =>
  sample(
    'eventlog',
    at(minute),
    { channel: 'journal', level: 'error', source: 'systemd' },
    { message, priority: 3, unit: 'nginx.service', record_id: record++ },
  );

describe('event_count: more than 3 errors in 10 min, clears at 1 or fewer', () => {
  it('counts as events arrive and slides with the tick', () => {
    const h = new Harness(rule);
    // what, minute -> [count, active] of the observation, or '-' for none
    const rows: [string, number, [number, boolean] | '-'][] = [
      ['event', 0, [1, false]],
      ['event', 1, [2, false]],
      ['event', 2, [3, false]], // 3 is not more than 3
      ['event', 3, [4, true]],
      ['tick', 5, [4, true]],
      ['tick', 11, [2, true]], // the events at 0 and 1 slid out; 2 is still above clear_count
      ['tick', 12, [1, false]], // window (2, 12]: only the event at 3
      ['tick', 13, '-'], // nothing active, nothing to say
      ['event', 14, [1, false]],
      ['event', 14.5, [2, false]],
      ['event', 15, [3, false]], // the old events are out of this window
      ['event', 16, [4, true]],
    ];
    const got = rows.map(([what, minute]) => {
      const out = what === 'event' ? h.observe([journalError(minute)]) : h.tick(at(minute)).map((t) => t.observation);
      expect(out.length).toBeLessThanOrEqual(1);
      return out[0] ? [out[0].value, out[0].active] : '-';
    });
    expect(got).toEqual(rows.map((r) => r[2]));
  });

  it('observes each change inside a batch, then the batch last word', () => {
    const h = new Harness(rule);
    // An agent's backlog: a storm at 10:00, then one lone error half an hour later, all in one batch.
    const out = h.observe([0, 0.1, 0.2, 0.3, 0.4, 30].map((m) => journalError(m)));
    expect(out.map((o) => [o.at, o.value, o.active])).toEqual([
      [at(0.3), 4, true],
      [at(30), 1, false],
    ]);
    expect(out[0]!.summary).toBe('4 matching events in 10 min (more than 3)');
    expect(out[1]!.summary).toBe('1 matching events in 10 min');
  });

  it('counts a replayed batch once', () => {
    const h = new Harness(rule);
    const batch = [journalError(0), journalError(1), journalError(2)];
    expect(h.observe(batch).map((o) => o.value)).toEqual([3]);
    expect(h.observe(batch)).toEqual([]);
    expect(h.observe([journalError(3)]).map((o) => [o.value, o.active])).toEqual([[4, true]]);
  });

  it('after a restart (window memory lost) an active alert clears once a window has passed since it was last active', () => {
    const h = new Harness(rule);
    h.observe([0, 1, 2, 3].map((m) => journalError(m)));
    h.restart();
    expect(h.tick(at(12.9))).toEqual([]);
    expect(h.tick(at(13)).map((t) => [t.observation.active, t.observation.at])).toEqual([[false, at(13)]]);
  });

  it('on the tick, events stamped ahead of the collector clock still count', () => {
    const h = new Harness(rule);
    expect(h.observe([10, 11, 12, 13].map((m) => journalError(m))).map((o) => o.active)).toEqual([true]);
    expect(h.tick(at(5)).map((t) => t.observation.value)).toEqual([4]);
  });

  it('ignores events the matchers do not take', () => {
    const h = new Harness(rule);
    const warning = (m: number) => sample('eventlog', at(m), { channel: 'journal', level: 'warning', source: 'kernel' }, { message: 'x', priority: 4 });
    expect(h.observe([0, 1, 2, 3, 4].map(warning))).toEqual([]);
  });
});

describe('event_count: the shipped logon_failures rule', () => {
  it('fires on the 21st failed logon within 10 min', () => {
    const h = new Harness(shippedRule('logon_failures'));
    const failed = (i: number) =>
      sample(
        'eventlog',
        at(i * 0.25),
        { channel: 'Security', level: 'audit_failure', source: 'Microsoft-Windows-Security-Auditing' },
        { message: 'An account failed to log on.', event_id: 4625, record_id: 90000 + i },
      );
    const out = h.observe(Array.from({ length: 21 }, (_, i) => failed(i)));
    expect(out.map((o) => [o.value, o.active, o.impact])).toEqual([[21, true, 'medium']]);
    // A successful logon (4624) is not kept by the agent; a 4625 in another channel would not count either.
    expect(h.observe([sample('eventlog', at(6), { channel: 'System', level: 'audit_failure', source: 'x' }, { message: 'x', event_id: 4625 })])).toEqual([]);
  });
});

describe('event_count: compile errors', () => {
  const base = { id: 'c', kind: 'event_count', title: 'x', impact: 'low' };
  it.each([
    [{ ...base, count: 3, window: '10m', clear_count: 4 }, 'test.yaml: rules[0].clear_count: 4 is above count (3): it would clear before it triggers'],
    [{ ...base, count: 3 }, 'test.yaml: rules[0].window: required'],
    [{ ...base, count: 3, window: '0m' }, 'test.yaml: rules[0].window: must be longer than 0'],
    [{ ...base, count: 3, window: 'ten minutes' }, 'test.yaml: rules[0].window: expected a duration like 30s, 5m, 7d; got "ten minutes"'],
    [{ ...base, count: -1, window: '10m' }, 'test.yaml: rules[0].count: Expected integer to be greater or equal to 0; got -1'],
  ])('%j', (raw, message) => {
    expect(() => ruleFrom(raw)).toThrow(message);
  });

  it('clear_count defaults to count', () => {
    const r = ruleFrom({ ...base, count: 7, window: '1h' });
    expect(r.kind === 'event_count' && [r.clearCount, r.windowMs]).toEqual([7, 60 * MIN]);
  });
});
