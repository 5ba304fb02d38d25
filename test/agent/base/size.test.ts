import { describe, expect, it } from 'vitest';
import { parseSize } from '../../../agent/src/base/size.js';

describe('parseSize', () => {
  it.each([
    ['268435456', 268435456],
    ['256MiB', 256 * 2 ** 20],
    ['256mib', 256 * 2 ** 20],
    ['1GiB', 2 ** 30],
    [' 1.5 GiB ', 1.5 * 2 ** 30],
    ['64KiB', 65536],
    ['500MB', 500e6],
    ['2TB', 2e12],
    ['10B', 10],
    ['0', 0],
  ])('%s is %i bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'MiB', '256M', '256 megabytes', '-1MiB', '1e3', 'lots', '99999999999999999TiB'])('refuses %j', (text) => {
    expect(() => parseSize(text)).toThrow(/invalid size/);
  });
});
