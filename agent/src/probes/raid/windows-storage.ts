// Windows: the Storage module's view of redundancy, in ONE worker request, and its mapping to RaidFindings. The
// health and operational states and what they mean are Microsoft's ("Troubleshoot Storage Spaces and Storage Spaces
// Direct health and operational states"; MSFT_VirtualDisk, MSFT_Disk):
//   - virtual disks of every storage subsystem (Get-VirtualDisk -StorageSubSystem): the "Windows Storage" / "Storage
//     Spaces" subsystem's are Storage Spaces; any other subsystem is a vendor's Storage Management Provider
//     reporting its hardware RAID volumes, with their state;
//   - non-primordial storage pools with their physical disks (a failed drive shows there first);
//   - disks (Get-Disk): a RAID controller's volume is one disk with BusType RAID (PERC, Smart Array, Intel RST,
//     ...), and Windows knows nothing of the array behind it: `unknown` unless a vendor provider reported volumes;
//     virtual and SAN disks are hints; dynamic disks (LDM partitions) may carry Windows software mirrors, not read.
import { redundantLevel, VIRTUAL_DISK, type RaidArray, type RaidFindings, type RaidHint, type RaidState } from './raid-array.js';

/** Windows PowerShell 5.1. Each part fails on its own and reports its error text. Enum-typed properties are cast to
 *  [string] (5.1's ConvertTo-Json writes enums as numbers); the parser accepts the numbers too. Get-StoragePool is
 *  filtered in the pipeline: `-IsPrimordial $false` makes the cmdlet write "No MSFT_StoragePool objects found" when
 *  there is no pool, which ErrorActionPreference Stop would turn into a failure. LDM: MBR type 0x42 or the GPT
 *  "Logical Disk Manager data" partition type. */
export const WINDOWS_RAID_SCRIPT = `
$ErrorActionPreference = 'Stop'
$r = [ordered]@{ subsystems = $null; pools = $null; spacesError = $null; disks = $null; ldm = $null; diskError = $null }
try {
  $r.subsystems = @(Get-StorageSubSystem | ForEach-Object {
    $ss = $_
    $vd = @(Get-VirtualDisk -StorageSubSystem $ss | ForEach-Object {
      [ordered]@{ name = [string]$_.FriendlyName; resiliency = [string]$_.ResiliencySettingName; health = [string]$_.HealthStatus;
        operational = @($_.OperationalStatus | ForEach-Object { [string]$_ }); detached = [string]$_.DetachedReason; redundancy = $_.PhysicalDiskRedundancy }
    })
    [ordered]@{ model = [string]$ss.Model; name = [string]$ss.FriendlyName; vd = $vd }
  })
  $r.pools = @(Get-StoragePool | Where-Object { -not $_.IsPrimordial } | ForEach-Object {
    $pd = @(Get-PhysicalDisk -StoragePool $_)
    [ordered]@{ name = [string]$_.FriendlyName; health = [string]$_.HealthStatus; operational = @($_.OperationalStatus | ForEach-Object { [string]$_ }); readonly = [string]$_.ReadOnlyReason;
      disks = $pd.Count; unhealthy = @($pd | Where-Object { [string]$_.HealthStatus -ne 'Healthy' -and [string]$_.HealthStatus -ne '0' }).Count }
  })
} catch { $r.spacesError = [string]$_.Exception.Message }
try {
  $r.disks = @(Get-Disk | ForEach-Object { [ordered]@{ number = [int]$_.Number; name = [string]$_.FriendlyName; bus = [string]$_.BusType } })
  $r.ldm = @(Get-Partition | Where-Object { [int]$_.MbrType -eq 66 -or [string]$_.GptType -eq '{af9b60a0-1431-4f62-bc68-3311714a69ad}' } | ForEach-Object { [int]$_.DiskNumber } | Sort-Object -Unique)
} catch { $r.diskError = [string]$_.Exception.Message }
[pscustomobject]$r | ConvertTo-Json -Depth 6 -Compress
`;

export interface WindowsVirtualDisk {
  name?: unknown;
  resiliency?: unknown;
  health?: unknown;
  operational?: unknown;
  detached?: unknown;
  redundancy?: unknown;
}

