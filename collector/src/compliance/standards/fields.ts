// Reading a point's fields the way every standard does, and wording ages in reasons.
import type { RuleSample } from '../../alerting/contract.js';
import type { Evidence } from '../contract.js';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export const str = (point: RuleSample, key: string): string => {
  const v = point.fields[key];
  return typeof v === 'string' ? v : '';
};

export const num = (point: RuleSample, key: string): number | undefined => {
  const v = point.fields[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

export const bool = (point: RuleSample, key: string): boolean | undefined => {
  const v = point.fields[key];
  return typeof v === 'boolean' ? v : undefined;
};

/** The point as evidence, with only the fields that decided (those present). */
export const evidenceOf = (point: RuleSample, keys: readonly string[]): Evidence => ({
  measurement: point.measurement,
  time: point.time,
  fields: Object.fromEntries(keys.flatMap((k) => (point.fields[k] === undefined ? [] : [[k, point.fields[k]!]]))),
});

/** "5 hours", "3 days": whole units, hours below two days. */
export function age(ms: number): string {
  if (ms < 2 * DAY_MS) {
    const h = Math.max(0, Math.floor(ms / HOUR_MS));
    return `${h} hour${h === 1 ? '' : 's'}`;
  }
  const d = Math.floor(ms / DAY_MS);
  return `${d} days`;
}

/** YYYY-MM-DD (UTC) of a unix-ms time. */
export const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
