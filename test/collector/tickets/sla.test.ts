// SLA clocks for both contracts of DESIGN.md at every priority, the 75 % warning, standing at each boundary and
// profile/calendar lookup. Expected instants are computed by hand (business day Mon-Fri 08:00-17:00 = 9 h; opened
// Friday 2026-03-06 16:30, so 30 min count on Friday and the rest from Monday 08:00) and written as literals.
import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import {
  DEFAULT_APPROACHING,
  DEFAULT_CALENDARS,
  DEFAULT_SLA_PROFILES,
  checkSlaProfile,
  hoursOf,
  slaClocks,
  standing,
  type SlaClock,
} from '../../../collector/src/tickets/sla.js';
import { CalendarSchema, SlaProfileSchema, type Calendar, type SlaProfile } from '../../../collector/src/tickets/service-schema.js';
import type { SlaTarget } from '../../../collector/src/tickets/model.js';
import type { Priority } from '../../../collector/src/alerting/contract.js';
import { ConfigError } from '../../../collector/src/errors.js';

const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const STANDARD = DEFAULT_SLA_PROFILES['standard-8x5']!;
const CO_MANAGED = DEFAULT_SLA_PROFILES['co-managed-24x7']!;
const BERLIN: Calendar = { timezone: 'Europe/Berlin', days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: [{ start: '08:00', end: '17:00' }] };

/** [target, dueAt, warnAt] as ISO strings, for readable failures. */
type Row = [SlaTarget, string, string];
const asRows = (clocks: SlaClock[]): Row[] => clocks.map((c) => [c.target, iso(c.dueAt), iso(c.warnAt)]);
const expected = (rows: Row[]): Row[] => rows.map(([target, due, warn]) => [target, iso(t(due)), iso(t(warn))]);

describe('standard-8x5 with the default calendar (Mon-Fri 08:00-17:00 UTC), opened Friday 16:30', () => {
  const OPENED = '2026-03-06T16:30:00Z';
  it.each<[Priority, Row[]]>([
    [
      'P1',
      [
        ['respond', '2026-03-06T16:42:00Z', '2026-03-06T16:39:00Z'], // 12 m; 9 m
        ['plan', '2026-03-06T17:00:00Z', '2026-03-06T16:52:30Z'], // 30 m, due exactly at closing; 22.5 m
        ['resolve', '2026-03-09T11:30:00Z', '2026-03-09T10:30:00Z'], // 0.5 + 3.5 h; 0.5 + 2.5 h
      ],
    ],
    [
      'P2',
      [
        ['respond', '2026-03-06T16:42:00Z', '2026-03-06T16:39:00Z'],
        ['plan', '2026-03-09T08:30:00Z', '2026-03-09T08:15:00Z'], // 1 h = 0.5 + 0.5; 45 m = 0.5 + 0.25
        ['resolve', '2026-03-09T15:30:00Z', '2026-03-09T13:30:00Z'], // 8 h = 0.5 + 7.5; 6 h = 0.5 + 5.5
      ],
    ],
    [
      'P3',
      [
        ['respond', '2026-03-06T16:42:00Z', '2026-03-06T16:39:00Z'],
        ['plan', '2026-03-09T09:30:00Z', '2026-03-09T09:00:00Z'], // 2 h; 1.5 h
        ['resolve', '2026-03-11T13:30:00Z', '2026-03-10T16:30:00Z'], // 24 h = 0.5 + 9 + 9 + 5.5; 18 h = 0.5 + 9 + 8.5
      ],
    ],
    [
      'P4',
      [
        ['respond', '2026-03-06T16:42:00Z', '2026-03-06T16:39:00Z'],
        ['plan', '2026-03-09T11:30:00Z', '2026-03-09T10:30:00Z'], // 4 h; 3 h
        // 173 h = 0.5 + 19 x 9 (Mar 9-13, 16-20, 23-27, Mar 30-Apr 2) + 1.5; 129.75 h = 0.5 + 14 x 9 (to Mar 26) + 3.25
        ['resolve', '2026-04-03T09:30:00Z', '2026-03-27T11:15:00Z'],
      ],
    ],
  ])('%s', (priority, rows) => {
    const clocks = slaClocks(STANDARD, hoursOf(STANDARD, DEFAULT_CALENDARS), priority, t(OPENED));
    expect(asRows(clocks)).toEqual(expected(rows));
    for (const clock of clocks) expect(clock.startedAt).toBe(t(OPENED));
  });
});

