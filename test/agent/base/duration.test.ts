import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../agent/src/base/duration.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    [' 2 minutes ', 120_000],
    ['0s', 0],
  ])('%s = %d ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    ['', /empty/],
    ['30', /"30": not a number with a unit/],
    ['abc', /"abc": not a number with a unit/],
    ['10 parsecs', /"10 parsecs": not understood/],
    ['-5s', /"-5s": negative/],
    ['5s; rm -rf /', /not a number with a unit/],
  ])('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });
});
