// Business-hours arithmetic. Every expected instant was computed by hand from the calendar and written as a
// literal ISO string with its local offset (the DST ones cross-checked with `TZ=Europe/Berlin date -d ...` and
// `TZ=America/New_York date -d ...`); 2026 weekdays: Mar 2 Mon, Mar 6 Fri, Mar 29 Sun (EU spring), Mar 8 Sun (US
// spring), Oct 25 Sun (EU autumn), Nov 1 Sun (US autumn), Apr 3/6 Good Friday/Easter Monday.
import { describe, expect, it } from 'vitest';
import { addBusinessTime, businessTimeBetween, calendarFromEntry, checkCalendar, type Hours } from '../../../collector/src/tickets/calendar.js';
import type { Calendar, CalendarEntry, Weekday } from '../../../collector/src/tickets/service-schema.js';
import { ConfigError } from '../../../collector/src/errors.js';

const H = 3_600_000;
const M = 60_000;
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const ALL_DAYS: Weekday[] = [...WEEKDAYS, 'sat', 'sun'];
const NINE_TO_FIVE = [{ start: '08:00', end: '17:00' }];

const UTC: Calendar = { timezone: 'UTC', days: WEEKDAYS, hours: NINE_TO_FIVE };
const UTC_HOLIDAY: Calendar = { ...UTC, holidays: ['2026-03-09'] };
const LUNCH: Calendar = {
  ...UTC,
  hours: [
    { start: '13:00', end: '17:00' },
    { start: '08:00', end: '12:00' },
  ],
};
const BERLIN: Calendar = { timezone: 'Europe/Berlin', days: WEEKDAYS, hours: NINE_TO_FIVE };
const BERLIN_EASTER: Calendar = { ...BERLIN, holidays: ['2026-04-03', '2026-04-06'] };
const BERLIN_7: Calendar = { ...BERLIN, days: ALL_DAYS };
const BERLIN_NIGHT: Calendar = { timezone: 'Europe/Berlin', days: ALL_DAYS, hours: [{ start: '00:00', end: '04:00' }] };
const NEW_YORK: Calendar = { timezone: 'America/New_York', days: WEEKDAYS, hours: NINE_TO_FIVE };
const NEW_YORK_7: Calendar = { ...NEW_YORK, days: ALL_DAYS };
const NEW_YORK_NIGHT: Calendar = { timezone: 'America/New_York', days: ALL_DAYS, hours: [{ start: '00:00', end: '04:00' }] };

const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

