import { describe, expect, it } from 'vitest';
import { holdAt, windowCoverage, type Hold, type HoldTarget } from '../../../collector/src/alerting/holds.js';
import type { MaintenanceWindow, Silence } from '../../../collector/src/store/index.js';

const HOUR = 3_600_000;
const t = (iso: string): number => Date.parse(iso);

function win(id: string, over: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    id,
    tenant: 'acme',
    site: null,
    host: null,
    reason: `window ${id}`,
    startsAt: t('2025-01-01T00:00:00Z'),
    endsAt: null,
    recurrence: null,
    createdAt: 0,
    createdBy: 'k1',
    deletedAt: null,
    ...over,
  };
}

function sil(id: string, over: Partial<Silence> = {}): Silence {
  return {
    id,
    tenant: 'acme',
    host: null,
    ruleId: null,
    startsAt: t('2025-03-22T00:00:00Z'),
    endsAt: t('2025-03-23T00:00:00Z'),
    comment: `silence ${id}`,
    createdAt: 0,
    createdBy: 'k1',
    expiredAt: null,
    ...over,
  };
}

/** Saturdays 22:00 Berlin time for 4 h: 21:00Z in winter (CET), 20:00Z in summer (CEST). */
const SATURDAY_NIGHTS = { cron: '0 22 * * 6', durationMs: 4 * HOUR, timezone: 'Europe/Berlin' };
/** Weekdays 07:00 New York time for 1 h: 12:00Z in winter (EST), 11:00Z in summer (EDT). */
const NY_MORNINGS = { cron: '0 7 * * 1-5', durationMs: HOUR, timezone: 'America/New_York' };
const weekly = win('weekly', { recurrence: SATURDAY_NIGHTS });
const mornings = win('mornings', { recurrence: NY_MORNINGS });
const oneOff = win('once', { startsAt: t('2025-03-22T10:00:00Z'), endsAt: t('2025-03-22T12:00:00Z') });

const SQL01: HoldTarget = { tenant: 'acme', host: 'sql01', site: 'berlin', ruleId: 'disk-full' };
const maint = (w: MaintenanceWindow, until: string): Hold => ({ kind: 'maintenance', id: w.id, until: t(until), reason: w.reason });
const silence = (s: Silence, until: string): Hold => ({ kind: 'silence', id: s.id, until: t(until), reason: s.comment });

