// The month a report covers: "2026-11" as the instants [from, to) between two local midnights in the tenant's
// zone (its SLA calendar's zone; UTC for around-the-clock terms, which have no calendar). A month that contains a
// DST change is as long as it really is (October in Berlin has 745 h).
import { DateTime, IANAZone } from 'luxon';
import type { Hours } from '../tickets/calendar.js';

export interface ReportMonth {
  /** "2026-11" */
  id: string;
  zone: string;
  from: number;
  to: number;
  /** The previous month's id, for links and trends ("2026-10"). */
  previous: string;
}

/** The zone a tenant's months are counted in. */
export const monthZone = (hours: Hours): string => (hours === '24x7' ? 'UTC' : hours.timezone);

/** "2026-11" in `zone`; undefined for anything but YYYY-MM with a month 01-12, or an unknown zone. */
export function parseMonth(text: string, zone: string): ReportMonth | undefined {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (!m || !IANAZone.isValidZone(zone)) return undefined;
  const start = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone });
  return { id: text, zone, from: start.toMillis(), to: start.plus({ months: 1 }).toMillis(), previous: start.minus({ months: 1 }).toFormat('yyyy-MM') };
}

/** The month `at` falls in, in `zone` ("2026-12"). */
export const monthOf = (at: number, zone: string): string => DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM');
