// probes/raid/: this probe, the array model and summary rule (raid-array.ts) and one reader per platform: Linux /proc
// and /sys (linux-storage.ts, mdstat.ts), Windows storage management (windows-storage.ts), macOS AppleRAID
// (apple-raid.ts).
//
// raid: whether a host's disks are redundant and healthy. One `raid` point per array or pool (tags array, kind) and
// one summary point per host (no tags) whose `status` (healthy | unhealthy | none | unknown) tells "no RAID" apart from
// "cannot tell" (the rule is in raid-array.ts).
//   Linux:   /proc/mdstat, /sys (raid_class volumes, RAID controllers, virtual and SAN disks, btrfs, LVM RAID) and the
//            ZFS kstats; no process.
//   Windows: ONE PowerShell request: virtual disks, storage pools, disks and LDM partitions.
//   macOS:   one `diskutil appleRAID list`.
import type { SampleDraft } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { parseAppleRaidList } from './apple-raid.js';
import { linuxFindings } from './linux-storage.js';
import { raidSamples } from './raid-array.js';
import { WINDOWS_RAID_SCRIPT, windowsFindings, type WindowsRaidReport } from './windows-storage.js';

/** Hourly, at minute 37 (a minute no other hourly probe uses): a degraded array is urgent, but its state changes rarely
 *  and a rebuild takes hours; the central policy can make it faster. */
const DEFAULT_SCHEDULE = '0 37 * * * *';
/** Storage management queries wait for every provider (a vendor's may be slow). */
const POWERSHELL_TIMEOUT_MS = 90_000;
const COMMAND_TIMEOUT_MS = 20_000;

export interface RaidProbeOptions {
  platform?: NodeJS.Platform;
  procRoot?: string;
  sysRoot?: string;
}

type Reader = (ctx: ProbeContext) => Promise<SampleDraft[]>;

const readers: Partial<Record<NodeJS.Platform, (o: RaidProbeOptions) => Reader>> = {
  linux: (o) => async () => raidSamples(await linuxFindings({ procRoot: o.procRoot ?? '/proc', sysRoot: o.sysRoot ?? '/sys' })),
  win32: () => async (ctx) => {
    if (!ctx.powershell) throw new Error('raid: the PowerShell worker is not available');
    const report = await ctx.powershell.run<WindowsRaidReport>(WINDOWS_RAID_SCRIPT, { timeoutMs: POWERSHELL_TIMEOUT_MS, signal: ctx.signal });
    return raidSamples(windowsFindings(report));
  },
  darwin: () => async (ctx) => {
    const { stdout } = await ctx.runner('diskutil', ['appleRAID', 'list'], { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
    return raidSamples({ arrays: parseAppleRaidList(stdout), hints: [] });
  },
};

export function createRaidProbe(options: RaidProbeOptions = {}): Probe {
  const read = readers[options.platform ?? process.platform]?.(options);
  return {
    name: 'raid',
    schedule: DEFAULT_SCHEDULE,
    timeoutMs: POWERSHELL_TIMEOUT_MS + 10_000,
    async collect(ctx) {
      return read ? read(ctx) : [];
    },
  };
}
