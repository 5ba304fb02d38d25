// Business-hours arithmetic: how much working time lies between two instants, and when a given amount of working
// time has passed. A calendar's hours are local wall-clock times in its IANA zone; luxon turns each day's ranges
// into real instants, and working time is the real elapsed time between them. So a range that contains a DST
// change is as long as it really is (Berlin 00:00-04:00 lasts 3 h on 2026-03-29 and 5 h on 2026-10-25), and an
// 08:00-17:00 day on a DST change day is still 9 h. A boundary that falls in a skipped hour moves forward by the
// gap (02:30 -> 03:30 summer time, as RFC 5545 reads it); one in a repeated hour is its later occurrence (luxon's
// choice). Times are unix ms; the search walks day by day (a uniform week at a time), never minute by minute.
//
// Holidays are a list of local dates, or a region's public holidays for every year (the date-holidays package's
// data, bundled: no network) with dates added and removed. A region's holidays are worked out per year on first
// use and kept; date-holidays itself is loaded only when a calendar names a region.
import { createRequire } from 'node:module';
import { DateTime, IANAZone } from 'luxon';
import { ConfigError } from '../errors.js';
import type { Calendar, CalendarEntry, Holidays } from './service-schema.js';

/** A calendar, or around the clock. */
export type Hours = Calendar | '24x7';

/** addBusinessTime gives up after this many days in a row without working time (holidays covering 3 years). */
const MAX_IDLE_DAYS = 3 * 366;
const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 24 * 60;
/**
 * Wall-time conversions kept (zone, day, minute -> instant; about 60 bytes each). A luxon conversion costs ~10 us
 * and the due times of many tickets cross the same days, so this makes a repeat 173 h computation cheap. Cleared
 * when full: the mapping never changes within a process, so a miss only costs time.
 */
const INSTANT_CACHE_MAX = 20_000;
/** Index = JavaScript's getUTCDay(): 0 is Sunday. */
const WEEKDAYS: readonly string[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

type Interval = readonly [from: number, to: number];

interface Compiled {
  zone: string;
  days: ReadonlySet<number>;
  /** Working ranges in minutes after local midnight, end exclusive (1440 = 24:00), sorted by start. */
  ranges: readonly { start: number; end: number }[];
  /** Whether a civil day (days since 1970-01-01 as a local date) has no working hours. */
  isHoliday: (day: number) => boolean;
  /** Working ms of a week with no holiday and no offset change: wall-clock minutes of every working day. */
  weekMs: number;
}

/** "08:30" -> 510, "24:00" -> 1440; undefined for anything else. */
function minuteOfDay(text: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && value <= MINUTES_PER_DAY ? value : undefined;
}

/** "2026-04-03" -> civil day number (days since 1970-01-01), undefined unless it is a real date (no 2026-02-30). */
function civilDayOf(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const real = date.getUTCFullYear() === Number(m[1]) && date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]);
  return real ? date.getTime() / DAY_MS : undefined;
}

type HolidaysClass = typeof import('date-holidays').default;
type HolidayRegion = InstanceType<HolidaysClass>;

let holidaysClass: HolidaysClass | undefined;
/** date-holidays, loaded on first use: its data (~800 kB of rules) costs a CLI command that never needs it. */
function holidaysLibrary(): HolidaysClass {
  holidaysClass ??= createRequire(import.meta.url)('date-holidays') as HolidaysClass;
  return holidaysClass;
}

/** Region code -> date-holidays instance; region code and year -> that year's public holidays as civil days. */
const regions = new Map<string, HolidayRegion>();
const regionYears = new Map<string, ReadonlySet<number>>();
/** Region-years kept (a set of ~15 numbers each); cleared when full, as they never change within a process. */
const REGION_YEARS_MAX = 2_000;