describe('addBusinessTime', () => {
  it.each<[string, Hours, string, number, string]>([
    // nights, weekends, holidays
    ['across a night', UTC, '2026-03-03T16:00:00Z', 3 * H, '2026-03-04T10:00:00Z'],
    ['across a weekend', UTC, '2026-03-06T16:00:00Z', 3 * H, '2026-03-09T10:00:00Z'],
    ['across a weekend and a Monday holiday', UTC_HOLIDAY, '2026-03-06T16:00:00Z', 3 * H, '2026-03-10T10:00:00Z'],
    ['across Easter (Good Friday, weekend, Easter Monday)', BERLIN_EASTER, '2026-04-02T16:00:00+02:00', 3 * H, '2026-04-07T10:00:00+02:00'],
    // a start outside working hours begins at the next working moment
    ['start on a Saturday', UTC, '2026-03-07T12:00:00Z', 1 * H, '2026-03-09T09:00:00Z'],
    ['start before opening', UTC, '2026-03-03T06:00:00Z', 1 * H, '2026-03-03T09:00:00Z'],
    ['start after closing', UTC, '2026-03-03T20:00:00Z', 1 * H, '2026-03-04T09:00:00Z'],
    ['start on a holiday', UTC_HOLIDAY, '2026-03-09T09:00:00Z', 1 * H, '2026-03-10T09:00:00Z'],
    // boundaries
    ['start exactly at opening', UTC, '2026-03-03T08:00:00Z', 1 * H, '2026-03-03T09:00:00Z'],
    ['start exactly at closing', UTC, '2026-03-03T17:00:00Z', 1 * H, '2026-03-04T09:00:00Z'],
    ['ends exactly at closing: due at closing', UTC, '2026-03-03T16:00:00Z', 1 * H, '2026-03-03T17:00:00Z'],
    ['a whole working day', UTC, '2026-03-03T08:00:00Z', 9 * H, '2026-03-03T17:00:00Z'],
    ['one minute past a whole day', UTC, '2026-03-03T08:00:00Z', 9 * H + M, '2026-03-04T08:01:00Z'],
    ['0 inside hours: start itself', UTC, '2026-03-03T10:15:00Z', 0, '2026-03-03T10:15:00Z'],
    ['0 at opening', UTC, '2026-03-03T08:00:00Z', 0, '2026-03-03T08:00:00Z'],
    ['0 at closing: next opening', UTC, '2026-03-03T17:00:00Z', 0, '2026-03-04T08:00:00Z'],
    ['0 on Friday evening: Monday opening', UTC, '2026-03-06T17:00:00Z', 0, '2026-03-09T08:00:00Z'],
    // two ranges a day (given out of order in LUNCH on purpose)
    ['lunch: across the break', LUNCH, '2026-03-03T11:30:00Z', 1 * H, '2026-03-03T13:30:00Z'],
    ['lunch: start in the break', LUNCH, '2026-03-03T12:15:00Z', 1 * H, '2026-03-03T14:00:00Z'],
    ['lunch: ends exactly at the break', LUNCH, '2026-03-03T11:00:00Z', 1 * H, '2026-03-03T12:00:00Z'],
    ['lunch: 0 at the break', LUNCH, '2026-03-03T12:00:00Z', 0, '2026-03-03T13:00:00Z'],
    ['lunch: over a night and a break', LUNCH, '2026-03-03T16:30:00Z', 5 * H, '2026-03-04T13:30:00Z'],
    // DST, spring: Europe/Berlin 2026-03-29 02:00 CET -> 03:00 CEST, America/New_York 2026-03-08 02:00 EST -> 03:00 EDT
    ['Berlin Mon-Fri across the spring weekend', BERLIN, '2026-03-27T16:00:00+01:00', 2 * H, '2026-03-30T09:00:00+02:00'],
    ['Berlin 08-17 on the spring day is 9 h', BERLIN_7, '2026-03-28T16:00:00+01:00', 10 * H, '2026-03-29T17:00:00+02:00'],
    ['Berlin 08-17 on the spring day holds 9 h, no more', BERLIN_7, '2026-03-28T16:00:00+01:00', 10 * H + M, '2026-03-30T08:01:00+02:00'],
    ['Berlin 08-17 into the spring day', BERLIN_7, '2026-03-28T16:00:00+01:00', 3 * H, '2026-03-29T10:00:00+02:00'],
    ['Berlin 00-04 contains the skipped hour (3 h)', BERLIN_NIGHT, '2026-03-29T00:00:00+01:00', 2.5 * H, '2026-03-29T03:30:00+02:00'],
    ['Berlin 00-04 spring day holds only 3 h', BERLIN_NIGHT, '2026-03-29T00:00:00+01:00', 3.5 * H, '2026-03-30T00:30:00+02:00'],
    ['Berlin 00-04 spring day opens at 00:00 CET, not CEST', BERLIN_NIGHT, '2026-03-28T23:00:00+01:00', 0, '2026-03-29T00:00:00+01:00'],
    ['New York Mon-Fri across the spring weekend', NEW_YORK, '2026-03-06T16:00:00-05:00', 2 * H, '2026-03-09T09:00:00-04:00'],
    ['New York 08-17 into the spring day', NEW_YORK_7, '2026-03-07T16:00:00-05:00', 3 * H, '2026-03-08T10:00:00-04:00'],
    ['New York 00-04 contains the skipped hour (3 h)', NEW_YORK_NIGHT, '2026-03-08T00:00:00-05:00', 2.5 * H, '2026-03-08T03:30:00-04:00'],
    ['New York 00-04 spring day holds only 3 h', NEW_YORK_NIGHT, '2026-03-08T00:00:00-05:00', 3.5 * H, '2026-03-09T00:30:00-04:00'],
    ['New York 00-04 spring day opens at 00:00 EST, not EDT', NEW_YORK_NIGHT, '2026-03-07T23:30:00-05:00', 0, '2026-03-08T00:00:00-05:00'],
    // DST, autumn: Europe/Berlin 2026-10-25 03:00 CEST -> 02:00 CET, America/New_York 2026-11-01 02:00 EDT -> 01:00 EST
    ['Berlin Mon-Fri across the autumn weekend', BERLIN, '2026-10-23T16:00:00+02:00', 2 * H, '2026-10-26T09:00:00+01:00'],
    ['Berlin 08-17 into the autumn day', BERLIN_7, '2026-10-24T16:00:00+02:00', 3 * H, '2026-10-25T10:00:00+01:00'],
    ['Berlin 00-04 contains the repeated hour (5 h)', BERLIN_NIGHT, '2026-10-25T00:00:00+02:00', 4.5 * H, '2026-10-25T03:30:00+01:00'],
    ['Berlin 00-04 autumn day: all 5 h, due at closing', BERLIN_NIGHT, '2026-10-25T00:00:00+02:00', 5 * H, '2026-10-25T04:00:00+01:00'],
    ['Berlin 00-04 autumn day holds 5 h, no more', BERLIN_NIGHT, '2026-10-25T00:00:00+02:00', 5.5 * H, '2026-10-26T00:30:00+01:00'],
    ['New York Mon-Fri across the autumn weekend', NEW_YORK, '2026-10-30T16:00:00-04:00', 2 * H, '2026-11-02T09:00:00-05:00'],
    ['New York 08-17 into the autumn day', NEW_YORK_7, '2026-10-31T16:00:00-04:00', 3 * H, '2026-11-01T10:00:00-05:00'],
    ['New York 00-04 contains the repeated hour (5 h)', NEW_YORK_NIGHT, '2026-11-01T00:00:00-04:00', 4.5 * H, '2026-11-01T03:30:00-05:00'],
    ['New York 00-04 autumn day holds 5 h, no more', NEW_YORK_NIGHT, '2026-11-01T00:00:00-04:00', 5.5 * H, '2026-11-02T00:30:00-05:00'],
    // a P4 resolve: 173 h = 19 days of 9 h + 2 h
    ['173 h from a Monday, UTC', UTC, '2026-03-02T08:00:00Z', 173 * H, '2026-03-27T10:00:00Z'],
    ['173 h across the Berlin spring change', BERLIN, '2026-03-23T08:00:00+01:00', 173 * H, '2026-04-17T10:00:00+02:00'],
    ['173 h across the change and Easter', BERLIN_EASTER, '2026-03-23T08:00:00+01:00', 173 * H, '2026-04-21T10:00:00+02:00'],
    ['173 h across the New York spring change', NEW_YORK, '2026-03-02T08:00:00-05:00', 173 * H, '2026-03-27T10:00:00-04:00'],
    // four weeks of 00-04 nights with a DST day in them: 27 x 4 h + 3 h (spring) or + 5 h (autumn)
    ['111.5 h of Berlin nights across spring', BERLIN_NIGHT, '2026-03-16T00:00:00+01:00', 111.5 * H, '2026-04-13T00:30:00+02:00'],
    ['113.5 h of New York nights across autumn', NEW_YORK_NIGHT, '2026-10-19T00:00:00-04:00', 113.5 * H, '2026-11-16T00:30:00-05:00'],
    // around the clock
    ['24x7 counts every hour', '24x7', '2026-03-07T12:00:00Z', 14 * H, '2026-03-08T02:00:00Z'],
    ['24x7, 0', '24x7', '2026-03-07T12:00:00Z', 0, '2026-03-07T12:00:00Z'],
  ])('%s', (_name, hours, start, duration, expected) => {
    expect(iso(addBusinessTime(hours, t(start), duration))).toBe(iso(t(expected)));
  });

  it('a boundary inside the skipped hour moves forward by the gap (02:30 -> 03:30 CEST)', () => {
    const cal: Calendar = { timezone: 'Europe/Berlin', days: ALL_DAYS, hours: [{ start: '02:30', end: '05:00' }] };
    expect(iso(addBusinessTime(cal, t('2026-03-29T00:00:00+01:00'), 0))).toBe(iso(t('2026-03-29T03:30:00+02:00')));
    expect(businessTimeBetween(cal, t('2026-03-29T00:00:00+01:00'), t('2026-03-30T00:00:00+02:00'))).toBe(1.5 * H);
  });

  it('stops after three years without a working minute', () => {
    // Mondays only, and every Monday from 2026-03-02 for four years is a holiday.
    const mondays = Array.from({ length: 4 * 53 }, (_, i) => iso(t('2026-03-02T00:00:00Z') + i * 7 * 24 * H).slice(0, 10));
    const cal: Calendar = { timezone: 'UTC', days: ['mon'], hours: NINE_TO_FIVE, holidays: mondays };
    expect(() => addBusinessTime(cal, t('2026-03-01T00:00:00Z'), H)).toThrow(/no working time/);
  });

  it('finds working time after two years of holidays', () => {
    // 104 holiday Mondays: 2026-03-02 .. 2028-02-21; the next Monday is 2028-02-28.
    const mondays = Array.from({ length: 104 }, (_, i) => iso(t('2026-03-02T00:00:00Z') + i * 7 * 24 * H).slice(0, 10));
    const cal: Calendar = { timezone: 'UTC', days: ['mon'], hours: NINE_TO_FIVE, holidays: mondays };
    expect(iso(addBusinessTime(cal, t('2026-03-01T00:00:00Z'), H))).toBe(iso(t('2028-02-28T09:00:00Z')));
  });

  it.each([
    ['a negative duration', t('2026-03-03T08:00:00Z'), -1],
    ['a NaN duration', t('2026-03-03T08:00:00Z'), NaN],
    ['an infinite duration', t('2026-03-03T08:00:00Z'), Infinity],
    ['a NaN start', NaN, H],
  ])('refuses %s', (_name, start, duration) => {
    expect(() => addBusinessTime(UTC, start, duration)).toThrow(RangeError);
  });

  it('refuses an unknown zone instead of looping', () => {
    expect(() => addBusinessTime({ ...UTC, timezone: 'Mars/Olympus' }, t('2026-03-03T08:00:00Z'), H)).toThrow(/Mars\/Olympus/);
  });
});

