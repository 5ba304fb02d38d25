// The raid probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own worker) with
// the Storage module's cmdlets stubbed (test/helpers/pwsh-stubs.ts, ../windows-stubs.ts).
// The virtual disks and the pool are Microsoft's documented samples (test/fixtures/windows/raid/, from "Troubleshoot
// Storage Spaces and Storage Spaces Direct health and operational states": Volume1 Unknown/Detached/By Policy, Volume2
// Warning/{Degraded, Incomplete}/None, a pool Unknown/Read-only). What those tables do not show is chosen and not a
// capture: resiliency settings, PhysicalDiskRedundancy, the pool's ReadOnlyReason and physical disks, the subsystems'
// names (Windows Storage on HOST), the disks of Get-Disk and the partitions. Enum properties come both as the names
// the Storage module shows and as the raw CIM numbers (MSFT_VirtualDisk's documented values), and the parser must
// read both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRaidProbe } from '../../../../agent/src/probes/raid/raid.js';
import { WINDOWS_RAID_SCRIPT, windowsFindings, type WindowsRaidReport } from '../../../../agent/src/probes/raid/windows-storage.js';
import type { SampleDraft } from '../../../../agent/src/sample.js';
import { psObject, psTyped, psValue, type PsExpr } from '../../../helpers/pwsh-stubs.js';
import { context, fixture } from '../fixtures.js';
import { sharedStubbedPowerShell, writeCimError, type SharedStubbedPowerShell } from '../windows-stubs.js';

/** Rows of a Format-Table capture: columns cut at the header's dashes. */
function tableRows(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const dashes = lines[1]!;
  const columns: [number, number][] = [];
  for (const m of dashes.matchAll(/-+/g)) columns.push([m.index!, m.index! + m[0].length]);
  const cell = (line: string, i: number) => line.slice(columns[i]![0], i + 1 < columns.length ? columns[i + 1]![0] : undefined).trim();
  const names = columns.map((_, i) => cell(lines[0]!, i));
  return lines.slice(2).map((line) => Object.fromEntries(names.map((n, i) => [n, cell(line, i)])));
}

const [VOLUME1, VOLUME2] = tableRows(fixture('windows/raid/get-virtualdisk-detached-degraded-docs.txt'));
const [S2D_POOL] = tableRows(fixture('windows/raid/get-storagepool-readonly-docs.txt'));
/** "{Degraded, Incomplete}" as Format-Table shows an array -> the array. */
const states = (text: string) => psValue(text.replace(/^\{|\}$/g, '').split(/,\s*/));

type Props = Record<string, unknown>;
interface Storage {
  subsystems: { props: Props; vd: Props[] }[];
  pools?: { props: Props; disks: Props[] }[];
  disks?: Props[];
  partitions?: Props[];
  failSubsystems?: boolean;
}

const SPACES: Props = { FriendlyName: 'Windows Storage on HOST', Model: 'Windows Storage' };
const PRIMORDIAL = { props: { FriendlyName: 'Primordial', IsPrimordial: true, HealthStatus: 'Healthy', OperationalStatus: ['OK'] }, disks: [] };
const healthyDisk: Props = { FriendlyName: 'ATA ST4000NM0035', HealthStatus: 'Healthy' };
const BOOT_DISK: Props = { Number: psTyped.uint32(0), FriendlyName: 'ATA SAMSUNG MZ7LH480', BusType: 'SATA' };

