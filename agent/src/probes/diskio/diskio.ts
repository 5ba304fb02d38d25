// probes/diskio/: this probe and its parsers: Linux /proc/diskstats (diskstats.ts), Windows LogicalDisk raw counters
// (perfdisk.ts), macOS ioreg (ioreg.ts).
//
// diskio: Telegraf's diskio plugin. Per-device I/O counters since boot, as integers, exactly as the OS keeps them:
// no rates here (Grafana takes non_negative_derivative, as Telegraf's sample queries do).
//   Linux:   /proc/diskstats, every device with a non-zero counter (Telegraf's default), and the `wwid` tag from
//            /sys/block/<name>/wwid where the kernel has one. No process.
//   Windows: ONE request to the PowerShell worker: Win32_PerfRawData_PerfDisk_LogicalDisk, drive letters only.
//   macOS:   one `ioreg` run: the Statistics of each IOBlockStorageDriver, named by its disk's BSD name.
import { readFile } from 'node:fs/promises';
import type { SampleDraft } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { diskioFields, parseDiskstats, type DiskCounters } from './diskstats.js';
import { parseIoregBlockStorage } from './ioreg.js';
import { perfDiskCounters, type PerfDiskRow } from './perfdisk.js';

const DEFAULT_SCHEDULE = '0 * * * * *'; // every minute, on the minute
const COMMAND_TIMEOUT_MS = 20_000;

/** Windows PowerShell 5.1. Counters go out as decimal text so uint64 values stay exact (see perfdisk.ts for what each
 *  one is). -ErrorAction Stop: a failing WMI query fails the run instead of reading as "no disk". */
export const WINDOWS_DISKIO_SCRIPT = [
  '$rows = @(Get-CimInstance -ClassName Win32_PerfRawData_PerfDisk_LogicalDisk -ErrorAction Stop -Property Name,DiskReadsPersec,DiskWritesPersec,' +
    'DiskReadBytesPersec,DiskWriteBytesPersec,PercentDiskReadTime,PercentDiskWriteTime,PercentDiskTime,PercentIdleTime,PercentIdleTime_Base,' +
    'CurrentDiskQueueLength | ForEach-Object {',
  '  [ordered]@{ name = [string]$_.Name; reads = [string]$_.DiskReadsPersec; writes = [string]$_.DiskWritesPersec;',
  '    read_bytes = [string]$_.DiskReadBytesPersec; write_bytes = [string]$_.DiskWriteBytesPersec; read_time = [string]$_.PercentDiskReadTime;',
  '    write_time = [string]$_.PercentDiskWriteTime; disk_time = [string]$_.PercentDiskTime; idle_time = [string]$_.PercentIdleTime;',
  '    idle_base = [string]$_.PercentIdleTime_Base; queue = [string]$_.CurrentDiskQueueLength }',
  '})',
  'ConvertTo-Json -InputObject $rows -Depth 3 -Compress',
].join('\n');

/** -r: each driver as a root; -d 2: the driver and its whole-disk IOMedia only; -l: the media's properties (its BSD
 *  name); -w 0: no line truncation of the Statistics dictionary. */
export const IOREG_ARGS = ['-r', '-d', '2', '-l', '-w', '0', '-c', 'IOBlockStorageDriver'];

export interface DiskioProbeOptions {
  procRoot?: string;
  sysRoot?: string;
  platform?: NodeJS.Platform;
}

type DiskReader = (ctx: ProbeContext) => Promise<{ counters: DiskCounters; tags?: Record<string, string> }[]>;

/** Telegraf's `wwid` tag: /sys/block/<name>/wwid, present for whole disks whose driver knows a World Wide ID (NVMe,
 *  SCSI); partitions and virtual devices have none. */
async function wwid(sysRoot: string, name: string): Promise<string | undefined> {
  const text = await readFile(`${sysRoot}/block/${name}/wwid`, 'utf8').catch(() => undefined);
  const value = text?.replace(/\n$/, '');
  return value ? value : undefined;
}

const readers: Partial<Record<NodeJS.Platform, (o: DiskioProbeOptions) => DiskReader>> = {
  linux: (o) => async () => {
    const devices = parseDiskstats(await readFile(`${o.procRoot ?? '/proc'}/diskstats`, 'utf8'));
    return Promise.all(
      devices.map(async (counters) => {
        const id = await wwid(o.sysRoot ?? '/sys', counters.name);
        return { counters, ...(id ? { tags: { wwid: id } } : {}) };
      }),
    );
  },
  // Through the agent's long-lived PowerShell worker; a process of its own only without one (collect --once).
  win32: () => async (ctx) => {
    let rows: PerfDiskRow[];
    if (ctx.powershell) rows = await ctx.powershell.run<PerfDiskRow[]>(WINDOWS_DISKIO_SCRIPT, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
    else {
      const args = ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_DISKIO_SCRIPT];
      rows = JSON.parse((await ctx.runner('powershell.exe', args, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal })).stdout) as PerfDiskRow[];
    }
    if (!Array.isArray(rows)) throw new Error(`diskio: unexpected PowerShell output: ${JSON.stringify(rows).slice(0, 200)}`);
    return perfDiskCounters(rows).map((counters) => ({ counters }));
  },
  darwin: () => async (ctx) => {
    const { stdout } = await ctx.runner('ioreg', IOREG_ARGS, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
    return parseIoregBlockStorage(stdout).map((counters) => ({ counters }));
  },
};

export function createDiskioProbe(options: DiskioProbeOptions = {}): Probe {
  const platform = options.platform ?? process.platform;
  const read = readers[platform]?.(options);
  return {
    name: 'diskio',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      if (!read) throw new Error(`diskio: no reader for ${platform}`);
      const devices = await read(ctx);
      return devices.map(({ counters, tags }): SampleDraft => ({
        measurement: 'diskio',
        tags: { name: counters.name, ...tags },
        fields: diskioFields(counters),
      }));
    },
  };
}