describe('businessTimeBetween', () => {
  it.each<[string, Hours, string, string, number]>([
    ['Friday 16:30 to Monday 11:30', UTC, '2026-03-06T16:30:00Z', '2026-03-09T11:30:00Z', 4 * H],
    ['a day from before opening to after closing', UTC, '2026-03-03T06:00:00Z', '2026-03-03T20:00:00Z', 9 * H],
    ['a weekend', UTC, '2026-03-07T00:00:00Z', '2026-03-09T00:00:00Z', 0],
    ['a week', UTC, '2026-03-02T00:00:00Z', '2026-03-09T00:00:00Z', 45 * H],
    ['a week with a holiday', UTC_HOLIDAY, '2026-03-09T00:00:00Z', '2026-03-16T00:00:00Z', 36 * H],
    ['a day with a lunch break', LUNCH, '2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z', 8 * H],
    ['inside one range', LUNCH, '2026-03-03T09:10:00Z', '2026-03-03T11:40:00Z', 2.5 * H],
    ['to before from', UTC, '2026-03-03T12:00:00Z', '2026-03-03T10:00:00Z', 0],
    ['from == to', UTC, '2026-03-03T12:00:00Z', '2026-03-03T12:00:00Z', 0],
    ['four weeks across the Berlin spring change', BERLIN, '2026-03-16T00:00:00+01:00', '2026-04-13T00:00:00+02:00', 180 * H],
    ['the same four weeks with Easter', BERLIN_EASTER, '2026-03-16T00:00:00+01:00', '2026-04-13T00:00:00+02:00', 162 * H],
    ['four weeks across the New York autumn change', NEW_YORK, '2026-10-19T00:00:00-04:00', '2026-11-16T00:00:00-05:00', 180 * H],
    ['four weeks of nights across the New York autumn change', NEW_YORK_NIGHT, '2026-10-19T00:00:00-04:00', '2026-11-16T00:00:00-05:00', (28 * 4 + 1) * H],
    ['two Easter weeks in Berlin', BERLIN_EASTER, '2026-03-30T00:00:00+02:00', '2026-04-13T00:00:00+02:00', 72 * H],
    ['Berlin 08-17 on the spring day', BERLIN_7, '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00', 9 * H],
    ['Berlin 00-04 on the spring day', BERLIN_NIGHT, '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00', 3 * H],
    ['Berlin 00-04 on the spring day, counted from noon before', BERLIN_NIGHT, '2026-03-28T12:00:00+01:00', '2026-03-29T12:00:00+02:00', 3 * H],
    ['Berlin 00-04 on the autumn day', BERLIN_NIGHT, '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00', 5 * H],
    ['New York 08-17 on the autumn day', NEW_YORK_7, '2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00', 9 * H],
    ['New York 00-04 on the spring day', NEW_YORK_NIGHT, '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00', 3 * H],
    ['New York 00-04 on the spring day, counted from noon before', NEW_YORK_NIGHT, '2026-03-07T12:00:00-05:00', '2026-03-08T12:00:00-04:00', 3 * H],
    ['New York 00-04 on the autumn day', NEW_YORK_NIGHT, '2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00', 5 * H],
    ['24x7', '24x7', '2026-03-07T00:00:00Z', '2026-03-08T00:00:00Z', 24 * H],
  ])('%s', (_name, hours, from, to, expected) => {
    expect(businessTimeBetween(hours, t(from), t(to))).toBe(expected);
  });

  const CALENDARS: [string, Hours][] = [
    ['UTC', UTC],
    ['UTC with a holiday', UTC_HOLIDAY],
    ['lunch', LUNCH],
    ['Berlin Easter', BERLIN_EASTER],
    ['Berlin nights', BERLIN_NIGHT],
    ['New York 7 days', NEW_YORK_7],
    ['New York nights', NEW_YORK_NIGHT],
    ['24x7', '24x7'],
  ];
  const DURATIONS = [0, M, H, 4 * H, 9 * H, 9 * H + M, 24 * H, 173 * H];
  // Starts every 7 h 13 min from a week before the spring changes to after the autumn ones, so they land at every
  // time of day, inside and outside hours, on DST days too.
  const STARTS = [
    ...Array.from({ length: 60 }, (_, i) => t('2026-03-01T00:00:00Z') + i * (7 * H + 13 * M)),
    ...Array.from({ length: 60 }, (_, i) => t('2026-10-20T00:00:00Z') + i * (7 * H + 13 * M)),
  ];

  it.each(CALENDARS)('round-trips addBusinessTime (%s)', (_name, hours) => {
    for (const start of STARTS) {
      for (const d of DURATIONS) {
        const due = addBusinessTime(hours, start, d);
        expect(businessTimeBetween(hours, start, due), `${iso(start)} + ${d}`).toBe(d);
        // Due is the earliest such instant: one ms earlier, less working time has passed.
        if (d > 0) expect(businessTimeBetween(hours, start, due - 1)).toBe(d - 1);
      }
    }
  });

  it.each(CALENDARS)('addBusinessTime inverts it inside working hours (%s)', (_name, hours) => {
    const inside = (at: number) => businessTimeBetween(hours, at - 1, at + 1) === 2;
    for (const from of STARTS) {
      for (const to of STARTS) {
        // Only `to` strictly inside hours: outside it is unreachable, and at an opening the same working time has
        // already passed at the previous closing.
        if (to < from || to - from > 8 * 24 * H || !inside(to)) continue;
        expect(addBusinessTime(hours, from, businessTimeBetween(hours, from, to))).toBe(to);
      }
    }
  });
});

