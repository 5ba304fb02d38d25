// The swap parsers on captured output: /proc/meminfo and /proc/vmstat of the development machine (Debian 12, no
// swap configured), gopsutil's captured meminfo of a machine with 8 GB of unused swap, this process's own
// /proc/self/auxv, and a macOS run log's `sysctl vm.swapusage` and `vm_stat`, before and after a load (see
// test/fixtures/README.md).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { linuxSwap, pageSizeFromAuxv, parseSwapUsage, swapFields, vmStatSwapBytes, windowsSwap } from '../../../../agent/src/probes/swap/swap-sources.js';
import { int } from '../../../../agent/src/sample.js';
import { fixture } from '../fixtures.js';

const MIB = 1024 * 1024;

describe('Linux: /proc/meminfo, /proc/vmstat and the page size', () => {
  it('this development machine has no swap: all sizes 0, the page counters 0', () => {
    const v = linuxSwap(fixture('linux/proc/meminfo'), fixture('linux/proc/vmstat'), 4096);
    expect(v).toEqual({ total: 0, free: 0, in: 0, out: 0 });
    expect(swapFields(v)).toEqual({ total: int(0), used: int(0), free: int(0), used_percent: 0, in: int(0), out: int(0) });
  });

  it('a machine with 8 GB of swap, none used (gopsutil testdata intelcorei5): kB to bytes, 0 % used', () => {
    const v = linuxSwap(fixture('linux/meminfo-intelcorei5'), fixture('linux/proc/vmstat'), 4096);
    expect(v.total).toBe(8065020 * 1024);
    expect(swapFields(v)).toMatchObject({ total: int(8065020 * 1024), used: int(0), free: int(8065020 * 1024), used_percent: 0 });
  });

  it('pswpin and pswpout are pages: times the page size given', () => {
    const vmstat = fixture('linux/proc/vmstat');
    expect(vmstat).toMatch(/^pswpin \d+$/m);
    const pages = (key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(vmstat)![1]);
    const v = linuxSwap(fixture('linux/proc/meminfo'), vmstat, 65536);
    expect(v.in).toBe(pages('pswpin') * 65536);
    expect(v.out).toBe(pages('pswpout') * 65536);
  });

  it('refuses a file that is not meminfo', () => {
    expect(() => linuxSwap(fixture('linux/proc/vmstat'), '', 4096)).toThrow(/SwapTotal missing/);
  });

  it("the page size from this process's /proc/self/auxv is the kernel's (getconf PAGESIZE)", () => {
    const expected = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
    expect(pageSizeFromAuxv(readFileSync('/proc/self/auxv'))).toBe(expected);
    expect(pageSizeFromAuxv(Buffer.alloc(32))).toBeUndefined(); // AT_NULL first
  });
});

describe('macOS: sysctl vm.swapusage and vm_stat', () => {
  it('MiB with two decimals to bytes, before and after the load', () => {
    expect(parseSwapUsage(fixture('darwin/sysctl-vm-swapusage.txt'))).toEqual({
      total: 10240 * MIB,
      used: Math.round(9689.94 * MIB),
      free: Math.round(550.06 * MIB),
    });
    const later = parseSwapUsage(fixture('darwin/sysctl-vm-swapusage-later.txt'));
    expect(later).toEqual({ total: 2048 * MIB, used: Math.round(554.62 * MIB), free: Math.round(1493.38 * MIB) });
    expect(swapFields(later).used_percent as number).toBeCloseTo((100 * 554.62) / 2048, 3);
  });

  it('a Mac that has not swapped yet prints zeros: 0 %, no division by zero', () => {
    const none = parseSwapUsage('vm.swapusage: total = 0.00M  used = 0.00M  free = 0.00M  (encrypted)');
    expect(swapFields(none)).toEqual({ total: int(0), used: int(0), free: int(0), used_percent: 0 });
  });

  it('refuses output without the sizes', () => {
    expect(() => parseSwapUsage('sysctl: unknown oid')).toThrow(/no total/);
  });

  it("Swapins and Swapouts are pages of vm_stat's page size (16 KiB on Apple Silicon), and they grow", () => {
    const before = vmStatSwapBytes(fixture('darwin/vm_stat.txt'));
    const after = vmStatSwapBytes(fixture('darwin/vm_stat-later.txt'));
    expect(before).toEqual({ in: 1024615 * 16384, out: 3028624 * 16384 });
    expect(after).toEqual({ in: 1725059 * 16384, out: 3171828 * 16384 });
  });
});

describe('Windows: the swap script report', () => {
  it('page files in MB (AllocatedBaseSize, CurrentUsage) summed; page counters times the page size', () => {
    const v = windowsSwap({
      files: [
        { name: 'C:\\pagefile.sys', allocated_mb: '2048', current_mb: '42' },
        { name: 'D:\\pagefile.sys', allocated_mb: '32247', current_mb: '4596' },
      ],
      pages_in: '1000',
      pages_out: '10',
      page_size: '4096',
    });
    expect(v).toEqual({ total: (2048 + 32247) * MIB, free: (2048 + 32247 - 42 - 4596) * MIB, in: 4096000, out: 40960 });
  });

  it('no page file: zeros; counters missing: left out', () => {
    expect(windowsSwap({ files: [], pages_in: '', page_size: '4096' })).toEqual({ total: 0, free: 0, in: undefined, out: undefined });
    expect(() => windowsSwap(null as never)).toThrow(/unexpected PowerShell output/);
  });
});
