// probes/swap/: this probe and its parsers of each OS's swap sources (swap-sources.ts).
//
// swap: Telegraf's swap plugin. Swap space (total, used, free, used_percent) and the bytes swapped in and out since
// boot (counters: Grafana takes non_negative_derivative).
//   Linux:   /proc/meminfo and /proc/vmstat, the page size once from /proc/self/auxv. No process.
//   Windows: ONE request to the PowerShell worker: Win32_PageFileUsage and the Memory object's page counters.
//   macOS:   `sysctl vm.swapusage` and `vm_stat` (its Swapins/Swapouts), two short runs.
import { readFile } from 'node:fs/promises';
import type { Probe, ProbeContext } from '../probe.js';
import {
  linuxSwap,
  pageSizeFromAuxv,
  parseSwapUsage,
  swapFields,
  vmStatSwapBytes,
  windowsSwap,
  type SwapValues,
  type WindowsSwapReport,
} from './swap-sources.js';

const DEFAULT_SCHEDULE = '0 * * * * *'; // every minute, on the minute
const COMMAND_TIMEOUT_MS = 10_000;
const SCRIPT_TIMEOUT_MS = 20_000;
/** Where /proc/self/auxv cannot be read (a restricted container): the page size of x86-64 and most arm64 kernels. */
const FALLBACK_PAGE_SIZE = 4096;

/** Windows PowerShell 5.1. Sizes and counters go out as decimal text; [Environment]::SystemPageSize is .NET 4.0+.
 *  -ErrorAction Stop: a failing WMI query fails the run instead of reading as "no swap". */
export const WINDOWS_SWAP_SCRIPT = [
  '$files = @(Get-CimInstance -ClassName Win32_PageFileUsage -ErrorAction Stop | ForEach-Object {',
  '  [ordered]@{ name = [string]$_.Name; allocated_mb = [string]$_.AllocatedBaseSize; current_mb = [string]$_.CurrentUsage } })',
  '$m = Get-CimInstance -ClassName Win32_PerfRawData_PerfOS_Memory -ErrorAction Stop',
  '[ordered]@{ files = $files; pages_in = [string]$m.PagesInputPersec; pages_out = [string]$m.PagesOutputPersec;',
  '  page_size = [string][Environment]::SystemPageSize } | ConvertTo-Json -Depth 3 -Compress',
].join('\n');

export interface SwapProbeOptions {
  procRoot?: string;
  platform?: NodeJS.Platform;
}

type SwapReader = (ctx: ProbeContext) => Promise<SwapValues>;

const readers: Partial<Record<NodeJS.Platform, (o: SwapProbeOptions) => SwapReader>> = {
  linux: (o) => {
    const proc = o.procRoot ?? '/proc';
    let pageSize: Promise<number> | undefined; // the kernel's: read once per agent process
    return async () => {
      pageSize ??= readFile('/proc/self/auxv').then(
        (auxv) => pageSizeFromAuxv(auxv) ?? FALLBACK_PAGE_SIZE,
        () => FALLBACK_PAGE_SIZE,
      );
      const [meminfo, vmstat] = await Promise.all([readFile(`${proc}/meminfo`, 'utf8'), readFile(`${proc}/vmstat`, 'utf8')]);
      return linuxSwap(meminfo, vmstat, await pageSize);
    };
  },
  win32: () => async (ctx) => {
    if (!ctx.powershell) throw new Error('swap: the PowerShell worker is not available');
    return windowsSwap(await ctx.powershell.run<WindowsSwapReport>(WINDOWS_SWAP_SCRIPT, { timeoutMs: SCRIPT_TIMEOUT_MS, signal: ctx.signal }));
  },
  darwin: () => async (ctx) => {
    const run = (command: string, args: string[]) => ctx.runner(command, args, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
    const [usage, vmStat] = await Promise.all([run('sysctl', ['vm.swapusage']), run('vm_stat', [])]);
    const { total, free } = parseSwapUsage(usage.stdout);
    return { total, free, ...vmStatSwapBytes(vmStat.stdout) };
  },
};

export function createSwapProbe(options: SwapProbeOptions = {}): Probe {
  const platform = options.platform ?? process.platform;
  const read = readers[platform]?.(options);
  return {
    name: 'swap',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      if (!read) throw new Error(`swap: no reader for ${platform}`);
      return [{ measurement: 'swap', fields: swapFields(await read(ctx)) }];
    },
  };
}