describe('standard-8x5 with a Berlin calendar', () => {
  it.each<[string, string, Row[]]>([
    [
      'Friday 16:30',
      '2026-03-06T16:30:00+01:00',
      [
        ['respond', '2026-03-06T16:42:00+01:00', '2026-03-06T16:39:00+01:00'],
        ['plan', '2026-03-06T17:00:00+01:00', '2026-03-06T16:52:30+01:00'],
        ['resolve', '2026-03-09T11:30:00+01:00', '2026-03-09T10:30:00+01:00'],
      ],
    ],
    [
      'Friday 16:30 before the spring change',
      '2026-03-27T16:30:00+01:00',
      [
        ['respond', '2026-03-27T16:42:00+01:00', '2026-03-27T16:39:00+01:00'],
        ['plan', '2026-03-27T17:00:00+01:00', '2026-03-27T16:52:30+01:00'],
        ['resolve', '2026-03-30T11:30:00+02:00', '2026-03-30T10:30:00+02:00'],
      ],
    ],
    [
      'Saturday night: every clock starts Monday 08:00',
      '2026-03-07T23:00:00+01:00',
      [
        ['respond', '2026-03-09T08:12:00+01:00', '2026-03-09T08:09:00+01:00'],
        ['plan', '2026-03-09T08:30:00+01:00', '2026-03-09T08:22:30+01:00'],
        ['resolve', '2026-03-09T12:00:00+01:00', '2026-03-09T11:00:00+01:00'],
      ],
    ],
  ])('P1 opened %s', (_name, opened, rows) => {
    const clocks = slaClocks(STANDARD, hoursOf(STANDARD, { business: BERLIN }), 'P1', t(opened));
    expect(asRows(clocks)).toEqual(expected(rows));
  });
});

describe('co-managed-24x7, opened Friday 16:30: respond only, around the clock', () => {
  it.each<[Priority, string, string]>([
    ['P1', '2026-03-06T17:30:00Z', '2026-03-06T17:15:00Z'], // 1 h; 45 m
    ['P2', '2026-03-06T18:30:00Z', '2026-03-06T18:00:00Z'], // 2 h; 1.5 h
    ['P3', '2026-03-07T06:30:00Z', '2026-03-07T03:00:00Z'], // 14 h; 10.5 h
    ['P4', '2026-03-07T16:30:00Z', '2026-03-07T10:30:00Z'], // 24 h; 18 h
  ])('%s', (priority, due, warn) => {
    const clocks = slaClocks(CO_MANAGED, hoursOf(CO_MANAGED, DEFAULT_CALENDARS), priority, t('2026-03-06T16:30:00Z'));
    expect(asRows(clocks)).toEqual(expected([['respond', due, warn]]));
  });
});

