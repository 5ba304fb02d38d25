// Pure parsers of each OS's swap sources into Telegraf's `swap` fields: Linux /proc/meminfo and /proc/vmstat (with
// the page size from /proc/self/auxv), macOS `sysctl vm.swapusage` and vm_stat's swap counters, and the Windows
// report of the swap probe's PowerShell script.
import { int, type FieldValue } from '../../sample.js';

/** What every platform fills: sizes in bytes, and the counters of bytes swapped in and out since boot where the OS
 *  counts them. */
export interface SwapValues {
  total: number;
  free: number;
  in?: number;
  out?: number;
}

/** Telegraf's swap fields: total, used, free, used_percent (gopsutil: used = total - free, 0 % without swap), and
 *  the counters `in` and `out` when known. */
export function swapFields(v: SwapValues): Record<string, FieldValue> {
  const used = Math.max(0, v.total - v.free);
  const fields: Record<string, FieldValue> = {
    total: int(v.total),
    used: int(used),
    free: int(v.free),
    used_percent: v.total > 0 ? (100 * used) / v.total : 0,
  };
  if (v.in !== undefined) fields.in = int(v.in);
  if (v.out !== undefined) fields.out = int(v.out);
  return fields;
}

/** `key value` lines (/proc/vmstat) or `Key: value kB` lines (/proc/meminfo), values as numbers. */
function keyed(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+):?\s+(\d+)(\s+kB)?\s*$/.exec(line);
    if (match) values.set(match[1]!, Number(match[2]) * (match[3] ? 1024 : 1));
  }
  return values;
}

/**
 * Linux: SwapTotal and SwapFree of /proc/meminfo (what sysinfo(2), gopsutil's source, reports), and pswpin/pswpout
 * of /proc/vmstat, pages swapped in and out since boot, times the kernel's page size. gopsutil multiplies by a fixed
 * 4096, the same on 4 KiB-page kernels (x86-64, most arm64 distributions); on 16 or 64 KiB-page kernels this
 * gives the true bytes where Telegraf under-reports. Throws when SwapTotal is missing (not a meminfo file).
 */
export function linuxSwap(meminfo: string, vmstat: string, pageSize: number): SwapValues {
  const mem = keyed(meminfo);
  const vm = keyed(vmstat);
  const total = mem.get('SwapTotal');
  if (total === undefined) throw new Error('meminfo: SwapTotal missing');
  const pages = (key: string): number | undefined => {
    const n = vm.get(key);
    return n === undefined ? undefined : n * pageSize;
  };
  return { total, free: mem.get('SwapFree') ?? 0, in: pages('pswpin'), out: pages('pswpout') };
}

const AT_NULL = 0n;
const AT_PAGESZ = 6n;

/** The page size from /proc/self/auxv: 64-bit (type, value) pairs, AT_PAGESZ = 6, ended by AT_NULL. Node runs as a
 *  64-bit process on every platform the agent ships for. Undefined when the vector has no such entry. */
export function pageSizeFromAuxv(auxv: Buffer): number | undefined {
  for (let at = 0; at + 16 <= auxv.length; at += 16) {
    const type = auxv.readBigUInt64LE(at);
    if (type === AT_NULL) break;
    if (type === AT_PAGESZ) return Number(auxv.readBigUInt64LE(at + 8));
  }
  return undefined;
}

const UNIT: Readonly<Record<string, number>> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * macOS `sysctl vm.swapusage`: `vm.swapusage: total = 2048.00M  used = 554.62M  free = 1493.38M  (encrypted)`, the
 * xsw_usage values the kernel keeps in bytes, printed in binary megabytes with two decimals (so to 10 KiB; gopsutil
 * reads the bytes). No swap file yet: all three are 0.
 */
export function parseSwapUsage(text: string): { total: number; used: number; free: number } {
  const value = (key: string): number => {
    const match = new RegExp(`${key} = ([\\d.]+)([BKMGT])`).exec(text);
    if (!match) throw new Error(`sysctl vm.swapusage: no ${key} in ${JSON.stringify(text.slice(0, 200))}`);
    return Math.round(Number(match[1]) * UNIT[match[2]!]!);
  };
  return { total: value('total'), used: value('used'), free: value('free') };
}

/** macOS vm_stat's `Swapins` and `Swapouts` (pages, since boot) in bytes, with the page size its header names;
 *  undefined where the output lacks them. */
export function vmStatSwapBytes(text: string): { in?: number; out?: number } {
  const pageSize = Number(/page size of (\d+) bytes/.exec(text)?.[1]);
  if (!pageSize) throw new Error('vm_stat: page size header missing');
  const pages = (label: string): number | undefined => {
    const match = new RegExp(`^${label}:\\s+(\\d+)\\.?\\s*$`, 'm').exec(text);
    return match ? Number(match[1]) * pageSize : undefined;
  };
  return { in: pages('Swapins'), out: pages('Swapouts') };
}

/** What the swap probe's Windows script prints: page files in MB as decimal text, the Memory object's raw page
 *  counters and the page size. */
export interface WindowsSwapReport {
  files?: { name?: string | null; allocated_mb?: string | null; current_mb?: string | null }[] | null;
  pages_in?: string | null;
  pages_out?: string | null;
  page_size?: string | null;
}

const MIB = 1024 * 1024;
const whole = (text: string | null | undefined): number | undefined => (text && /^\d+$/.test(text) ? Number(text) : undefined);

/**
 * Windows: the page files (Win32_PageFileUsage): total = the sum of AllocatedBaseSize, used = the sum of
 * CurrentUsage, both in MB (MiB). in/out: the Memory object's Pages Input/sec and Pages Output/sec raw counters
 * (PERF_COUNTER_COUNTER: pages read from disk to resolve hard faults, pages written to disk to free memory, since
 * boot) times the page size; they count memory-mapped files too, not only the page file.
 */
export function windowsSwap(report: WindowsSwapReport): SwapValues {
  if (report === null || typeof report !== 'object') throw new Error(`swap: unexpected PowerShell output: ${JSON.stringify(report).slice(0, 200)}`);
  let total = 0;
  let used = 0;
  for (const file of report.files ?? []) {
    total += (whole(file.allocated_mb) ?? 0) * MIB;
    used += (whole(file.current_mb) ?? 0) * MIB;
  }
  const pageSize = whole(report.page_size);
  const bytes = (pages: string | null | undefined): number | undefined => {
    const n = whole(pages);
    return n === undefined || pageSize === undefined ? undefined : n * pageSize;
  };
  return { total, free: Math.max(0, total - used), in: bytes(report.pages_in), out: bytes(report.pages_out) };
}