/** Splits "DE-BY" into the codes date-holidays takes; throws ConfigError naming `path` for an unknown one. */
function regionFor(code: string, path: string): HolidayRegion {
  const key = code.toUpperCase();
  const known = regions.get(key);
  if (known) return known;
  const Library = holidaysLibrary();
  const [country = '', state, region] = key.split('-');
  const catalogue = new Library();
  const listed = (names: Record<string, string> | undefined): string => Object.keys(names ?? {}).join(', ');
  if (!Object.hasOwn(catalogue.getCountries() ?? {}, country))
    throw new ConfigError(`${path}: unknown country "${country}" (an ISO 3166-1 code, e.g. DE, US, GB)`);
  if (state !== undefined && !Object.hasOwn(catalogue.getStates(country) ?? {}, state)) {
    throw new ConfigError(`${path}: unknown subdivision "${state}" of ${country} (known: ${listed(catalogue.getStates(country)) || 'none'})`);
  }
  if (state !== undefined && region !== undefined && !Object.hasOwn(catalogue.getRegions(country, state) ?? {}, region)) {
    throw new ConfigError(`${path}: unknown region "${region}" of ${country}-${state} (known: ${listed(catalogue.getRegions(country, state)) || 'none'})`);
  }
  const found = state === undefined ? new Library(country) : region === undefined ? new Library(country, state) : new Library(country, state, region);
  regions.set(key, found);
  return found;
}

/** The civil days of a region's public holidays in one year (half days and bank, school or optional days are not). */
function regionalHolidays(code: string, year: number): ReadonlySet<number> {
  const key = `${code.toUpperCase()} ${year}`;
  const known = regionYears.get(key);
  if (known) return known;
  const days = new Set<number>();
  for (const h of regionFor(code, 'holidays.region').getHolidays(year)) {
    const day = h.type === 'public' ? civilDayOf(h.date.slice(0, 10)) : undefined;
    if (day !== undefined) days.add(day);
  }
  if (regionYears.size >= REGION_YEARS_MAX) regionYears.clear();
  regionYears.set(key, days);
  return days;
}

/** Holidays in one shape: a plain list is `add`. */
function holidayParts(h: Holidays | undefined): { region?: string; add: string[]; remove: string[] } {
  if (h === undefined) return { add: [], remove: [] };
  if (Array.isArray(h)) return { add: [...h], remove: [] };
  return { ...(h.region === undefined ? {} : { region: h.region }), add: [...(h.add ?? [])], remove: [...(h.remove ?? [])] };
}

function checkHolidays(h: Holidays | undefined, path: string): void {
  const lists: [string, readonly string[]][] = Array.isArray(h)
    ? [['', h]]
    : [
        ['.add', h?.add ?? []],
        ['.remove', h?.remove ?? []],
      ];
  for (const [key, dates] of lists) {
    dates.forEach((d, i) => {
      if (civilDayOf(d) === undefined) throw new ConfigError(`${path}.holidays${key}[${i}]: "${d}" is not a real date (YYYY-MM-DD)`);
    });
  }
  if (h === undefined || Array.isArray(h)) return;
  if (h.region !== undefined) regionFor(h.region, `${path}.holidays.region`);
  const added = new Set(h.add ?? []);
  (h.remove ?? []).forEach((d, i) => {
    if (added.has(d)) throw new ConfigError(`${path}.holidays.remove[${i}]: ${d} is also in holidays.add`);
  });
}

/**
 * The calendar a rules-file entry means. With timezone, days and hours it is a whole calendar (checked as by
 * checkCalendar). With `holidays` alone it extends `base`, the calendar of that name already in scope: a region
 * given replaces the base's, its `add` and `remove` (a plain list is `add`) go on top, the later layer winning for a
 * date both name. Throws ConfigError naming `path` for anything else.
 */
export function calendarFromEntry(entry: CalendarEntry, base: Calendar | undefined, path: string): Calendar {
  const whole = [entry.timezone, entry.days, entry.hours].filter((v) => v !== undefined).length;
  if (whole === 3) {
    const calendar: Calendar = { timezone: entry.timezone!, days: entry.days!, hours: entry.hours!, ...(entry.holidays ? { holidays: entry.holidays } : {}) };
    checkCalendar(calendar, path);
    return calendar;
  }
  if (whole > 0 || entry.holidays === undefined) {
    throw new ConfigError(`${path}: give timezone, days and hours (a whole calendar), or holidays alone (days off added to the calendar of that name)`);
  }
  if (!base) throw new ConfigError(`${path}: holidays alone extend a calendar of the same name, and there is none above; give timezone, days and hours too`);
  checkHolidays(entry.holidays, path);
  const [below, over] = [holidayParts(base.holidays), holidayParts(entry.holidays)];
  const [added, removed] = [new Set(over.add), new Set(over.remove)];
  const region = over.region ?? below.region;
  const holidays: Holidays = {
    ...(region === undefined ? {} : { region }),
    add: [...below.add.filter((d) => !removed.has(d)), ...over.add],
    remove: [...below.remove.filter((d) => !added.has(d)), ...over.remove],
  };
  return { ...base, holidays };
}

