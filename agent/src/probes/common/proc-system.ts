// Pure parsing of the Linux files behind Telegraf's `system` fields: /proc/uptime, /proc/loadavg and utmp.

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

/** glibc's `struct utmp` on Linux (x86_64, aarch64 and the other 64-bit ABIs): ut_type is a short at offset 0. */
export const UTMP_RECORD_SIZE = 384;
const USER_PROCESS = 7;

/** Counts logged-in sessions in a utmp file, as gopsutil's host.Users (what Telegraf's n_users counts) does. */
export function countUtmpUsers(buffer: Buffer): number {
  let users = 0;
  for (let offset = 0; offset + UTMP_RECORD_SIZE <= buffer.length; offset += UTMP_RECORD_SIZE) {
    if (buffer.readInt16LE(offset) === USER_PROCESS) users += 1;
  }
  return users;
}
