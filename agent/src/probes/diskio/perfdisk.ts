// Pure conversion of Windows' LogicalDisk raw performance counters (Win32_PerfRawData_PerfDisk_LogicalDisk, as the
// diskio probe's script selects them) into Telegraf's `diskio` counters. The raw class holds what the counters have
// accumulated since the volume came online; the formatted class and perfmon turn two samples of them into rates,
// which is what Grafana's non_negative_derivative does with the points written here.
import type { DiskCounters } from './diskstats.js';

/** One instance as the script prints it: every counter as the decimal text of its raw value ('' for null), so
 *  uint64 values travel exactly (JSON numbers lose precision beyond 2^53). */
export interface PerfDiskRow {
  name?: string | null;
  reads?: string | null;
  writes?: string | null;
  read_bytes?: string | null;
  write_bytes?: string | null;
  read_time?: string | null;
  write_time?: string | null;
  disk_time?: string | null;
  idle_time?: string | null;
  idle_base?: string | null;
  queue?: string | null;
}

/** PERF_PRECISION_100NS_TIMER numerators count 100 ns ticks; Telegraf's times are milliseconds. */
const TICKS_PER_MS = 10_000n;
/** Telegraf's Windows names (gopsutil: fixed drives by letter, `C:`): the `_Total` instance and volumes without a
 *  drive letter (`HarddiskVolume1`, mount-point volumes) are not reported. */
const DRIVE_LETTER = /^[A-Z]:$/i;

const raw = (text: string | null | undefined): bigint | undefined => (text && /^\d+$/.test(text) ? BigInt(text) : undefined);
const num = (value: bigint | undefined): number | undefined => (value === undefined ? undefined : Number(value));
const ms = (value: bigint | undefined): number | undefined => (value === undefined ? undefined : Number(value / TICKS_PER_MS));

/**
 * The counters of each drive letter. The raw counter types (Microsoft's Win32_PerfRawData_PerfDisk_LogicalDisk
 * class and its CounterType qualifiers) decide each conversion:
 * - DiskReadsPersec, DiskWritesPersec (PERF_COUNTER_COUNTER, uint32): completed operations since the volume came
 *   online -> reads, writes as they are;
 * - DiskReadBytesPersec, DiskWriteBytesPersec (PERF_COUNTER_BULK_COUNT, uint64): bytes -> read_bytes, write_bytes;
 * - PercentDiskReadTime, PercentDiskWriteTime, PercentDiskTime (PERF_PRECISION_100NS_TIMER, uint64): the summed
 *   time of every request in flight, in 100 ns ticks (why % Disk Time can exceed 100 %: it is the average queue
 *   length) -> read_time, write_time, weighted_io_time in ms, Linux's meaning of those three;
 * - PercentIdleTime (PERF_PRECISION_100NS_TIMER) with its base PercentIdleTime_Base, the counter's own 100 ns clock:
 *   Windows computes % Idle Time as their two deltas' ratio, so base - idle grows exactly by the time the volume had
 *   I/O pending -> io_time in ms (only its differences mean anything: its level depends on where that clock
 *   starts, which Microsoft does not document);
 * - CurrentDiskQueueLength (PERF_COUNTER_RAWCOUNT): requests outstanding now -> iops_in_progress (a gauge; it also
 *   counts requests in service, not only those queued).
 * Windows counts no merged requests: merged_reads and merged_writes are left out.
 */
export function perfDiskCounters(rows: readonly PerfDiskRow[]): DiskCounters[] {
  return rows
    .filter((r) => DRIVE_LETTER.test(r.name ?? ''))
    .map((r) => {
      const idle = raw(r.idle_time);
      const base = raw(r.idle_base);
      const counters: DiskCounters = {
        name: r.name!.toUpperCase(),
        reads: num(raw(r.reads)),
        writes: num(raw(r.writes)),
        read_bytes: num(raw(r.read_bytes)),
        write_bytes: num(raw(r.write_bytes)),
        read_time: ms(raw(r.read_time)),
        write_time: ms(raw(r.write_time)),
        io_time: idle !== undefined && base !== undefined && base >= idle ? ms(base - idle) : undefined,
        weighted_io_time: ms(raw(r.disk_time)),
        iops_in_progress: num(raw(r.queue)),
      };
      return counters;
    });
}