/**
 * Checks what the schema cannot: the zone exists, each hours range ends after it starts, ranges do not overlap
 * (touching is fine: 08:00-12:00 and 12:00-17:00), holidays are real dates, a holiday region is one date-holidays
 * knows, and no date is both added and removed. Call after schema validation; throws ConfigError naming `path`
 * and the bad key, e.g. `tenants.acme.calendars.office.hours[1]: ...`.
 */
export function checkCalendar(c: Calendar, path: string): void {
  if (!IANAZone.isValidZone(c.timezone)) throw new ConfigError(`${path}.timezone: unknown IANA time zone "${c.timezone}"`);
  const ranges = c.hours.map((h, i) => {
    const start = minuteOfDay(h.start);
    const end = minuteOfDay(h.end);
    if (start === undefined || start >= MINUTES_PER_DAY) throw new ConfigError(`${path}.hours[${i}].start: expected HH:MM (00:00-23:59); got "${h.start}"`);
    if (end === undefined) throw new ConfigError(`${path}.hours[${i}].end: expected HH:MM (00:00-24:00); got "${h.end}"`);
    if (end <= start) throw new ConfigError(`${path}.hours[${i}]: end ${h.end} is not after start ${h.start}`);
    return { start, end, i, text: `${h.start}-${h.end}` };
  });
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (let k = 1; k < sorted.length; k++) {
    const [prev, cur] = [sorted[k - 1]!, sorted[k]!];
    if (cur.start < prev.end) throw new ConfigError(`${path}.hours[${cur.i}]: ${cur.text} overlaps hours[${prev.i}] ${prev.text}`);
  }
  checkHolidays(c.holidays, path);
}

