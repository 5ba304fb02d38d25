// Pure parsing of macOS `ioreg -r -d 2 -l -w 0 -c IOBlockStorageDriver` into Telegraf's `diskio` counters. Each
// IOBlockStorageDriver carries a `Statistics` dictionary (what iostat and Activity Monitor read); its first child is
// the whole-disk IOMedia whose `BSD Name` (disk0) is the name Telegraf reports, as gopsutil finds it through IOKit.
import type { DiskCounters } from './diskstats.js';

const NODE = /\+-o .*<class (\w+)[,>]/;
const STATISTICS = /"Statistics" = \{(.*)\}/;
const BSD_NAME = /"BSD Name" = "([^"]+)"/;
const NS_PER_MS = 1_000_000;

function statistics(dictionary: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const [, key, value] of dictionary.matchAll(/"([^"]+)"=(\d+)/g)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) values.set(key!, n);
  }
  return values;
}

/**
 * One entry per driver whose whole-disk media names its BSD device. The IOKit keys (IOBlockStorageDriver.h) map as
 * gopsutil maps them: Operations (Read/Write) -> reads, writes; Bytes (Read/Write) -> read_bytes, write_bytes; Total
 * Time (Read/Write), nanoseconds -> read_time, write_time in ms; io_time = read_time + write_time (gopsutil's
 * stand-in: IOKit keeps no busy time). weighted_io_time, iops_in_progress and the merged counts have no IOKit
 * source and are left out. A driver without a BSD name in the output (ioreg run without -l prints no properties of
 * the child) is skipped: it has no name Telegraf would report.
 */
export function parseIoregBlockStorage(text: string): DiskCounters[] {
  const result: DiskCounters[] = [];
  let stats: Map<string, number> | undefined;
  let node = '';
  let mediaSeen = false;
  for (const line of text.split('\n')) {
    const header = NODE.exec(line);
    if (header) {
      node = header[1]!;
      if (node === 'IOBlockStorageDriver') {
        stats = undefined;
        mediaSeen = false;
      } else if (node === 'IOMedia') {
        // Only the driver's own child is the whole disk; deeper IOMedia (partitions) are other nodes.
        if (mediaSeen) stats = undefined;
        mediaSeen = true;
      }
      continue;
    }
    if (node === 'IOBlockStorageDriver') {
      const dictionary = STATISTICS.exec(line)?.[1];
      if (dictionary !== undefined) stats = statistics(dictionary);
    } else if (node === 'IOMedia' && stats) {
      const name = BSD_NAME.exec(line)?.[1];
      if (name === undefined) continue;
      result.push(darwinCounters(name, stats));
      stats = undefined;
    }
  }
  return result;
}

function darwinCounters(name: string, s: Map<string, number>): DiskCounters {
  const ms = (key: string): number | undefined => {
    const ns = s.get(key);
    return ns === undefined ? undefined : Math.floor(ns / NS_PER_MS);
  };
  const readTime = ms('Total Time (Read)');
  const writeTime = ms('Total Time (Write)');
  return {
    name,
    reads: s.get('Operations (Read)'),
    writes: s.get('Operations (Write)'),
    read_bytes: s.get('Bytes (Read)'),
    write_bytes: s.get('Bytes (Write)'),
    read_time: readTime,
    write_time: writeTime,
    io_time: readTime !== undefined && writeTime !== undefined ? readTime + writeTime : undefined,
  };
}
