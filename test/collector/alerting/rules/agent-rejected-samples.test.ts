// The shipped agent_rejected_samples rule (collector/data/rules.yaml): an `event` rule on the collector's own
// `rejections` points (collector/src/agent-link/admission/refusals.ts), one alert per reason, for the refusals that mean a
// misbehaving or hostile agent; samples the mapping refuses (bad_sample: a clock far ahead, say) are not ticketed.
// The end to end (agent -> refusal -> point in InfluxDB -> ticket) is in test/collector/agent-link/admission/untrusted-agent.test.ts.
import { describe, expect, it } from 'vitest';
import { at, brief, Harness, HOUR, sample, shippedRule } from './harness.js';

/** A `rejections` point as ingest writes it (rejectionSamples). */
const refused = (minute: number, reason: string, samples: number, first: string) =>
  sample('rejections', at(minute), { reason }, { samples, message: `${samples} samples refused: ${first}` });

describe('event: the shipped agent_rejected_samples rule', () => {
  const rule = shippedRule('agent_rejected_samples');

  it('is a medium-impact event rule on rejections, one alert per reason, left open for a person', () => {
    expect(rule).toMatchObject({
      kind: 'event',
      title: "Collector refuses an agent's samples",
      impact: 'medium',
      onClear: 'note',
      instance: ['reason'],
      clearAfterMs: HOUR,
    });
  });

  it('fires for schema violations and an exhausted series budget, each its own alert, with the first refusal as the summary', () => {
    const h = new Harness(rule);
    const out = h.observe([
      refused(0, 'series_budget', 9_500, 'disk: over the budget of 1000 series per measurement'),
      refused(0, 'field_type', 1, 'cpu usage_idle is string, the schema says float'),
      refused(0, 'collector_measurement', 4, 'alerts is written by the collector only'),
      refused(0, 'unknown_measurement', 2, 'bogus is not in the schema (custom measurements start with custom_)'),
    ]);
    expect(
      out
        .map(brief)
        .map((o) => o.instance)
        .sort(),
    ).toEqual(['collector_measurement', 'field_type', 'series_budget', 'unknown_measurement']);
    expect(out.find((o) => o.instance === 'series_budget')?.summary).toBe(
      'rejections: 9500 samples refused: disk: over the budget of 1000 series per measurement',
    );
  });

  it('does not fire for samples the mapping refused, nor for InfluxDB refusals', () => {
    const h = new Harness(rule);
    expect(h.observe([refused(0, 'bad_sample', 3, 'time_in_future: cpu'), refused(0, 'influx_rejected', 1, 'partial write')])).toEqual([]);
  });

  it('clears an hour after the last refusal', () => {
    const h = new Harness(rule);
    h.observe([refused(0, 'series_budget', 10, 'disk: over the budget')]);
    h.observe([refused(30, 'series_budget', 10, 'disk: over the budget')]);
    expect(h.tick(at(30) + HOUR - 1)).toEqual([]);
    expect(h.tick(at(30) + HOUR).map((t) => [t.observation.instance, t.observation.active])).toEqual([['series_budget', false]]);
  });
});