describe('holdAt', () => {
  it.each<[string, HoldTarget, string, MaintenanceWindow[], Silence[], Hold | null]>([
    ['one-off: before', SQL01, '2025-03-22T09:59:59.999Z', [oneOff], [], null],
    ['one-off: at the start', SQL01, '2025-03-22T10:00:00Z', [oneOff], [], maint(oneOff, '2025-03-22T12:00:00Z')],
    ['one-off: at the end (exclusive)', SQL01, '2025-03-22T12:00:00Z', [oneOff], [], null],
    ['weekly winter: a moment before 22:00 CET', SQL01, '2025-03-22T20:59:59.999Z', [weekly], [], null],
    ['weekly winter: 22:00 CET', SQL01, '2025-03-22T21:00:00Z', [weekly], [], maint(weekly, '2025-03-23T01:00:00Z')],
    ['weekly winter: last moment', SQL01, '2025-03-23T00:59:59.999Z', [weekly], [], maint(weekly, '2025-03-23T01:00:00Z')],
    ['weekly winter: over', SQL01, '2025-03-23T01:00:00Z', [weekly], [], null],
    ['weekly across spring-forward: 4 h elapsed, ends 03:00 CEST', SQL01, '2025-03-30T00:30:00Z', [weekly], [], maint(weekly, '2025-03-30T01:00:00Z')],
    ['weekly summer: 22:30 CEST is held', SQL01, '2025-04-05T20:30:00Z', [weekly], [], maint(weekly, '2025-04-06T00:00:00Z')],
    ['weekly summer: 21:30 CEST is not', SQL01, '2025-04-05T19:30:00Z', [weekly], [], null],
    ['weekly after fall-back: 22:00 CET again', SQL01, '2025-11-01T21:00:00Z', [weekly], [], maint(weekly, '2025-11-02T01:00:00Z')],
    ['weekly: a Friday', SQL01, '2025-03-21T21:30:00Z', [weekly], [], null],
    ['New York mornings, EST', SQL01, '2025-03-07T12:15:00Z', [mornings], [], maint(mornings, '2025-03-07T13:00:00Z')],
    ['New York mornings, EDT (after 9 March)', SQL01, '2025-03-10T11:15:00Z', [mornings], [], maint(mornings, '2025-03-10T12:00:00Z')],
    ['New York mornings, EDT: the EST hour is free', SQL01, '2025-03-10T12:15:00Z', [mornings], [], null],
    ['recurring: not before startsAt', SQL01, '2025-03-22T21:30:00Z', [{ ...weekly, startsAt: t('2025-03-22T21:30:00Z') }], [], null],
    ['recurring: cut at endsAt', SQL01, '2025-03-22T21:30:00Z', [{ ...weekly, endsAt: t('2025-03-22T23:00:00Z') }], [], maint(weekly, '2025-03-22T23:00:00Z')],
    ['recurring: nothing after endsAt', SQL01, '2025-03-29T21:30:00Z', [{ ...weekly, endsAt: t('2025-03-25T00:00:00Z') }], [], null],
    ['site scope: a host of the site', SQL01, '2025-03-22T11:00:00Z', [{ ...oneOff, site: 'berlin' }], [], maint(oneOff, '2025-03-22T12:00:00Z')],
    ['site scope: a host of another site', { ...SQL01, site: 'paris' }, '2025-03-22T11:00:00Z', [{ ...oneOff, site: 'berlin' }], [], null],
    [
      'site scope: a host with no site',
      { tenant: 'acme', host: 'sql01', ruleId: 'disk-full' },
      '2025-03-22T11:00:00Z',
      [{ ...oneOff, site: 'berlin' }],
      [],
      null,
    ],
    ['host scope: that host', SQL01, '2025-03-22T11:00:00Z', [{ ...oneOff, host: 'sql01' }], [], maint(oneOff, '2025-03-22T12:00:00Z')],
    ['host scope: another host', { ...SQL01, host: 'sql02' }, '2025-03-22T11:00:00Z', [{ ...oneOff, host: 'sql01' }], [], null],
    [
      'tenant scope: any host of the tenant',
      { tenant: 'acme', host: 'ws-7', ruleId: 'x' },
      '2025-03-22T11:00:00Z',
      [oneOff],
      [],
      maint(oneOff, '2025-03-22T12:00:00Z'),
    ],
    ['tenant scope: not another tenant', { ...SQL01, tenant: 'other' }, '2025-03-22T11:00:00Z', [oneOff], [], null],
    ['deleted window', SQL01, '2025-03-22T11:00:00Z', [{ ...oneOff, deletedAt: t('2025-03-22T12:00:00Z') }], [], null],
    ['silence by rule: that rule', SQL01, '2025-03-22T11:00:00Z', [], [sil('s1', { ruleId: 'disk-full' })], silence(sil('s1'), '2025-03-23T00:00:00Z')],
    ['silence by rule: another rule', { ...SQL01, ruleId: 'cpu-high' }, '2025-03-22T11:00:00Z', [], [sil('s1', { ruleId: 'disk-full' })], null],
    ['silence by host: another host', { ...SQL01, host: 'sql02' }, '2025-03-22T11:00:00Z', [], [sil('s1', { host: 'sql01' })], null],
    ['silence for the tenant', { ...SQL01, host: 'sql02' }, '2025-03-22T11:00:00Z', [], [sil('s1')], silence(sil('s1'), '2025-03-23T00:00:00Z')],
    ['silence of another tenant', SQL01, '2025-03-22T11:00:00Z', [], [sil('s1', { tenant: 'other' })], null],
    ['silence: before its start', SQL01, '2025-03-21T23:59:59.999Z', [], [sil('s1')], null],
    ['silence: at its end', SQL01, '2025-03-23T00:00:00Z', [], [sil('s1')], null],
    ['expired silence', SQL01, '2025-03-22T11:00:00Z', [], [sil('s1', { expiredAt: t('2025-03-22T12:00:00Z') })], null],
    ['the longest hold wins: silence over window', SQL01, '2025-03-22T11:00:00Z', [oneOff], [sil('s1')], silence(sil('s1'), '2025-03-23T00:00:00Z')],
    [
      'the longest hold wins: window over silence',
      SQL01,
      '2025-03-22T21:30:00Z',
      [weekly],
      [sil('s1', { endsAt: t('2025-03-22T22:00:00Z') })],
      maint(weekly, '2025-03-23T01:00:00Z'),
    ],
    ['nothing at all', SQL01, '2025-03-22T11:00:00Z', [], [], null],
  ])('%s', (_name, target, at, windows, silences, expected) => {
    expect(holdAt(target, t(at), windows, silences)).toEqual(expected);
  });
});

describe('windowCoverage', () => {
  it('a 6-field cron (seconds first) and overlapping occurrences: the latest occurrence counts', () => {
    const everyHourFor2h = win('w', { recurrence: { cron: '0 0 * * * *', durationMs: 2 * HOUR, timezone: 'UTC' } });
    expect(windowCoverage(everyHourFor2h, t('2025-03-22T10:30:00Z'))).toBe(t('2025-03-22T12:00:00Z'));
  });

  it('a local time skipped by the spring-forward change has no occurrence that day', () => {
    const twoThirty = win('w', { recurrence: { cron: '30 2 * * *', durationMs: HOUR, timezone: 'Europe/Berlin' } });
    expect(windowCoverage(twoThirty, t('2025-03-29T01:45:00Z'))).toBe(t('2025-03-29T02:30:00Z'));
    expect(windowCoverage(twoThirty, t('2025-03-30T01:00:00Z'))).toBeNull();
    expect(windowCoverage(twoThirty, t('2025-03-31T00:45:00Z'))).toBe(t('2025-03-31T01:30:00Z'));
  });
});
