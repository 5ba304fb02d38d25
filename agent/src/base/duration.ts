// Durations as users type them on the command line and in config ('30s', '5m', '1h', '7d'). Parsing is the `ms`
// package's; this wrapper only refuses what `ms` would silently turn into undefined, a bare number or a negative.
import ms from 'ms';

export class DurationError extends Error {
  constructor(text: string, reason: string) {
    super(`invalid duration ${JSON.stringify(text)}: ${reason} (expected a number with a unit, like 30s, 5m, 1h, 7d)`);
    this.name = 'DurationError';
  }
}

/** A number followed by a unit letter or word; a bare number is refused because `--every 30` is ambiguous. */
const HAS_UNIT = /^\s*-?(?:\d+)?\.?\d+\s*[a-z]+\s*$/i;

/** Parses a duration into whole milliseconds (>= 0). Throws DurationError with the offending text. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') throw new DurationError(text, 'empty');
  if (!HAS_UNIT.test(trimmed)) throw new DurationError(text, 'not a number with a unit');
  const value = ms(trimmed as ms.StringValue) as number | undefined;
  if (value === undefined || !Number.isFinite(value)) throw new DurationError(text, 'not understood');
  if (value < 0) throw new DurationError(text, 'negative');
  return Math.round(value);
}