export interface WindowsRaidReport {
  subsystems?: { model?: unknown; name?: unknown; vd?: WindowsVirtualDisk | WindowsVirtualDisk[] | null }[] | null;
  pools?: { name?: unknown; health?: unknown; operational?: unknown; readonly?: unknown; disks?: unknown; unhealthy?: unknown }[] | null;
  spacesError?: string | null;
  disks?: { number?: unknown; name?: unknown; bus?: unknown }[] | null;
  ldm?: number | number[] | null;
  diskError?: string | null;
}

/** HealthStatus (MSFT_VirtualDisk, MSFT_StoragePool, MSFT_PhysicalDisk) by number. */
const HEALTH = ['healthy', 'warning', 'unhealthy', undefined, undefined, 'unknown'];
/** OperationalStatus values by number (MSFT_VirtualDisk; the pool and disk classes share the low ones). */
// prettier-ignore
const OPERATIONAL: Record<number, string> = {
  0: 'Unknown', 1: 'Other', 2: 'OK', 3: 'Degraded', 4: 'Stressed', 5: 'Predictive Failure', 6: 'Error', 7: 'Non-Recoverable Error', 8: 'Starting',
  9: 'Stopping', 10: 'Stopped', 11: 'In Service', 12: 'No Contact', 13: 'Lost Communication', 14: 'Aborted', 15: 'Dormant',
  16: 'Supporting Entity in Error', 17: 'Completed', 18: 'Power Mode', 19: 'Relocating', 0xd002: 'Detached', 0xd003: 'Incomplete',
};
const DETACHED = ['Unknown', 'None', 'By Policy', 'Majority Disks Unhealthy', 'Incomplete'];
/** MSFT_Disk BusType: 6 Fibre Channel, 8 RAID, 9 iSCSI, 14 Virtual, 15 File Backed Virtual, 16 Storage Spaces. */
const BUS: Record<string, string> = { 6: 'Fibre Channel', 8: 'RAID', 9: 'iSCSI', 14: 'Virtual', 15: 'File Backed Virtual', 16: 'Spaces' };

