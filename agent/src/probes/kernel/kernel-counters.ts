// Pure mapping of each OS's kernel counters to Telegraf's `kernel` fields (its kernel plugin, v1.39). Counters stay
// cumulative integers, as Telegraf writes them: dashboards take non_negative_derivative.
import { int, type FieldValue } from '../../sample.js';
import type { ProcStat } from '../common/proc-stat.js';

/** Seconds between 1601-01-01 (FILETIME's epoch) and 1970-01-01. */
const FILETIME_EPOCH_OFFSET_S = 11_644_473_600;
/** FILETIME ticks per second: the System object's Frequency_Object when its timestamps are FILETIMEs. */
const FILETIME_TICKS_PER_S = 10_000_000;

function put(fields: Record<string, FieldValue>, name: string, value: number | undefined): void {
  if (value !== undefined && Number.isFinite(value)) fields[name] = int(value);
}

/** Linux: the /proc/stat counter lines and /proc/sys/kernel/random/entropy_avail (undefined when unreadable). */
export function linuxKernelFields(stat: ProcStat, entropyAvail: number | undefined): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  put(fields, 'boot_time', stat.bootTime);
  put(fields, 'context_switches', stat.contextSwitches);
  put(fields, 'interrupts', stat.interrupts);
  put(fields, 'processes_forked', stat.processesForked);
  put(fields, 'disk_pages_in', stat.pagesIn);
  put(fields, 'disk_pages_out', stat.pagesOut);
  put(fields, 'entropy_avail', entropyAvail);
  return fields;
}

/** /proc/sys/kernel/random/entropy_avail: one decimal. */
export function parseEntropyAvail(text: string): number {
  const value = text.trim();
  if (!/^\d+$/.test(value)) throw new Error(`entropy_avail: not a number: ${value}`);
  return Number(value);
}

/** What the Windows script returns: raw counters of the System and Processor(_Total) performance objects. */
export interface WindowsKernelCounters {
  /** System: Context Switches/sec, raw (a 32-bit count since boot). */
  context_switches: number;
  /** Processor(_Total): Interrupts/sec, raw (a 32-bit count since boot). */
  interrupts: number;
  /** System: System Up Time, raw: the boot time in the object's time base. */
  up_since: number;
  /** System: Frequency_Object, ticks per second of that time base. */
  frequency: number;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Windows. The System object's time base is FILETIME (100 ns ticks since 1601, UTC; Frequency_Object 10,000,000 in
 * every capture), so the raw System Up Time is the boot moment itself: boot_time is exact and the same every run,
 * where now - uptime would wobble. Another time base leaves boot_time out rather than guess.
 */
export function windowsKernelFields(reply: unknown): Record<string, FieldValue> {
  const r = (reply ?? {}) as Partial<Record<keyof WindowsKernelCounters, unknown>>;
  const fields: Record<string, FieldValue> = {};
  if (isCount(r.context_switches)) fields.context_switches = int(r.context_switches);
  if (isCount(r.interrupts)) fields.interrupts = int(r.interrupts);
  if (isCount(r.up_since) && r.frequency === FILETIME_TICKS_PER_S && r.up_since > 0) {
    fields.boot_time = int(Math.floor(r.up_since / FILETIME_TICKS_PER_S) - FILETIME_EPOCH_OFFSET_S);
  }
  if (Object.keys(fields).length === 0) throw new Error(`kernel: unexpected reply ${JSON.stringify(reply)}`);
  return fields;
}