describe('profiles', () => {
  it('warns at 75 % by default and at the profile`s own fraction', () => {
    expect(DEFAULT_APPROACHING).toBe(0.75);
    const half: SlaProfile = { hours: '24x7', respond: { P1: '1h' }, approaching: 0.5 };
    expect(asRows(slaClocks(half, '24x7', 'P1', t('2026-03-06T16:30:00Z')))).toEqual(expected([['respond', '2026-03-06T17:30:00Z', '2026-03-06T17:00:00Z']]));
  });

  it('has no clock for a target or priority the profile leaves out', () => {
    const partial: SlaProfile = { hours: '24x7', respond: { P1: '1h' }, resolve: { P1: '8h', P2: '2d' } };
    expect(slaClocks(partial, '24x7', 'P1', 0).map((c) => c.target)).toEqual(['respond', 'resolve']);
    expect(slaClocks(partial, '24x7', 'P2', 0).map((c) => [c.target, c.dueAt])).toEqual([['resolve', 2 * 86_400_000]]);
    expect(slaClocks(partial, '24x7', 'P4', 0)).toEqual([]);
  });

  it('ships defaults that pass the rules-file schemas and checks', () => {
    for (const [name, calendar] of Object.entries(DEFAULT_CALENDARS)) expect(Value.Check(CalendarSchema, calendar), name).toBe(true);
    for (const [name, profile] of Object.entries(DEFAULT_SLA_PROFILES)) {
      expect(Value.Check(SlaProfileSchema, profile), name).toBe(true);
      expect(() => checkSlaProfile(profile, DEFAULT_CALENDARS, `slaProfiles.${name}`)).not.toThrow();
    }
  });

  it('resolves the hours a profile names', () => {
    expect(hoursOf(STANDARD, { business: BERLIN })).toBe(BERLIN);
    expect(hoursOf(CO_MANAGED, {})).toBe('24x7');
    expect(hoursOf(CO_MANAGED, { '24x7': BERLIN })).toBe('24x7');
  });

  it.each<[string, SlaProfile, Record<string, Calendar>, string]>([
    [
      'an unknown calendar',
      { hours: 'office' },
      { business: BERLIN },
      'tenants.acme.slaProfiles.gold.hours: unknown calendar "office" (known: business, 24x7)',
    ],
    ['an inherited property is no calendar', { hours: 'toString' }, {}, 'tenants.acme.slaProfiles.gold.hours: unknown calendar "toString"'],
    [
      'a target that is no duration',
      { hours: '24x7', plan: { P2: '1 fortnight' } },
      {},
      'tenants.acme.slaProfiles.gold.plan.P2: expected a duration like 30s, 5m, 7d; got "1 fortnight"',
    ],
  ])('refuses %s, naming the path', (_name, profile, calendars, message) => {
    expect(() => checkSlaProfile(profile, calendars, 'tenants.acme.slaProfiles.gold')).toThrow(ConfigError);
    expect(() => checkSlaProfile(profile, calendars, 'tenants.acme.slaProfiles.gold')).toThrow(message);
  });

  it('hoursOf names the profile path it is given', () => {
    expect(() => hoursOf({ hours: 'office' }, {})).toThrow(new ConfigError('sla.hours: unknown calendar "office" (known: 24x7)'));
  });
});

describe('standing', () => {
  const CLOCK: SlaClock = { target: 'respond', startedAt: 1_000, warnAt: 10_000, dueAt: 13_000 };
  it.each<[string, number, string]>([
    ['at the start', 1_000, 'ok'],
    ['1 ms before warnAt', 9_999, 'ok'],
    ['at warnAt', 10_000, 'approaching'],
    ['1 ms before dueAt', 12_999, 'approaching'],
    ['at dueAt', 13_000, 'breached'],
    ['after dueAt', 99_000, 'breached'],
  ])('%s: %s', (_name, now, expectedStanding) => {
    expect(standing(CLOCK, now)).toBe(expectedStanding);
  });

  it('follows the clocks slaClocks computes (P1 respond opened Friday 16:30 UTC)', () => {
    const [respond] = slaClocks(STANDARD, DEFAULT_CALENDARS.business!, 'P1', t('2026-03-06T16:30:00Z'));
    expect(standing(respond!, t('2026-03-06T16:38:59.999Z'))).toBe('ok');
    expect(standing(respond!, t('2026-03-06T16:39:00Z'))).toBe('approaching');
    expect(standing(respond!, t('2026-03-06T16:42:00Z'))).toBe('breached');
  });
});