describe('checkCalendar', () => {
  const PATH = 'tenants.acme.calendars.office';
  it.each<[string, Calendar, string]>([
    ['an unknown zone', { ...UTC, timezone: 'Mars/Olympus' }, `${PATH}.timezone: unknown IANA time zone "Mars/Olympus"`],
    ['an end before the start', { ...UTC, hours: [{ start: '17:00', end: '08:00' }] }, `${PATH}.hours[0]: end 08:00 is not after start 17:00`],
    ['an empty range', { ...UTC, hours: [{ start: '08:00', end: '08:00' }] }, `${PATH}.hours[0]: end 08:00 is not after start 08:00`],
    [
      'overlapping ranges',
      {
        ...UTC,
        hours: [
          { start: '13:00', end: '17:00' },
          { start: '08:00', end: '13:30' },
        ],
      },
      `${PATH}.hours[0]: 13:00-17:00 overlaps hours[1] 08:00-13:30`,
    ],
    ['a malformed time', { ...UTC, hours: [{ start: '8:00', end: '17:00' }] }, `${PATH}.hours[0].start: expected HH:MM`],
    ['a minute past 59', { ...UTC, hours: [{ start: '08:00', end: '17:60' }] }, `${PATH}.hours[0].end: expected HH:MM`],
    ['February 30th', { ...UTC, holidays: ['2026-12-25', '2026-02-30'] }, `${PATH}.holidays[1]: "2026-02-30" is not a real date`],
    ['month 13', { ...UTC, holidays: ['2026-13-01'] }, `${PATH}.holidays[0]: "2026-13-01" is not a real date`],
    ['not a date at all', { ...UTC, holidays: ['Christmas'] }, `${PATH}.holidays[0]: "Christmas" is not a real date`],
  ])('refuses %s, naming the path', (_name, cal, message) => {
    expect(() => checkCalendar(cal, PATH)).toThrow(ConfigError);
    expect(() => checkCalendar(cal, PATH)).toThrow(message);
  });

  it.each<[string, Calendar]>([
    ['the test calendars', BERLIN_EASTER],
    [
      'touching ranges',
      {
        ...UTC,
        hours: [
          { start: '08:00', end: '12:00' },
          { start: '12:00', end: '17:00' },
        ],
      },
    ],
    ['a range to midnight', { ...NEW_YORK, hours: [{ start: '18:00', end: '24:00' }] }],
    ['a leap day holiday', { ...UTC, holidays: ['2028-02-29'] }],
  ])('accepts %s', (_name, cal) => {
    expect(() => checkCalendar(cal, PATH)).not.toThrow();
  });

  it('counts a range to 24:00 up to local midnight', () => {
    const cal: Calendar = { ...NEW_YORK, hours: [{ start: '18:00', end: '24:00' }] };
    expect(iso(addBusinessTime(cal, t('2026-03-03T17:00:00-05:00'), 6 * H + M))).toBe(iso(t('2026-03-04T18:01:00-05:00')));
  });
});