/** The Storage cmdlets the script calls, over `storage`; each answers only its own parameters, as the real ones. */
function stubs(storage: Storage): string {
  const table = (rows: Props[]) => `@(${rows.map((r) => psObject(r)).join(', ')})`;
  const subsystems = storage.subsystems.map((s) => `@{ ss = ${psObject(s.props)}; vd = ${table(s.vd)} }`).join(', ');
  const pools = [PRIMORDIAL, ...(storage.pools ?? [])].map((p) => `@{ pool = ${psObject(p.props)}; disks = ${table(p.disks)} }`).join(', ');
  return `
$script:subsystems = @(${subsystems})
$script:pools = @(${pools})
function Get-StorageSubSystem {
  [CmdletBinding()] param()
  ${storage.failSubsystems ? writeCimError('Access denied ', 'MI RESULT 2,Get-StorageSubSystem', 'PermissionDenied') : ''}
  foreach ($s in $script:subsystems) { $s.ss }
}
function Get-VirtualDisk {
  [CmdletBinding()] param([Parameter(Mandatory)]$StorageSubSystem)
  foreach ($s in $script:subsystems) { if ($s.ss.FriendlyName -eq $StorageSubSystem.FriendlyName) { $s.vd } }
}
function Get-StoragePool { [CmdletBinding()] param() foreach ($p in $script:pools) { $p.pool } }
function Get-PhysicalDisk {
  [CmdletBinding()] param([Parameter(Mandatory)]$StoragePool)
  foreach ($p in $script:pools) { if ($p.pool.FriendlyName -eq $StoragePool.FriendlyName) { $p.disks } }
}
function Get-Disk { [CmdletBinding()] param() ${table(storage.disks ?? [BOOT_DISK])} }
function Get-Partition { [CmdletBinding()] param() ${table(storage.partitions ?? [])} }`;
}

const vd = (row: Record<string, string>, more: Props = {}): Props => ({
  FriendlyName: row.FriendlyName,
  HealthStatus: row.HealthStatus,
  OperationalStatus: { ps: states(row.OperationalStatus!) } as PsExpr,
  DetachedReason: row.DetachedReason,
  ...more,
});

let ps: SharedStubbedPowerShell;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
});
afterAll(() => ps.worker.stop());

const report = (storage: Storage) => ps.with(stubs(storage)).run<WindowsRaidReport>(WINDOWS_RAID_SCRIPT);
const collect = (storage: Storage) => createRaidProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with(stubs(storage)) });
const summary = (samples: SampleDraft[]) => samples.find((s) => !s.tags)!.fields;
const arrays = (samples: SampleDraft[]) => samples.filter((s) => s.tags).map((s) => [s.tags!.array, s.tags!.kind, s.fields.state, s.fields.os_state]);