const asList = <T>(v: T | T[] | null | undefined): T[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const key = (s: string): string => s.toLowerCase().replace(/[\s_-]/g, '');
const numeric = (s: string): number | undefined => (/^\d+$/.test(s) ? Number(s) : undefined);

function healthOf(v: unknown): string {
  const t = text(v);
  const n = numeric(t);
  return n !== undefined ? (HEALTH[n] ?? 'unknown') : key(t) || 'unknown';
}

function operationalOf(v: unknown): string[] {
  return asList(v as unknown[]).map((s) => {
    const t = text(s);
    const n = numeric(t);
    return n !== undefined ? (OPERATIONAL[n] ?? t) : t;
  });
}

const detachedOf = (v: unknown): string => {
  const t = text(v);
  const n = numeric(t);
  return n !== undefined ? (DETACHED[n] ?? t) : t;
};

function virtualDiskState(health: string, ops: string[], detached: string): RaidState {
  const has = (s: string) => ops.some((o) => key(o) === key(s));
  if (health === 'healthy') return 'ok';
  if (health === 'warning') return has('In Service') ? 'rebuilding' : 'degraded';
  if (health === 'unhealthy') return 'failed';
  // Unknown: detached. Too many failed disks or not enough present is a failure; detached by policy (an
  // administrator's choice or manual attach) or after a timeout says nothing about the disks.
  if (has('Detached') && /majority disks unhealthy|incomplete/i.test(detached)) return 'failed';
  return 'unknown';
}

function virtualDisk(vd: WindowsVirtualDisk, kind: 'storage_spaces' | 'hardware', subsystem: string): RaidArray {
  const health = healthOf(vd.health);
  const ops = operationalOf(vd.operational);
  const detached = detachedOf(vd.detached);
  const level = text(vd.resiliency);
  const tolerance = typeof vd.redundancy === 'number' ? vd.redundancy : numeric(text(vd.redundancy));
  const redundant = tolerance !== undefined ? tolerance > 0 : redundantLevel(level);
  const state = virtualDiskState(health, ops, detached);
  const shownDetached = detached && !/^(none|unknown)?$/i.test(detached) ? ` (${detached})` : '';
  return {
    name: text(vd.name) || '(unnamed)',
    kind,
    state,
    osState: `${text(vd.health) || 'Unknown'}/${ops.join(',')}${shownDetached}`,
    ...(level ? { level } : {}),
    ...(redundant === undefined ? {} : { redundant }),
    ...(kind === 'hardware' ? { model: subsystem } : {}),
    ...(state === 'unknown' ? { detail: `health ${text(vd.health) || 'unknown'}${shownDetached}` } : {}),
  };
}

function pool(p: NonNullable<WindowsRaidReport['pools']>[number]): RaidArray {
  const health = healthOf(p.health);
  const readonly = text(p.readonly);
  // Unknown/Unhealthy pools are read-only: "Incomplete" means the pool lost its quorum (most drives failed or
  // missing); "Policy" is an administrator's setting and "Starting" a passing state.
  const state: RaidState =
    health === 'healthy' ? 'ok' : health === 'warning' ? 'degraded' : health === 'unhealthy' || /incomplete/i.test(readonly) ? 'failed' : 'unknown';
  const disks = typeof p.disks === 'number' ? p.disks : undefined;
  const unhealthy = typeof p.unhealthy === 'number' ? p.unhealthy : undefined;
  return {
    name: text(p.name) || '(unnamed pool)',
    kind: 'storage_pool',
    state,
    osState: `${text(p.health) || 'Unknown'}/${operationalOf(p.operational).join(',')}${readonly && !/^(none|0)$/i.test(readonly) ? ` (read-only: ${readonly})` : ''}`,
    ...(disks === undefined ? {} : { members: disks }),
    ...(disks !== undefined && unhealthy !== undefined ? { activeMembers: disks - unhealthy, failedMembers: unhealthy } : {}),
    ...(state === 'unknown' ? { detail: `health ${text(p.health) || 'unknown'}` } : {}),
  };
}

/** Pure: the script's report -> arrays and hints. */
export function windowsFindings(report: WindowsRaidReport): RaidFindings {
  if (report === null || typeof report !== 'object') throw new Error(`raid: unexpected PowerShell output: ${JSON.stringify(report)?.slice(0, 200)}`);
  const arrays: RaidArray[] = [];
  const hints: RaidHint[] = [];
  let vendorVolumes = 0;
  for (const ss of asList(report.subsystems)) {
    const model = text(ss.model);
    const spaces = /storage spaces|windows storage/i.test(model) || /storage spaces|windows storage/i.test(text(ss.name));
    for (const vd of asList(ss.vd)) {
      arrays.push(virtualDisk(vd, spaces ? 'storage_spaces' : 'hardware', model || text(ss.name)));
      if (!spaces) vendorVolumes++;
    }
  }
  arrays.push(...asList(report.pools).map(pool));
  if (report.spacesError) hints.push({ effect: 'incomplete', reason: `Storage Spaces query failed: ${report.spacesError}` });
  for (const disk of asList(report.disks)) {
    const bus = BUS[text(disk.bus)] ?? text(disk.bus);
    const name = `disk${text(disk.number)}`;
    const model = text(disk.name);
    if (key(bus) === 'raid' && vendorVolumes === 0) {
      arrays.push({
        name,
        kind: 'hardware',
        state: 'unknown',
        model,
        detail: 'a RAID controller volume (BusType RAID); Windows sees one disk and no array state',
      });
    } else if (key(bus) === 'virtual' || key(bus) === 'filebackedvirtual' || VIRTUAL_DISK.test(model)) {
      hints.push({ effect: 'hidden', reason: `${name}: virtual disk (${model || bus}); the hypervisor's storage redundancy is not visible from the guest` });
    } else if (key(bus) === 'iscsi' || key(bus) === 'fibrechannel') {
      hints.push({ effect: 'hidden', reason: `${name}: external storage (${bus}); its redundancy is the storage system's` });
    }
  }
  const ldm = asList(report.ldm);
  if (ldm.length > 0)
    hints.push({ effect: 'hidden', reason: `dynamic disks (${ldm.map((n) => `disk${n}`).join(', ')}): Windows software RAID volumes on them are not read` });
  if (report.diskError) hints.push({ effect: 'incomplete', reason: `disk query failed: ${report.diskError}` });
  return { arrays, hints };
}