// Regional public holidays come from the date-holidays package's bundled data. 2025-10-03 (German Unity Day) is a
// Friday; 2026-11-26 (US Thanksgiving) a Thursday, the day after it a Friday that date-holidays lists as an
// observance, not a public holiday; 2026-08-15 (Assumption Day) is a public holiday only in parts of Bavaria, so
// date-holidays does not count it for DE-BY as a whole.
describe('regional holidays', () => {
  const BAVARIA: Calendar = { ...BERLIN, holidays: { region: 'DE-BY' } };
  const US_OFFICE: Calendar = { ...NEW_YORK, holidays: { region: 'US' } };

  it.each<[string, Hours, string, number, string]>([
    ['across German Unity Day and a weekend', BAVARIA, '2025-10-02T16:00:00+02:00', 3 * H, '2025-10-06T10:00:00+02:00'],
    ['the same without a region: Friday', BERLIN, '2025-10-02T16:00:00+02:00', 3 * H, '2025-10-03T10:00:00+02:00'],
    ['across US Thanksgiving', US_OFFICE, '2026-11-25T16:00:00-05:00', 3 * H, '2026-11-27T10:00:00-05:00'],
    [
      'across US Thanksgiving and the day after, added',
      { ...NEW_YORK, holidays: { region: 'US', add: ['2026-11-27'] } },
      '2026-11-25T16:00:00-05:00',
      3 * H,
      '2026-11-30T10:00:00-05:00',
    ],
    [
      'German Unity Day removed: worked',
      { ...BERLIN, holidays: { region: 'DE-BY', remove: ['2025-10-03'] } },
      '2025-10-02T16:00:00+02:00',
      3 * H,
      '2025-10-03T10:00:00+02:00',
    ],
    ['Christmas and Boxing Day in any year', BAVARIA, '2031-12-24T16:00:00+01:00', 3 * H, '2031-12-29T10:00:00+01:00'],
    ['a Bavarian public holiday that is not national (Epiphany)', BAVARIA, '2026-01-05T16:00:00+01:00', 3 * H, '2026-01-07T10:00:00+01:00'],
  ])('%s', (_name, hours, start, duration, due) => {
    expect(iso(addBusinessTime(hours, t(start), duration))).toBe(iso(t(due)));
    expect(businessTimeBetween(hours, t(start), t(due))).toBe(duration);
  });

  it('counts whole weeks around a holiday week exactly (173 h over Easter 2026 in Bavaria)', () => {
    const start = t('2026-03-30T08:00:00+02:00');
    const due = addBusinessTime(BAVARIA, start, 173 * H);
    // 173 h = 19 days of 9 h and 2 h; Good Friday and Easter Monday are off: 21 working days from Mon 30 Mar.
    expect(iso(due)).toBe(iso(t('2026-04-28T10:00:00+02:00')));
    expect(businessTimeBetween(BAVARIA, start, due)).toBe(173 * H);
  });

  it.each<[string, Calendar, string]>([
    ['an unknown country', { ...UTC, holidays: { region: 'XX' } }, 'office.holidays.region: unknown country "XX"'],
    ['an unknown state', { ...UTC, holidays: { region: 'DE-XY' } }, 'office.holidays.region: unknown subdivision "XY" of DE (known: BB, BE, BW, BY,'],
    ['a bad added date', { ...UTC, holidays: { region: 'DE', add: ['2026-02-30'] } }, 'office.holidays.add[0]: "2026-02-30" is not a real date'],
    [
      'a date added and removed',
      { ...UTC, holidays: { add: ['2026-12-24'], remove: ['2026-12-24'] } },
      'office.holidays.remove[0]: 2026-12-24 is also in holidays.add',
    ],
  ])('refuses %s', (_name, cal, message) => {
    expect(() => checkCalendar(cal, 'office')).toThrow(message);
  });

  it('accepts a region in lower case and a three-letter subdivision', () => {
    expect(() => checkCalendar({ ...UTC, holidays: { region: 'de-by' } }, 'office')).not.toThrow();
    expect(() => checkCalendar({ ...UTC, holidays: { region: 'GB-SCT' } }, 'office')).not.toThrow();
  });
});

