// The diskio probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own worker).
// Get-CimInstance is a stub returning Win32_PerfRawData_PerfDisk_LogicalDisk instances with the class's CIM types
// (uint32 operation counts, uint64 byte counts and 100 ns times). No complete public capture of this class was found
// (test/fixtures/README.md, "Still documented-only"): the instances are the captured HarddiskVolume1 excerpt
// (windows_exporter issue #388) with the counters the excerpt implies put in (its PERF_AVERAGE_BASE operation counts,
// the byte numerators, the queue-length time numerators), renamed for the C: and _Total instances; the idle pair
// and the second drive's values are chosen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiskioProbe, WINDOWS_DISKIO_SCRIPT } from '../../../../agent/src/probes/diskio/diskio.js';
import { int } from '../../../../agent/src/sample.js';
import { context, fixture } from '../fixtures.js';
import {
  capturedObject,
  formatListRecords,
  sharedStubbedPowerShell,
  writeCimError,
  type CapturedType,
  type SharedStubbedPowerShell,
} from '../windows-stubs.js';

/** Win32_PerfRawData_PerfDisk_LogicalDisk's properties (Microsoft's class reference) and their CIM types; the
 *  excerpt's WMI system properties (__GENUS, __PATH, ...) are not instance properties of Get-CimInstance. */
const LOGICAL_DISK: Record<string, CapturedType> = {
  AvgDiskBytesPerRead: 'uint64',
  AvgDiskBytesPerRead_Base: 'uint32',
  AvgDiskBytesPerTransfer: 'uint64',
  AvgDiskBytesPerTransfer_Base: 'uint32',
  AvgDiskBytesPerWrite: 'uint64',
  AvgDiskBytesPerWrite_Base: 'uint32',
  AvgDiskQueueLength: 'uint64',
  AvgDiskReadQueueLength: 'uint64',
  AvgDisksecPerRead: 'uint32',
  AvgDisksecPerRead_Base: 'uint32',
  AvgDisksecPerTransfer: 'uint32',
  AvgDisksecPerTransfer_Base: 'uint32',
  AvgDisksecPerWrite: 'uint32',
  AvgDisksecPerWrite_Base: 'uint32',
  AvgDiskWriteQueueLength: 'uint64',
  Caption: 'string',
  CurrentDiskQueueLength: 'uint32',
  Description: 'string',
  DiskBytesPersec: 'uint64',
  DiskReadBytesPersec: 'uint64',
  DiskReadsPersec: 'uint32',
  DiskWriteBytesPersec: 'uint64',
  DiskWritesPersec: 'uint32',
  Name: 'string',
  PercentDiskReadTime: 'uint64',
  PercentDiskTime: 'uint64',
  PercentDiskWriteTime: 'uint64',
  PercentIdleTime: 'uint64',
  PercentIdleTime_Base: 'uint64',
};

const [EXCERPT] = formatListRecords(fixture('windows/diskio/get-wmiobject-win32-perfrawdata-perfdisk-logicaldisk-excerpt.txt')).map((r) =>
  Object.fromEntries(Object.entries(r).filter(([name]) => name in LOGICAL_DISK)),
);

/** The excerpt completed with what it implies, then the given properties put in. */
const volume = (more: Record<string, string>): Record<string, string> => ({
  ...EXCERPT!,
  Name: 'HarddiskVolume1',
  DiskReadsPersec: EXCERPT!.AvgDisksecPerRead_Base!,
  DiskWritesPersec: EXCERPT!.AvgDisksecPerWrite_Base!,
  DiskReadBytesPersec: EXCERPT!.AvgDiskBytesPerRead!,
  DiskWriteBytesPersec: EXCERPT!.AvgDiskBytesPerWrite!,
  PercentDiskReadTime: EXCERPT!.AvgDiskReadQueueLength!,
  PercentDiskWriteTime: EXCERPT!.AvgDiskWriteQueueLength!,
  PercentDiskTime: EXCERPT!.AvgDiskQueueLength!,
  PercentIdleTime: '133000000000000000',
  PercentIdleTime_Base: '133000000004600000',
  ...more,
});

