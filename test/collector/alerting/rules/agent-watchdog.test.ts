// The shipped agent_watchdog rule (collector/data/rules.yaml): an `event` rule on the agent_watchdog points an
// agent sends after its watchdog restarted it (agent/src/watchdog/report.ts), one alert per reason, a low-impact
// ticket left for a person once a day passes without another restart. The end to end (agent -> collector ->
// ticket) is in test/agent/watchdog/report.test.ts.
import { describe, expect, it } from 'vitest';
import { at, brief, DAY, Harness, MIN, sample, shippedRule } from './harness.js';

/** An agent_watchdog point as the agent sends it (fields of watchdogSample). */
const restart = (minute: number, reason: string, detail: string) =>
  sample('agent_watchdog', at(minute), { reason }, { rss_bytes: 172_000_000, detail, message: `agent restarted by its watchdog: ${reason} (${detail})` });

describe('event: the shipped agent_watchdog rule', () => {
  const rule = shippedRule('agent_watchdog');

  it('is a low-impact event rule on agent_watchdog, instance by reason, left open for a person after a quiet day', () => {
    expect(rule).toMatchObject({
      kind: 'event',
      title: 'Agent restarted by its watchdog',
      impact: 'low',
      onClear: 'note',
      instance: ['reason'],
      clearAfterMs: DAY,
    });
  });

  it('a restart fires at its time, with the message as the summary; other measurements do not', () => {
    const h = new Harness(rule);
    const out = h.observe([
      restart(0, 'memory', 'RSS 172.0 MB above the 150.0 MB limit on 3 checks in a row'),
      sample('agent', at(0), {}, { rss_bytes: 172_000_000, message: 'not a restart' }),
    ]);
    expect(out).toEqual([
      {
        instance: 'memory',
        active: true,
        level: 'default',
        impact: 'low',
        value: 1,
        at: at(0),
        summary: 'agent_watchdog: agent restarted by its watchdog: memory (RSS 172.0 MB above the 150.0 MB limit on 3 checks in a row)',
      },
    ]);
  });

  it('each reason is its own alert; a quiet day clears them', () => {
    const h = new Harness(rule);
    h.observe([restart(0, 'memory', 'RSS 160.0 MB above the 150.0 MB limit on 3 checks in a row')]);
    const out = h.observe([
      restart(30, 'stalled', 'event loop blocked for 60012 ms (limit 60000 ms)'),
      restart(31, 'ack_stalled', 'no answer from the collector for 600 s with 4 batches in flight on an open session (limit 600 s)'),
    ]);
    expect(out.map(brief).sort((a, b) => a.instance.localeCompare(b.instance))).toEqual([
      { instance: 'ack_stalled', active: true, level: 'default', at: at(31) },
      { instance: 'stalled', active: true, level: 'default', at: at(30) },
    ]);
    expect(h.tick(at(0) + DAY - MIN)).toEqual([]);
    expect(h.tick(at(0) + DAY).map((t) => [t.observation.instance, t.observation.active])).toEqual([['memory', false]]);
    expect(
      h
        .tick(at(31) + DAY)
        .map((t) => [t.observation.instance, t.observation.active])
        .sort(),
    ).toEqual([
      ['ack_stalled', false],
      ['stalled', false],
    ]);
  });
});