describe('calendarFromEntry', () => {
  const BASE: Calendar = { ...BERLIN, holidays: { region: 'DE-BY', add: ['2026-12-24'], remove: ['2026-01-06'] } };

  it('a whole entry is the calendar itself', () => {
    expect(calendarFromEntry(UTC_HOLIDAY, BASE, 'c')).toEqual(UTC_HOLIDAY);
  });

  it('holidays alone extend the calendar in scope; the later layer wins for a date both name', () => {
    expect(calendarFromEntry({ holidays: { add: ['2026-07-17', '2026-01-06'], remove: ['2026-12-24'] } }, BASE, 'c')).toEqual({
      ...BERLIN,
      holidays: { region: 'DE-BY', add: ['2026-07-17', '2026-01-06'], remove: ['2026-12-24'] },
    });
    expect(calendarFromEntry({ holidays: ['2026-07-17'] }, BASE, 'c').holidays).toEqual({
      region: 'DE-BY',
      add: ['2026-12-24', '2026-07-17'],
      remove: ['2026-01-06'],
    });
    expect(calendarFromEntry({ holidays: { region: 'DE-BW' } }, { ...BERLIN, holidays: ['2026-12-24'] }, 'c').holidays).toEqual({
      region: 'DE-BW',
      add: ['2026-12-24'],
      remove: [],
    });
  });

  it.each<[string, CalendarEntry, Calendar | undefined, string]>([
    [
      'holidays alone with nothing to extend',
      { holidays: ['2026-07-17'] },
      undefined,
      'c: holidays alone extend a calendar of the same name, and there is none above',
    ],
    ['part of a whole calendar', { timezone: 'UTC', holidays: ['2026-07-17'] }, BASE, 'c: give timezone, days and hours (a whole calendar), or holidays alone'],
    ['an empty entry', {}, BASE, 'c: give timezone, days and hours'],
    ['a bad date in an extension', { holidays: { add: ['2026-13-01'] } }, BASE, 'c.holidays.add[0]: "2026-13-01" is not a real date'],
  ])('refuses %s', (_name, entry, base, message) => {
    expect(() => calendarFromEntry(entry, base, 'c')).toThrow(ConfigError);
    expect(() => calendarFromEntry(entry, base, 'c')).toThrow(message);
  });
});