const INSTANCES = [
  volume({ Name: 'C:' }),
  volume({ Name: 'D:', DiskReadBytesPersec: '5000000000123', DiskReadsPersec: '4294967295', CurrentDiskQueueLength: '3' }),
  volume({}),
  volume({ Name: '_Total' }),
];

const WMI_ERROR = 'HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand';

/** Get-CimInstance with the parameters the script passes; -Property keeps only the named properties, as a CIM
 *  query for them returns no others. */
function stub(instances: Record<string, string>[]): string {
  const objects = instances.map((i) => capturedObject(i, (name) => LOGICAL_DISK[name] ?? 'string')).join(',\n    ');
  return `
function Get-CimInstance {
  [CmdletBinding()]
  param([string]$Namespace = 'root\\cimv2', [Parameter(Position = 0)][string]$ClassName, [string]$Filter, [string[]]$Property)
  if ($ClassName -ne 'Win32_PerfRawData_PerfDisk_LogicalDisk') { ${writeCimError('Invalid class ', WMI_ERROR)}; return }
  foreach ($i in @(
    ${objects}
  )) { if ($Property) { $i | Select-Object -Property $Property } else { $i } }
}`;
}

let ps: SharedStubbedPowerShell;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
});
afterAll(() => ps.worker.stop());

const collect = (instances: Record<string, string>[]) =>
  createDiskioProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with(stub(instances)) });

describe('diskio on a real PowerShell: Win32_PerfRawData_PerfDisk_LogicalDisk through the worker', () => {
  it('drive letters only, each counter converted as its documented type says', async () => {
    const common = { writes: int(4), write_bytes: int(16384), read_time: int(463), write_time: int(3), io_time: int(460), weighted_io_time: int(467) };
    expect(await collect(INSTANCES)).toEqual([
      { measurement: 'diskio', tags: { name: 'C:' }, fields: { reads: int(1), read_bytes: int(4096), iops_in_progress: int(0), ...common } },
      {
        measurement: 'diskio',
        tags: { name: 'D:' },
        fields: { reads: int(4294967295), read_bytes: int(5000000000123), iops_in_progress: int(3), ...common },
      },
    ]);
    expect(ps.scripts.at(-1)).toBe(WINDOWS_DISKIO_SCRIPT);
  });

  it('one volume is still a JSON array; none at all is an empty one', async () => {
    expect(await ps.with(stub([volume({ Name: 'C:' })])).run(WINDOWS_DISKIO_SCRIPT)).toEqual([expect.objectContaining({ name: 'C:', reads: '1' })]);
    expect(await ps.with(stub([])).run(WINDOWS_DISKIO_SCRIPT)).toEqual([]);
    expect(await collect([])).toEqual([]);
  });

  it('uint64 values beyond 2^53 travel as exact text', async () => {
    const rows = await ps
      .with(stub([volume({ Name: 'C:', PercentIdleTime_Base: '18446744073709551615' })]))
      .run<{ idle_base: string }[]>(WINDOWS_DISKIO_SCRIPT);
    expect(rows[0]!.idle_base).toBe('18446744073709551615');
  });

  it('pwsh wrote nothing to stderr', () => {
    expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('a failing WMI query fails the run (-ErrorAction Stop) instead of reading as "no disk"', async () => {
    const broken = `function Get-CimInstance { [CmdletBinding()] param([string]$Namespace, [Parameter(Position = 0)][string]$ClassName, [string[]]$Property) ${writeCimError('Generic failure ', 'HRESULT 0x80041001,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', 'NotSpecified')} }`;
    await expect(createDiskioProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with(broken) })).rejects.toThrow(/Generic failure/);
  });
});
