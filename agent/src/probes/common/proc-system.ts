// Pure parsing of the Linux files behind Telegraf's `system` fields: /proc/uptime, /proc/loadavg and utmp (users).

/** /proc/uptime: "seconds-since-boot idle-seconds"; returns whole seconds since boot. */
export function parseUptime(text: string): number {
  const seconds = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(seconds)) throw new Error('uptime: not a number');
  return Math.trunc(seconds);
}

/** /proc/loadavg: "load1 load5 load15 running/total lastpid". */
export function parseLoadavg(text: string): { load1: number; load5: number; load15: number } {
  const [load1, load5, load15] = text.trim().split(/\s+/).map(Number);
  if (![load1, load5, load15].every((v) => Number.isFinite(v))) throw new Error('loadavg: unexpected format');
  return { load1: load1 as number, load5: load5 as number, load15: load15 as number };
}

/** glibc's `struct utmp` on Linux (x86_64, aarch64 and the other 64-bit ABIs): ut_type is a short at offset 0,
 *  ut_user a NUL-padded char[32] at offset 44 (after ut_pid, ut_line[32] and ut_id[4]). */
export const UTMP_RECORD_SIZE = 384;
const USER_PROCESS = 7;
const UT_USER_OFFSET = 44;
const UT_USER_SIZE = 32;

/**
 * The user name of each logged-in session in a utmp file (its USER_PROCESS records), as gopsutil's host.Users reads
 * them: Telegraf's n_users counts these, n_unique_users the distinct names. Names are kept byte for byte (latin1) so
 * that two names differ exactly when their bytes do; they are only counted, never sent.
 */
export function utmpLogins(buffer: Buffer): string[] {
  const names: string[] = [];
  for (let offset = 0; offset + UTMP_RECORD_SIZE <= buffer.length; offset += UTMP_RECORD_SIZE) {
    if (buffer.readInt16LE(offset) !== USER_PROCESS) continue;
    const field = buffer.subarray(offset + UT_USER_OFFSET, offset + UT_USER_OFFSET + UT_USER_SIZE);
    const end = field.indexOf(0);
    names.push(field.toString('latin1', 0, end < 0 ? UT_USER_SIZE : end));
  }
  return names;
}

/** Counts logged-in sessions in a utmp file, as gopsutil's host.Users (what Telegraf's n_users counts) does. */
export function countUtmpUsers(buffer: Buffer): number {
  return utmpLogins(buffer).length;
}
