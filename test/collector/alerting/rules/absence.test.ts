// absence rules: silence per role, counted from the later of the last contact and the collector's start.
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../../../collector/src/alerting/contract.js';
import { RULE_KINDS } from '../../../../collector/src/alerting/rules/kinds/index.js';
import { at, DAY, facts, Harness, MIN, ruleFrom, shippedRule, T0 } from './harness.js';

const server = facts({ host: 'sql01', role: 'server' });
const workstation = facts({ host: 'ws-01', role: 'workstation' });
const both = ruleFrom({ id: 'offline', kind: 'absence', title: 'Offline', impact: 'high' }); // default: server 10m, workstation 7d

/** One tick with one host; returns 'active' / 'cleared' / '-'. */
function once(h: Harness, host: HostFacts, now: number, lastSeenAt: number | null, startedAt = T0 - DAY): string {
  const out = h.tick(now, { startedAt, hosts: [{ facts: host, lastSeenAt }] });
  expect(out.length).toBeLessThanOrEqual(1);
  return out[0] ? (out[0].observation.active ? 'active' : 'cleared') : '-';
}

describe('absence: thresholds per role (defaults server 10m, workstation 7d)', () => {
  it.each([
    // host, silent for -> observed
    ['server', server, 9 * MIN + 59_000, '-'],
    ['server', server, 10 * MIN, 'active'],
    ['workstation', workstation, 10 * MIN, '-'],
    ['workstation', workstation, 7 * DAY - 1, '-'],
    ['workstation', workstation, 7 * DAY, 'active'],
  ])('%s silent for %d ms -> %s', (_role, host, silentMs, expected) => {
    expect(once(new Harness(both, host), host, T0 + silentMs, T0)).toBe(expected);
  });

  it('says how long and against which threshold', () => {
    const h = new Harness(both, server);
    expect(h.tick(at(14.5), { hosts: [{ facts: server, lastSeenAt: T0 }] })).toEqual([
      {
        tenant: 't',
        host: 'sql01',
        observation: { instance: '', active: true, level: 'default', impact: 'high', at: at(14.5), summary: 'no data for 14 min (server threshold 10 min)' },
      },
    ]);
  });

  it('one duration for every role', () => {
    const rule = ruleFrom({ id: 'offline', kind: 'absence', title: 'Offline', after: '1h', impact: 'low' });
    expect(rule.kind === 'absence' && rule.afterMs).toEqual({ server: 60 * MIN, workstation: 60 * MIN });
    const partial = ruleFrom({ id: 'offline', kind: 'absence', title: 'Offline', after: { workstation: '3d' }, impact: 'low' });
    expect(partial.kind === 'absence' && partial.afterMs).toEqual({ server: 10 * MIN, workstation: 3 * DAY });
  });
});

describe('absence: the collector start', () => {
  const startedAt = T0;
  it.each([
    // last seen, now -> observed: silence before the collector started does not count
    ['2 h before the start, 9 min after it', T0 - 120 * MIN, at(9), '-'],
    ['2 h before the start, 10 min after it', T0 - 120 * MIN, at(10), 'active'],
    ['never seen, 10 min after the start', null, at(10), 'active'],
    ['never seen, 5 min after the start', null, at(5), '-'],
    ['3 min after the start, now 12 min after', at(3), at(12), '-'],
    ['3 min after the start, now 13 min after', at(3), at(13), 'active'],
  ])('last seen %s -> %s', (_label, lastSeenAt, now, expected) => {
    expect(once(new Harness(both, server), server, now, lastSeenAt, startedAt)).toBe(expected);
  });
});

describe('absence: clearing', () => {
  it('a silent host that reports again clears; quiet hosts without an alert get no observation', () => {
    const h = new Harness(both, server);
    const rows: [number, number, string][] = [
      // now (min), last seen (min) -> observed
      [5, 0, '-'],
      [10, 0, 'active'],
      [11, 0, 'active'], // still silent: active again, newer
      [12, 11.5, 'cleared'],
      [13, 12.5, '-'],
    ];
    expect(rows.map(([now, seen]) => once(h, server, at(now), at(seen)))).toEqual(rows.map((r) => r[2]));
  });

  it('an alert whose host is no longer listed (revoked) clears', () => {
    const h = new Harness(both, server);
    expect(once(h, server, at(30), T0)).toBe('active');
    const out = h.tick(at(31), { hosts: [] });
    expect(out.map((t) => [t.host, t.observation.active, t.observation.summary])).toEqual([
      ['sql01', false, 'no longer watched by this rule (agent revoked or role changed)'],
    ]);
  });
});

describe('absence: the shipped pack splits the roles', () => {
  it('agent_offline_server watches servers only (the registry applies roles), at high impact', () => {
    const rule = shippedRule('agent_offline_server');
    const ctx = (host: HostFacts) => ({ now: at(20), startedAt: T0 - DAY, hosts: [{ facts: host, lastSeenAt: T0 }], active: [], memory: () => new Map() });
    const tick = RULE_KINDS.absence.tick!;
    expect(rule.kind === 'absence' && tick(rule, ctx(workstation))).toEqual([]);
    expect(rule.kind === 'absence' && tick(rule, ctx(server)).map((t) => [t.host, t.observation.impact])).toEqual([['sql01', 'high']]);
  });

  it('agent_offline_workstation after a week, at low impact', () => {
    const h = new Harness(shippedRule('agent_offline_workstation'), workstation);
    expect(
      h
        .tick(T0 + 7 * DAY, {
          hosts: [
            { facts: workstation, lastSeenAt: T0 },
            { facts: server, lastSeenAt: T0 },
          ],
        })
        .map((t) => [t.host, t.observation.impact, t.observation.summary]),
    ).toEqual([['ws-01', 'low', 'no data for 7 d (workstation threshold 7 d)']]);
  });

  it('refuses a zero threshold and a role it does not know', () => {
    expect(() => ruleFrom({ id: 'o', kind: 'absence', title: 'x', impact: 'low', after: { server: '0m' } })).toThrow(
      'test.yaml: rules[0].after.server: must be longer than 0',
    );
    expect(() => ruleFrom({ id: 'o', kind: 'absence', title: 'x', impact: 'low', after: { laptop: '1d' } })).toThrow(
      'test.yaml: rules[0].after: expected a duration or a mapping (server, workstation); got {"laptop":"1d"}',
    );
    expect(() => ruleFrom({ id: 'o', kind: 'absence', title: 'x', impact: 'low', roles: ['laptop'] })).toThrow(
      'test.yaml: rules[0].roles[0]: expected one of server, workstation; got "laptop"',
    );
  });
});
