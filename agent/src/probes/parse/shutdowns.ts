// Pure parsing for the shutdowns probe: unexpected shutdowns from Linux wtmp records and from the Windows System
// log events the probe's script returns.
import { UTMP_RECORD_SIZE } from './proc-system.js';

export interface UnexpectedShutdown {
  /** Unix ms: when it was detected (the next boot's wtmp record, the event's TimeCreated). */
  time: number;
  kind: 'crash' | 'kernel_power' | 'unexpected_shutdown';
  eventId?: number;
  recordId?: number;
  message: string;
  /** Linux: the boot that ended without a shutdown record (unix ms). */
  bootTime?: number;
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
    const message = String(row.message ?? '').split(/\r?\n/)[0]?.trim() ?? '';
    return { time, kind, eventId: Number(row.id), recordId: row.record as number, message };
  });
}