function compile(c: Calendar): Compiled {
  const ranges = c.hours
    .map((h) => ({ start: minuteOfDay(h.start) ?? NaN, end: minuteOfDay(h.end) ?? NaN }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const days = new Set(c.days.map((d) => WEEKDAYS.indexOf(d)).filter((d) => d >= 0));
  const parts = holidayParts(c.holidays);
  const added = new Set(parts.add.map(civilDayOf).filter((d) => d !== undefined));
  const removed = new Set(parts.remove.map(civilDayOf).filter((d) => d !== undefined));
  const region = parts.region;
  const isHoliday = (day: number): boolean =>
    !removed.has(day) && (added.has(day) || (region !== undefined && regionalHolidays(region, new Date(day * DAY_MS).getUTCFullYear()).has(day)));
  const weekMs = days.size * ranges.reduce((sum, r) => sum + (r.end - r.start) * 60_000, 0);
  return { zone: c.timezone, days, ranges, isHoliday, weekMs };
}

/** The civil day (local date) an instant falls on in the calendar's zone. */
function civilDayAt(cal: Compiled, at: number): number {
  const local = DateTime.fromMillis(at, { zone: cal.zone });
  if (!local.isValid) throw new RangeError(`calendar time zone "${cal.zone}" is unknown (run checkCalendar on load)`);
  return Math.round(Date.UTC(local.year, local.month - 1, local.day) / DAY_MS);
}

const instants = new Map<string, number>();

/** The instant of a local wall time: civil day + minutes after midnight (1440 = next midnight), via luxon. */
function instantOf(cal: Compiled, day: number, minute: number): number {
  const key = `${cal.zone} ${day} ${minute}`;
  const known = instants.get(key);
  if (known !== undefined) return known;
  const date = new Date((day + Math.floor(minute / MINUTES_PER_DAY)) * DAY_MS);
  const m = minute % MINUTES_PER_DAY;
  const local = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: Math.floor(m / 60), minute: m % 60 };
  const at = DateTime.fromObject(local, { zone: cal.zone }).toMillis();
  if (instants.size >= INSTANT_CACHE_MAX) instants.clear();
  instants.set(key, at);
  return at;
}

/** A civil day's working intervals as real instants, sorted and merged (a skipped hour can reorder boundaries). */
function workingIntervals(cal: Compiled, day: number): Interval[] {
  if (!cal.days.has(new Date(day * DAY_MS).getUTCDay()) || cal.isHoliday(day)) return [];
  const raw = cal.ranges.map((r): Interval => [instantOf(cal, day, r.start), instantOf(cal, day, r.end)]).filter(([a, b]) => b > a);
  raw.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of raw) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/**
 * The civil week [day, day + 7) as one block of `weekMs` when that is exact: no holiday in it and local midnight
 * to midnight is exactly 7 x 24 h (no offset change). Assumes no zone changes its offset and back within one week
 * (DST changes are months apart). Lets a 173 h target cost a conversion per week instead of two per working day.
 */
function uniformWeek(cal: Compiled, day: number): { from: number; to: number } | undefined {
  if (cal.weekMs === 0) return undefined;
  for (let d = day; d < day + 7; d++) if (cal.isHoliday(d)) return undefined;
  const from = instantOf(cal, day, 0);
  const to = instantOf(cal, day + 7, 0);
  return to - from === 7 * DAY_MS ? { from, to } : undefined;
}

/**
 * The instant at which `durationMs` of working time has passed after `start`. A start outside working hours
 * begins counting at the next working moment; a duration that ends exactly at closing time is due at closing time
 * (not the next opening). Duration 0 gives the next working moment at or after `start` (`start` itself when it is
 * inside working hours; closing time itself is outside). Throws RangeError for a negative or non-finite input,
 * and when no working time is found for MAX_IDLE_DAYS days in a row.
 */
export function addBusinessTime(hours: Hours, start: number, durationMs: number): number {
  if (!Number.isFinite(start) || !Number.isFinite(durationMs) || durationMs < 0) {
    throw new RangeError(`addBusinessTime: expected a finite start and a duration >= 0; got ${start}, ${durationMs}`);
  }
  if (hours === '24x7') return start + durationMs;
  const cal = compile(hours);
  let remaining = durationMs;
  let cursor = start;
  let idleDays = 0;
  const first = civilDayAt(cal, start);
  let nextWeekTry = first + 1; // the first day may start mid-day; later days start at or after `cursor`
  for (let day = first; idleDays <= MAX_IDLE_DAYS; day++) {
    if (day >= nextWeekTry && remaining > cal.weekMs) {
      const week = uniformWeek(cal, day);
      if (week) {
        [remaining, cursor, idleDays, day] = [remaining - cal.weekMs, week.to, 0, day + 6];
        continue;
      }
      nextWeekTry = day + 7; // a DST or holiday week: walk it day by day
    }
    idleDays++;
    for (const [a, b] of workingIntervals(cal, day)) {
      if (b <= cursor) continue;
      idleDays = 0;
      const from = Math.max(a, cursor);
      if (remaining <= b - from) return from + remaining;
      remaining -= b - from;
      cursor = b;
    }
  }
  throw new RangeError(`calendar (${hours.timezone}) has no working time for ${MAX_IDLE_DAYS} days after ${new Date(cursor).toISOString()}`);
}

/**
 * Working time in [from, to), in ms; 0 when to <= from. The inverse of addBusinessTime: for d >= 0,
 * businessTimeBetween(h, s, addBusinessTime(h, s, d)) === d; for t strictly inside working hours,
 * addBusinessTime(h, s, businessTimeBetween(h, s, t)) === t (at an opening it gives the previous closing).
 */
export function businessTimeBetween(hours: Hours, from: number, to: number): number {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError(`businessTimeBetween: expected finite instants; got ${from}, ${to}`);
  if (to <= from) return 0;
  if (hours === '24x7') return to - from;
  const cal = compile(hours);
  const lastDay = civilDayAt(cal, to);
  const first = civilDayAt(cal, from);
  let total = 0;
  let nextWeekTry = first + 1;
  for (let day = first; day <= lastDay; day++) {
    // Whole weeks strictly between from's day and to's day lie inside [from, to).
    if (day >= nextWeekTry && day + 7 <= lastDay) {
      if (uniformWeek(cal, day)) {
        [total, day] = [total + cal.weekMs, day + 6];
        continue;
      }
      nextWeekTry = day + 7;
    }
    for (const [a, b] of workingIntervals(cal, day)) total += Math.max(0, Math.min(b, to) - Math.max(a, from));
  }
  return total;
}
