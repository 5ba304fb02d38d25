// probes/system/: this probe; its parsers, shared with cpu and shutdowns, are in ../common/ (proc-stat, proc-system).
//
// system: Telegraf's system plugin (load1/5/15, n_cpus, n_users, n_unique_users, uptime, uptime_format) plus
// Watchpost's `boot_time` (unix seconds) so reboots show on dashboards. Linux reads /proc/loadavg, /proc/uptime,
// /proc/stat (btime) and utmp; Windows and macOS use os.* and report no users (Telegraf has none on Windows either;
// on macOS it would need utmpx or `who`). Windows has no load average (os.loadavg() returns zeros there), so its load
// fields are left out rather than written as 0.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { int, type FieldValue } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { parseProcStat } from '../common/proc-stat.js';
import { parseLoadavg, parseUptime, utmpLogins } from '../common/proc-system.js';

const DEFAULT_SCHEDULE = '0 * * * * *'; // every minute, on the minute
const UTMP_PATHS = ['/run/utmp', '/var/run/utmp'];

export interface SystemProbeOptions {
  procRoot?: string;
  /** utmp files to try in order; when none is readable n_users and n_unique_users are left out, as Telegraf does. */
  utmpPaths?: readonly string[];
  platform?: NodeJS.Platform;
}

type SystemReader = (ctx: ProbeContext) => Promise<Record<string, FieldValue>>;

/**
 * Telegraf's uptime_format (its system plugin's formatUptime): `[N day[s], ]H:MM`, hours space-padded to two places,
 * e.g. " 2:03", "1 day,  2:03", "14 days, 11:07". Whole seconds in, minutes truncated.
 */
export function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor(seconds / 3600) % 24;
  const minutes = Math.floor(seconds / 60) % 60;
  const prefix = days === 0 ? '' : `${days} day${days > 1 ? 's' : ''}, `;
  return `${prefix}${String(hours).padStart(2, ' ')}:${String(minutes).padStart(2, '0')}`;
}

/** n_users and n_unique_users from the first readable utmp file; none when no file is readable, as Telegraf does. */
async function users(paths: readonly string[]): Promise<Record<string, FieldValue>> {
  for (const path of paths) {
    const data = await readFile(path).catch(() => undefined);
    if (!data) continue;
    const logins = utmpLogins(data);
    return { n_users: int(logins.length), n_unique_users: int(new Set(logins).size) };
  }
  return {};
}

/** The uptime fields every platform writes. */
const uptimeFields = (uptime: number): Record<string, FieldValue> => ({ uptime: int(uptime), uptime_format: formatUptime(uptime) });

const linuxReader =
  (o: SystemProbeOptions): SystemReader =>
  async (ctx) => {
    const proc = o.procRoot ?? '/proc';
    const [loadavg, uptimeText, statText, userFields] = await Promise.all([
      readFile(`${proc}/loadavg`, 'utf8'),
      readFile(`${proc}/uptime`, 'utf8'),
      readFile(`${proc}/stat`, 'utf8'),
      users(o.utmpPaths ?? UTMP_PATHS),
    ]);
    const uptime = parseUptime(uptimeText);
    // btime is fixed for the whole boot; now - uptime would wobble by a second between collections.
    const bootTime = parseProcStat(statText).bootTime ?? Math.round(ctx.now() / 1000) - uptime;
    return {
      ...parseLoadavg(loadavg),
      n_cpus: int(os.cpus().length),
      ...userFields,
      ...uptimeFields(uptime),
      boot_time: int(bootTime),
    };
  };

const osReader =
  (withLoad: boolean): SystemReader =>
  async (ctx) => {
    const uptime = Math.trunc(os.uptime());
    const [load1, load5, load15] = os.loadavg();
    return {
      ...(withLoad ? { load1: load1 ?? 0, load5: load5 ?? 0, load15: load15 ?? 0 } : {}),
      n_cpus: int(os.cpus().length),
      ...uptimeFields(uptime),
      boot_time: int(Math.round(ctx.now() / 1000) - uptime),
    };
  };

const readers: Partial<Record<NodeJS.Platform, (o: SystemProbeOptions) => SystemReader>> = {
  linux: linuxReader,
  darwin: () => osReader(true),
  win32: () => osReader(false),
};

export function createSystemProbe(options: SystemProbeOptions = {}): Probe {
  const read = readers[options.platform ?? process.platform]?.(options) ?? osReader(true);
  return {
    name: 'system',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      return [{ measurement: 'system', fields: await read(ctx) }];
    },
  };
}
