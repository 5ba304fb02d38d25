// Pure parsing of macOS `vm_stat` output into Telegraf's darwin `mem` fields (gopsutil's formulas:
// available = free + inactive pages, used = total - available).
import { int, type FieldValue } from '../../sample.js';
import { basicMemFields } from './meminfo.js';

/** Page counts keyed by vm_stat's labels ("Pages free", ...), plus the page size from the header line. */
export function parseVmStat(text: string): { pageSize: number; pages: Map<string, number> } {
  const header = /page size of (\d+) bytes/.exec(text);
  if (!header?.[1]) throw new Error('vm_stat: page size header missing');
  const pages = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^"?([^":]+)"?:\s+(\d+)\.?\s*$/.exec(line);
    if (match?.[1] && match[2]) pages.set(match[1].trim(), Number(match[2]));
  }
  return { pageSize: Number(header[1]), pages };
}

/** `total` is hw.memsize (os.totalmem() on macOS reads the same sysctl). */
export function darwinMemFields(text: string, total: number): Record<string, FieldValue> {
  const { pageSize, pages } = parseVmStat(text);
  const bytes = (label: string): number => (pages.get(label) ?? 0) * pageSize;
  const free = bytes('Pages free');
  const inactive = bytes('Pages inactive');
  return {
    ...basicMemFields(total, free + inactive),
    active: int(bytes('Pages active')),
    free: int(free),
    inactive: int(inactive),
    wired: int(bytes('Pages wired down')),
  };
}
