// Pure parsing for the shutdowns probe: unexpected shutdowns from Linux wtmp records and from the Windows System
// log events the probe's script returns (macOS: shutdown-cause.ts).
import { UTMP_RECORD_SIZE } from '../common/proc-system.js';

export interface UnexpectedShutdown {
  /** Unix ms: when it was detected (the next boot's wtmp record, the event's TimeCreated, the macOS log entry). */
  time: number;
  kind: 'crash' | 'kernel_power' | 'unexpected_shutdown';
  eventId?: number;
  recordId?: number;
  message: string;
  /** Linux: the boot that ended without a shutdown record (unix ms). */
  bootTime?: number;
  /** macOS: the kernel's "Previous shutdown cause" code and what it means. */
  cause?: number;
  causeText?: string;
}

// glibc struct utmp (64-bit ABIs): ut_type short @0, ut_line[32] @8, ut_user[32] @44, ut_tv.tv_sec int32 @340.
const BOOT_TIME = 2;
const RUN_LVL = 1;
const cstr = (b: Buffer, at: number, len: number): string => {
  const raw = b.subarray(at, at + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? len : nul).toString('utf8');
};

/**
 * wtmp: systemd-update-utmp writes a BOOT_TIME record (user "reboot") at every boot and a RUN_LVL record with user
 * "shutdown" at every clean shutdown. A boot followed by another boot with no shutdown record in between ended
 * without a clean shutdown: a crash, a power loss or a hard reset (`last -x` shows it as "crash").
 */
export function parseWtmpCrashes(buffer: Buffer): UnexpectedShutdown[] {
  const crashes: UnexpectedShutdown[] = [];
  let boot: number | null = null; // the current boot, until a shutdown record closes it
  for (let at = 0; at + UTMP_RECORD_SIZE <= buffer.length; at += UTMP_RECORD_SIZE) {
    const type = buffer.readInt16LE(at);
    const seconds = buffer.readInt32LE(at + 340);
    if (type === RUN_LVL && cstr(buffer, at + 44, 32) === 'shutdown') boot = null;
    if (type !== BOOT_TIME) continue;
    if (boot !== null) {
      const when = new Date(boot * 1000).toISOString();
      crashes.push({ time: seconds * 1000, kind: 'crash', bootTime: boot * 1000, message: `the boot of ${when} ended without a clean shutdown (wtmp)` });
    }
    boot = seconds;
  }
  return crashes;
}

const KINDS: Record<number, UnexpectedShutdown['kind']> = { 41: 'kernel_power', 6008: 'unexpected_shutdown' };

/** The Windows script's JSON: [{id, record, provider, time (ISO 8601 UTC), message}], newest first. */
export function parseWindowsShutdownEvents(value: unknown): UnexpectedShutdown[] {
  const rows = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : null;
  if (!rows) throw new Error(`shutdowns: expected a JSON array, got ${JSON.stringify(value)?.slice(0, 200)}`);
  return rows.map((row: Record<string, unknown>) => {
    const time = Date.parse(String(row?.time));
    const kind = KINDS[Number(row?.id)];
    if (!kind || !Number.isFinite(time) || !Number.isInteger(row.record)) {
      throw new Error(`shutdowns: unexpected event: ${JSON.stringify(row).slice(0, 200)}`);
    }
    const message =
      String(row.message ?? '')
        .split(/\r?\n/)[0]
        ?.trim() ?? '';
    return { time, kind, eventId: Number(row.id), recordId: row.record as number, message };
  });
}

/** The shutdowns probe's System-log position: the record id read up to and the Windows clock when that run began. */
export interface ShutdownCheckpoint {
  recordId: number;
  time?: number;
}

/** The stored checkpoint: a bare record id (before times were kept) or a ShutdownCheckpoint. */
export function readShutdownCheckpoint(value: unknown): ShutdownCheckpoint | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return { recordId: value };
  const v = value as Partial<ShutdownCheckpoint> | null | undefined;
  if (typeof v?.recordId !== 'number') return undefined;
  return typeof v.time === 'number' ? { recordId: v.recordId, time: v.time } : { recordId: v.recordId };
}

export interface WindowsShutdownReply {
  events: UnexpectedShutdown[];
  /** Newest record id of the System log when the script looked (null: empty log or a reply without it). */
  last: number | null;
  /** The Windows clock when the script began (null: not given). */
  now: number | null;
}

/**
 * The Windows script's reply: `{now, last, rows}` (rows as parseWindowsShutdownEvents reads them), or a bare rows
 * array from a script that did not say more.
 */
export function parseWindowsShutdownReply(value: unknown): WindowsShutdownReply {
  if (Array.isArray(value) || value === null || typeof value !== 'object' || !('rows' in value))
    return { events: parseWindowsShutdownEvents(value), last: null, now: null };
  const r = value as Record<string, unknown>;
  const now = typeof r.now === 'string' ? Date.parse(r.now) : NaN;
  const rows = r.rows === null ? [] : r.rows;
  return { events: parseWindowsShutdownEvents(rows), last: typeof r.last === 'number' ? r.last : null, now: Number.isNaN(now) ? null : now };
}

/**
 * Where the checkpoint goes: up to the log's newest record (everything up to it was searched) or the newest event
 * found, whichever is higher, in the numbering the log has NOW (after a clear it restarts, and the script then read
 * the whole new log). Undefined when nothing says where the log is (keep the old checkpoint).
 */
export function nextShutdownCheckpoint(previous: ShutdownCheckpoint | undefined, reply: WindowsShutdownReply): ShutdownCheckpoint | undefined {
  const ids = reply.events.map((e) => e.recordId ?? 0);
  if (reply.last === null && ids.length === 0) return undefined;
  const recordId = Math.max(reply.last ?? 0, ...ids);
  const time = reply.now ?? previous?.time;
  return time === undefined ? { recordId } : { recordId, time };
}
