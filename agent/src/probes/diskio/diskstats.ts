// Pure parsing of Linux /proc/diskstats into Telegraf's `diskio` counters, with gopsutil's rules (the library
// Telegraf's diskio plugin reads them through): every device the kernel lists, partitions and virtual devices
// included, except one whose counters are all zero.
import { int, type FieldValue } from '../../sample.js';

/** gopsutil multiplies the sector columns by a fixed 512: the kernel counts /proc/diskstats sectors in 512-byte
 *  units whatever the device's own sector size (Documentation/admin-guide/iostats.rst). */
export const DISKSTATS_SECTOR_BYTES = 512;

/** One device's counters since boot, in Telegraf's field names and units. A counter the OS does not give is left
 *  out (Windows and macOS have fewer). */
export interface DiskCounters {
  name: string;
  reads?: number;
  writes?: number;
  read_bytes?: number;
  write_bytes?: number;
  read_time?: number;
  write_time?: number;
  io_time?: number;
  weighted_io_time?: number;
  iops_in_progress?: number;
  merged_reads?: number;
  merged_writes?: number;
}

/** Telegraf's field order (its README). */
export const DISKIO_FIELDS = [
  'reads',
  'writes',
  'read_bytes',
  'write_bytes',
  'read_time',
  'write_time',
  'io_time',
  'weighted_io_time',
  'iops_in_progress',
  'merged_reads',
  'merged_writes',
] as const;

/** Telegraf's `diskio` fields: all integers, as given (counters since boot; `iops_in_progress` a gauge). */
export function diskioFields(c: DiskCounters): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  for (const name of DISKIO_FIELDS) {
    const value = c[name];
    if (value !== undefined) fields[name] = int(value);
  }
  return fields;
}

/**
 * /proc/diskstats: `major minor name` and at least 11 counters (kernels since 4.18 add discards, 5.5 flushes; those
 * are not Telegraf fields). Column order (iostats.rst): reads, merged reads, sectors read, ms reading, writes, merged
 * writes, sectors written, ms writing, I/Os in progress, ms doing I/O, weighted ms doing I/O. gopsutil's selection:
 * 1. a line with fewer than 14 columns is skipped (malformed);
 * 2. a device whose eleven counters are all zero is skipped (loop devices never used, an idle zram, a CD drive
 *    without media): Telegraf writes no point for it;
 * 3. everything else is reported under the kernel's name (sda, sda1, nvme0n1p2, dm-0, md0, loop0), in file order.
 */
export function parseDiskstats(text: string): DiskCounters[] {
  const result: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 14) continue;
    const v = parts.slice(3, 14).map(Number);
    if (v.some((n) => !Number.isSafeInteger(n) || n < 0)) continue;
    if (v.every((n) => n === 0)) continue;
    const [reads, mergedReads, sectorsRead, readTime, writes, mergedWrites, sectorsWritten, writeTime, inProgress, ioTime, weighted] = v as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    result.push({
      name: parts[2]!,
      reads,
      writes,
      read_bytes: sectorsRead * DISKSTATS_SECTOR_BYTES,
      write_bytes: sectorsWritten * DISKSTATS_SECTOR_BYTES,
      read_time: readTime,
      write_time: writeTime,
      io_time: ioTime,
      weighted_io_time: weighted,
      iops_in_progress: inProgress,
      merged_reads: mergedReads,
      merged_writes: mergedWrites,
    });
  }
  return result;
}
