import { describe, expect, it } from 'vitest';
import { interpolate, intervalText, type QueryScope } from '../../dashboards/src/interpolate.js';

const scope = (variables: Record<string, string[]>): QueryScope => ({ variables, fromMs: 1000, toMs: 61_000, intervalMs: 10_000 });

describe('interpolate', () => {
  it.each([
    ['one value, regex-escaped', `"host" =~ /^$host$/`, { host: ['web.01'] }, `"host" =~ /^web\\.01$/`],
    ['several values as an alternation', `"tenant" =~ /^$tenant$/`, { tenant: ['acme', 'b/c'] }, `"tenant" =~ /^(acme|b\\/c)$/`],
    ['All (no values) as .*', `"tenant" =~ /^$tenant$/`, { tenant: [] }, `"tenant" =~ /^.*$/`],
    ['the time range in ms', 'WHERE $timeFilter', {}, 'WHERE time >= 1000ms and time <= 61000ms'],
    ['the interval, and its ms beside it', 'time($__interval) $__interval_ms', {}, 'time(10s) 10000'],
    ['an unknown variable is left alone', '/^$other$/', { host: ['a'] }, '/^$other$/'],
  ])('%s', (_name, query, variables, expected) => {
    expect(interpolate(query, scope(variables))).toBe(expected);
  });

  it.each([
    [500, '500ms'],
    [1000, '1s'],
    [90_000, '90s'],
    [120_000, '2m'],
    [7_200_000, '2h'],
    [86_400_000, '1d'],
  ])('interval %i ms is %s', (ms, text) => {
    expect(intervalText(ms)).toBe(text);
  });
});
