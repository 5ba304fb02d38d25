// probes/kernel/: this probe and its mapping of each OS's counters (kernel-counters.ts); the /proc/stat parser,
// shared with cpu and system, is ../common/proc-stat.ts.
//
// kernel: Telegraf's kernel plugin (v1.39, default `collect`): boot time, context switches, interrupts, forks and
// available entropy, cumulative since boot. Linux reads /proc/stat and /proc/sys/kernel/random/entropy_avail, as
// Telegraf does. Telegraf's plugin is Linux-only; Watchpost writes what each other OS gives cheaply: Windows asks the
// PowerShell worker once for the raw System and Processor(_Total) counters; macOS has only the boot time (Node's
// os.uptime() reads the kern.boottime sysctl), so no process is started there.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { int, type FieldValue } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { parseProcStat } from '../common/proc-stat.js';
import { linuxKernelFields, parseEntropyAvail, windowsKernelFields } from './kernel-counters.js';

const DEFAULT_SCHEDULE = '0 * * * * *'; // every minute, on the minute
const SCRIPT_TIMEOUT_MS = 20_000;

/**
 * Windows PowerShell 5.1, through the worker: two raw performance classes in one request. The raw values are the
 * counts since boot (Context Switches/sec and Interrupts/sec are rates only once formatted) and the boot moment
 * (System Up Time). -ErrorAction Stop: a failing WMI query fails the run instead of writing nothing.
 */
export const WINDOWS_KERNEL_SCRIPT = [
  '$s = Get-CimInstance -ClassName Win32_PerfRawData_PerfOS_System -ErrorAction Stop | Select-Object -First 1',
  '$p = Get-CimInstance -ClassName Win32_PerfRawData_PerfOS_Processor -Filter "Name=\'_Total\'" -ErrorAction Stop | Select-Object -First 1',
  '@{ context_switches = $s.ContextSwitchesPersec; interrupts = $p.InterruptsPersec; up_since = $s.SystemUpTime; frequency = $s.Frequency_Object } |',
  '  ConvertTo-Json -Compress',
].join('\n');

export interface KernelProbeOptions {
  procRoot?: string;
  platform?: NodeJS.Platform;
}

type Reader = (ctx: ProbeContext) => Promise<Record<string, FieldValue>>;

const readers: Partial<Record<NodeJS.Platform, (o: KernelProbeOptions) => Reader>> = {
  linux: (o) => async () => {
    const proc = o.procRoot ?? '/proc';
    // Telegraf fails the whole run when entropy_avail is unreadable; here only that field is left out.
    const [stat, entropy] = await Promise.all([
      readFile(`${proc}/stat`, 'utf8'),
      readFile(`${proc}/sys/kernel/random/entropy_avail`, 'utf8').then(parseEntropyAvail, () => undefined),
    ]);
    return linuxKernelFields(parseProcStat(stat), entropy);
  },
  win32: () => async (ctx) => {
    if (!ctx.powershell) throw new Error('kernel: no PowerShell worker');
    return windowsKernelFields(await ctx.powershell.run(WINDOWS_KERNEL_SCRIPT, { timeoutMs: SCRIPT_TIMEOUT_MS, signal: ctx.signal }));
  },
  // libuv's uptime on macOS is time(NULL) - kern.boottime in whole seconds, so floor(now) - uptime is kern.boottime.
  darwin: () => async (ctx) => ({ boot_time: int(Math.floor(ctx.now() / 1000) - Math.trunc(os.uptime())) }),
};

export function createKernelProbe(options: KernelProbeOptions = {}): Probe {
  const platform = options.platform ?? process.platform;
  const read = readers[platform]?.(options);
  return {
    name: 'kernel',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      if (!read) throw new Error(`kernel: no reader for ${platform}`);
      return [{ measurement: 'kernel', fields: await read(ctx) }];
    },
  };
}
