// How the report writes numbers and times: one place, so the HTML, the PDF and the tests agree on the text.
import { DateTime } from 'luxon';

/** 92.3 % (one decimal); "n/a" when there is nothing to divide. */
export const percentText = (value: number | null): string => (value === null ? 'n/a' : `${value.toFixed(1)} %`);

/** A duration as hours and minutes, "0:12", "26:05"; rounded to the minute; "n/a" for none. */
export function hoursText(ms: number | null): string {
  if (ms === null) return 'n/a';
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

/** A local time in the report's zone, "2026-10-26 09:12". */
export const localTime = (at: number, zone: string): string => DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM-dd HH:mm');

/** "October 2026" */
export const monthTitle = (from: number, zone: string): string => DateTime.fromMillis(from, { zone }).setLocale('en').toFormat('LLLL yyyy');