describe('raid on a real PowerShell: Storage Spaces, pools, RAID controller disks', () => {
  it("Microsoft's documented states: a detached (by policy) and a degraded/incomplete space, a read-only pool", async () => {
    const storage: Storage = {
      subsystems: [
        {
          props: SPACES,
          vd: [
            vd(VOLUME1!, { ResiliencySettingName: 'Mirror', PhysicalDiskRedundancy: psTyped.uint16(1) }),
            vd(VOLUME2!, { ResiliencySettingName: 'Mirror', PhysicalDiskRedundancy: psTyped.uint16(1) }),
          ],
        },
      ],
      pools: [
        {
          props: {
            FriendlyName: S2D_POOL!.FriendlyName,
            IsPrimordial: false,
            HealthStatus: S2D_POOL!.HealthStatus,
            OperationalStatus: [S2D_POOL!.OperationalStatus],
            ReadOnlyReason: 'Incomplete',
          },
          disks: [healthyDisk, { FriendlyName: 'ATA ST4000NM0035', HealthStatus: 'Warning' }, healthyDisk],
        },
      ],
    };
    expect(await report(storage)).toEqual({
      subsystems: [
        {
          model: 'Windows Storage',
          name: 'Windows Storage on HOST',
          vd: [
            { name: 'Volume1', resiliency: 'Mirror', health: 'Unknown', operational: ['Detached'], detached: 'By Policy', redundancy: 1 },
            { name: 'Volume2', resiliency: 'Mirror', health: 'Warning', operational: ['Degraded', 'Incomplete'], detached: 'None', redundancy: 1 },
          ],
        },
      ],
      pools: [{ name: 'S2D on StorageSpacesDirect1', health: 'Unknown', operational: ['Read-only'], readonly: 'Incomplete', disks: 3, unhealthy: 1 }],
      spacesError: null,
      disks: [{ number: 0, name: 'ATA SAMSUNG MZ7LH480', bus: 'SATA' }],
      ldm: [],
      diskError: null,
    });
    const samples = await collect(storage);
    expect(arrays(samples)).toEqual([
      ['Volume1', 'storage_spaces', 'unknown', 'Unknown/Detached (By Policy)'],
      ['Volume2', 'storage_spaces', 'degraded', 'Warning/Degraded,Incomplete'],
      ['S2D on StorageSpacesDirect1', 'storage_pool', 'failed', 'Unknown/Read-only (read-only: Incomplete)'],
    ]);
    expect(samples[2]!.fields).toMatchObject({ members: expect.objectContaining({ value: 3 }), failed_members: expect.objectContaining({ value: 1 }) });
    expect(summary(samples)).toMatchObject({ status: 'unhealthy', reason: 'Volume2 degraded; S2D on StorageSpacesDirect1 failed' });
    expect(ps.scripts.at(-1)).toBe(WINDOWS_RAID_SCRIPT);
  });

  it('raw CIM numbers: Warning + In Service is a repair (rebuilding), Detached for Majority Disks Unhealthy is failed', async () => {
    const storage: Storage = {
      subsystems: [
        {
          props: SPACES,
          vd: [
            {
              FriendlyName: 'Data',
              HealthStatus: psTyped.uint16(1),
              OperationalStatus: [psTyped.uint16(11)],
              ResiliencySettingName: 'Parity',
              PhysicalDiskRedundancy: psTyped.uint16(1),
            },
            {
              FriendlyName: 'Archive',
              HealthStatus: psTyped.uint16(5),
              OperationalStatus: [psTyped.uint16(0xd002)],
              DetachedReason: psTyped.uint16(3),
              ResiliencySettingName: 'Simple',
            },
          ],
        },
      ],
    };
    const samples = await collect(storage);
    expect(arrays(samples)).toEqual([
      ['Data', 'storage_spaces', 'rebuilding', '1/In Service'],
      ['Archive', 'storage_spaces', 'failed', '5/Detached (Majority Disks Unhealthy)'],
    ]);
    expect(samples[1]!.fields).toMatchObject({ level: 'Simple', redundant: false });
  });

  it('healthy two-way mirror: healthy; the Storage Spaces disk itself (BusType Spaces) is no hardware RAID', async () => {
    const storage: Storage = {
      subsystems: [
        {
          props: SPACES,
          vd: [
            {
              FriendlyName: 'Mirror1',
              HealthStatus: 'Healthy',
              OperationalStatus: ['OK'],
              ResiliencySettingName: 'Mirror',
              PhysicalDiskRedundancy: psTyped.uint16(1),
            },
          ],
        },
      ],
      pools: [
        {
          props: { FriendlyName: 'Pool1', IsPrimordial: false, HealthStatus: 'Healthy', OperationalStatus: ['OK'], ReadOnlyReason: 'None' },
          disks: [healthyDisk, healthyDisk],
        },
      ],
      disks: [BOOT_DISK, { Number: psTyped.uint32(1), FriendlyName: 'Mirror1', BusType: 'Spaces' }],
    };
    const samples = await collect(storage);
    expect(arrays(samples)).toEqual([
      ['Mirror1', 'storage_spaces', 'ok', 'Healthy/OK'],
      ['Pool1', 'storage_pool', 'ok', 'Healthy/OK'],
    ]);
    expect(summary(samples)).toMatchObject({ status: 'healthy', arrays: expect.objectContaining({ value: 1 }), reason: 'redundant: Mirror1 (Mirror)' });
  });

  it('a RAID controller volume (BusType RAID, as a name or as the number 8): unknown, one point per disk', async () => {
    const storage: Storage = {
      subsystems: [{ props: SPACES, vd: [] }],
      disks: [
        { Number: psTyped.uint32(0), FriendlyName: 'HP LOGICAL VOLUME', BusType: 'RAID' },
        { Number: psTyped.uint32(1), FriendlyName: 'Intel Raid 1 Volume', BusType: psTyped.uint16(8) },
      ],
    };
    const samples = await collect(storage);
    expect(samples.filter((s) => s.tags)).toEqual(
      ['disk0 HP LOGICAL VOLUME', 'disk1 Intel Raid 1 Volume'].map((d) => ({
        measurement: 'raid',
        tags: { array: d.split(' ')[0], kind: 'hardware' },
        fields: {
          state: 'unknown',
          model: d.slice(d.indexOf(' ') + 1),
          detail: 'a RAID controller volume (BusType RAID); Windows sees one disk and no array state',
        },
      })),
    );
    expect(summary(samples)).toMatchObject({ status: 'unknown' });
  });

  it("a vendor's storage provider reports its volumes with their state: those, not the unknown disk", async () => {
    const storage: Storage = {
      subsystems: [
        { props: SPACES, vd: [] },
        {
          props: { FriendlyName: 'Vendor RAID on HOST', Model: 'Vendor RAID Controller' },
          vd: [{ FriendlyName: 'VD0', HealthStatus: 'Healthy', OperationalStatus: ['OK'], ResiliencySettingName: 'RAID 1' }],
        },
      ],
      disks: [{ Number: psTyped.uint32(0), FriendlyName: 'VENDOR VD0', BusType: 'RAID' }],
    };
    const samples = await collect(storage);
    expect(samples.filter((s) => s.tags)).toEqual([
      {
        measurement: 'raid',
        tags: { array: 'VD0', kind: 'hardware' },
        fields: { state: 'ok', healthy: true, redundant: true, level: 'RAID 1', os_state: 'Healthy/OK', model: 'Vendor RAID Controller' },
      },
    ]);
    expect(summary(samples)).toMatchObject({ status: 'healthy' });
  });

  it('a Hyper-V guest (virtual disk) with a dynamic disk: cannot tell, both named in the reason', async () => {
    const storage: Storage = {
      subsystems: [{ props: SPACES, vd: [] }],
      disks: [
        { Number: psTyped.uint32(0), FriendlyName: 'Msft Virtual Disk', BusType: 'SAS' },
        { Number: psTyped.uint32(1), FriendlyName: 'ATA ST4000NM0035', BusType: 'SATA' },
      ],
      partitions: [
        { DiskNumber: psTyped.uint32(1), MbrType: psTyped.uint16(66), GptType: null },
        { DiskNumber: psTyped.uint32(0), MbrType: psTyped.uint16(7), GptType: null },
      ],
    };
    const fields = summary(await collect(storage));
    expect(fields.status).toBe('unknown');
    expect(fields.reason).toBe(
      "disk0: virtual disk (Msft Virtual Disk); the hypervisor's storage redundancy is not visible from the guest; dynamic disks (disk1): Windows software RAID volumes on them are not read",
    );
  });

  it('plain SATA disks, no space, no pool beside the primordial one: none', async () => {
    const samples = await collect({ subsystems: [{ props: SPACES, vd: [] }] });
    expect(samples).toHaveLength(1);
    expect(summary(samples)).toMatchObject({ status: 'none', reason: 'no array' });
  });

  it('a failing storage query is reported, not read as "no RAID"', async () => {
    const samples = await collect({ subsystems: [{ props: SPACES, vd: [] }], failSubsystems: true });
    expect(summary(samples)).toMatchObject({ status: 'unknown', reason: 'Storage Spaces query failed: Access denied ' });
  });

  it('pwsh wrote nothing to stderr', () => {
    expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });
});

describe('the Windows report parser', () => {
  it('refuses output that is no report', () => {
    expect(() => windowsFindings('oops' as unknown as WindowsRaidReport)).toThrow(/unexpected PowerShell output/);
  });
});
