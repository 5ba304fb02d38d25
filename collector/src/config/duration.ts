// Durations in config and on the command line ("30s", "7d"), parsed by the `ms` package.
import ms from 'ms';

export class DurationError extends Error {}

/** "30s" -> 30000. Throws DurationError with the offending text for anything that is not a duration. */
export function parseDuration(text: string): number {
  const value = /^[0-9]+(\.[0-9]+)?\s*[a-z]+$/i.test(text.trim()) ? ms(text.trim() as ms.StringValue) : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new DurationError(`expected a duration like 30s, 5m, 7d; got "${text}"`);
  }
  return value;
}
