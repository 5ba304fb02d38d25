import { describe, expect, it } from 'vitest';
import { Int } from '../../../../agent/src/sample.js';
import { basicMemFields, linuxMemFields, parseMeminfo } from '../../../../agent/src/probes/mem/meminfo.js';
import { darwinMemFields, parseVmStat } from '../../../../agent/src/probes/mem/vm-stat.js';
import { fixture } from '../fixtures.js';

const KB = 1024;
const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('linuxMemFields', () => {
  const fields = linuxMemFields(fixture('linux/proc/meminfo'));

  it('applies gopsutil formulas to a real /proc/meminfo (Debian 12)', () => {
    expect(json(fields)).toMatchObject({
      total: 24684092 * KB,
      free: 23960296 * KB,
      available: 24182596 * KB,
      buffered: 3112 * KB,
      cached: (410432 + 46364) * KB, // Cached + SReclaimable
      used: (24684092 - 23960296 - 3112 - 410432 - 46364) * KB,
      huge_pages_total: 0,
      huge_page_size: 2048 * KB,
      vmalloc_total: 34359738367 * KB,
    });
    expect(fields.used_percent).toBeCloseTo((100 * (24684092 - 23960296 - 3112 - 456796)) / 24684092, 10);
    expect(fields.available_percent).toBeCloseTo((100 * 24182596) / 24684092, 10);
  });

  it('writes every byte count as an integer and only the percentages as floats', () => {
    for (const [name, value] of Object.entries(fields)) {
      expect(value instanceof Int, name).toBe(!name.endsWith('_percent'));
    }
    // Telegraf's mem README field list, minus the BSD/macOS-only laundry and wired.
    expect(Object.keys(fields).sort()).toEqual([
      'active',
      'available',
      'available_percent',
      'buffered',
      'cached',
      'commit_limit',
      'committed_as',
      'dirty',
      'free',
      'high_free',
      'high_total',
      'huge_page_size',
      'huge_pages_free',
      'huge_pages_total',
      'inactive',
      'low_free',
      'low_total',
      'mapped',
      'page_tables',
      'shared',
      'slab',
      'sreclaimable',
      'sunreclaim',
      'swap_cached',
      'swap_free',
      'swap_total',
      'total',
      'used',
      'used_percent',
      'vmalloc_chunk',
      'vmalloc_total',
      'vmalloc_used',
      'write_back',
      'write_back_tmp',
    ]);
  });

  it('falls back to cached + free before kernel 3.14 (no MemAvailable)', () => {
    const old = linuxMemFields('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB\nSReclaimable: 20 kB\n');
    expect(json(old)).toMatchObject({ available: 320 * KB, cached: 220 * KB, used: 630 * KB });
  });

  it('rejects text that is not meminfo', () => {
    expect(() => linuxMemFields('hello')).toThrow(/MemTotal/);
  });

  it('keeps HugePages counts as counts', () => {
    expect(parseMeminfo('HugePages_Total:       4\nHugepagesize:       2048 kB\n')).toEqual(
      new Map([
        ['HugePages_Total', 4],
        ['Hugepagesize', 2048 * KB],
      ]),
    );
  });
});

describe('basicMemFields', () => {
  it('derives used and the percentages from total and available', () => {
    expect(json(basicMemFields(1000, 250))).toEqual({
      total: 1000,
      available: 250,
      used: 750,
      used_percent: 75,
      available_percent: 25,
    });
  });
});

describe('darwinMemFields', () => {
  // test/fixtures/darwin/vm_stat.txt: Apple Silicon Mac, 16 KiB pages.
  const PAGE = 16384;
  const TOTAL = 32 * 1024 ** 3;

  it('reads the page size and page counts of real vm_stat output', () => {
    const { pageSize, pages } = parseVmStat(fixture('darwin/vm_stat.txt'));
    expect(pageSize).toBe(PAGE);
    expect(pages.get('Pages free')).toBe(10069);
    expect(pages.get('Translation faults')).toBe(1935466161);
  });

  it('computes available as free + inactive pages, as gopsutil does on macOS', () => {
    const fields = darwinMemFields(fixture('darwin/vm_stat.txt'), TOTAL);
    const available = (10069 + 426177) * PAGE;
    expect(json(fields)).toEqual({
      total: TOTAL,
      available,
      used: TOTAL - available,
      used_percent: (100 * (TOTAL - available)) / TOTAL,
      available_percent: (100 * available) / TOTAL,
      active: 432859 * PAGE,
      free: 10069 * PAGE,
      inactive: 426177 * PAGE,
      wired: 171481 * PAGE,
    });
  });

  it('rejects output without the page size header', () => {
    expect(() => darwinMemFields('Pages free: 1.\n', TOTAL)).toThrow(/page size/);
  });
});
