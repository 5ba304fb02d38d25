// Pure parsing of Linux /proc/meminfo into Telegraf's `mem` fields, with gopsutil's formulas (the library Telegraf
// uses), so values match what Telegraf would report on the same machine.
import { int, type FieldValue } from '../../sample.js';

/** /proc/meminfo key -> Telegraf field. Values are kB except the HugePages_* counts. */
const MEMINFO_FIELDS: Readonly<Record<string, string>> = {
  MemTotal: 'total',
  MemFree: 'free',
  MemAvailable: 'available',
  Buffers: 'buffered',
  Cached: 'cached',
  Active: 'active',
  Inactive: 'inactive',
  Writeback: 'write_back',
  WritebackTmp: 'write_back_tmp',
  Dirty: 'dirty',
  Shmem: 'shared',
  Slab: 'slab',
  SReclaimable: 'sreclaimable',
  SUnreclaim: 'sunreclaim',
  PageTables: 'page_tables',
  SwapCached: 'swap_cached',
  CommitLimit: 'commit_limit',
  Committed_AS: 'committed_as',
  HighTotal: 'high_total',
  HighFree: 'high_free',
  LowTotal: 'low_total',
  LowFree: 'low_free',
  SwapTotal: 'swap_total',
  SwapFree: 'swap_free',
  Mapped: 'mapped',
  VmallocTotal: 'vmalloc_total',
  VmallocUsed: 'vmalloc_used',
  VmallocChunk: 'vmalloc_chunk',
  HugePages_Total: 'huge_pages_total',
  HugePages_Free: 'huge_pages_free',
  Hugepagesize: 'huge_page_size',
};

/** Every integer field Telegraf's mem plugin writes on Linux; absent keys are written as 0, as Telegraf does. */
const LINUX_INT_FIELDS = [...new Set(Object.values(MEMINFO_FIELDS)), 'used'];

/** Raw /proc/meminfo values in bytes (counts stay counts), keyed by the kernel's names. */
export function parseMeminfo(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([^:\s]+):\s+(\d+)(\s+kB)?/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    values.set(match[1], Number(match[2]) * (match[3] ? 1024 : 1));
  }
  return values;
}

/** Telegraf `mem` fields from /proc/meminfo text. Throws when MemTotal is missing (not a meminfo file). */
export function linuxMemFields(text: string): Record<string, FieldValue> {
  const raw = parseMeminfo(text);
  const get = (key: string): number => raw.get(key) ?? 0;
  const total = raw.get('MemTotal');
  if (!total) throw new Error('meminfo: MemTotal missing');
  const values = new Map<string, number>();
  for (const [key, field] of Object.entries(MEMINFO_FIELDS)) values.set(field, get(key));
  // gopsutil: cached includes reclaimable slab; without MemAvailable (kernels < 3.14) available = cached + free.
  const cached = get('Cached') + get('SReclaimable');
  const available = raw.get('MemAvailable') ?? cached + get('MemFree');
  const used = total - get('MemFree') - get('Buffers') - cached;
  values.set('cached', cached);
  values.set('available', available);
  values.set('used', used);
  const fields: Record<string, FieldValue> = {};
  for (const name of LINUX_INT_FIELDS) fields[name] = int(values.get(name) ?? 0);
  fields.used_percent = (100 * used) / total;
  fields.available_percent = (100 * available) / total;
  return fields;
}

/** The five fields Telegraf writes on every platform, from total and available bytes (Windows: os.* only). */
export function basicMemFields(total: number, available: number): Record<string, FieldValue> {
  const used = total - available;
  return {
    total: int(total),
    available: int(available),
    used: int(used),
    used_percent: total > 0 ? (100 * used) / total : 0,
    available_percent: total > 0 ? (100 * available) / total : 0,
  };
}
