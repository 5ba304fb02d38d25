// The swap probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own worker).
// Get-CimInstance is a stub: Win32_PageFileUsage instances rebuilt from two real Format-List captures (uint32 sizes
// in MB), and a Win32_PerfRawData_PerfOS_Memory instance whose page counters are chosen (no public capture of the
// raw class was found: test/fixtures/README.md, "Still documented-only"). [Environment]::SystemPageSize is the real
// .NET property of the engine (4096 on this machine, as on x64 and arm64 Windows).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSwapProbe, WINDOWS_SWAP_SCRIPT } from '../../../../agent/src/probes/swap/swap.js';
import { int } from '../../../../agent/src/sample.js';
import { psObject, psTyped } from '../../../helpers/pwsh-stubs.js';
import { context, fixture } from '../fixtures.js';
import {
  capturedObject,
  formatListRecords,
  sharedStubbedPowerShell,
  writeCimError,
  type CapturedType,
  type SharedStubbedPowerShell,
} from '../windows-stubs.js';

const PAGE_FILE: Record<string, CapturedType> = { Name: 'string', AllocatedBaseSize: 'uint32', CurrentUsage: 'uint32', PeakUsage: 'uint32' };
const pageFiles = (capture: string) =>
  formatListRecords(fixture(`windows/swap/${capture}`)).map((r) => capturedObject(r, (name) => PAGE_FILE[name] ?? 'string'));
const SMALL = pageFiles('get-ciminstance-win32-pagefileusage-2gb.txt');
const LARGE = pageFiles('get-ciminstance-win32-pagefileusage-32gb.txt');
const MEMORY = psObject({
  Name: '',
  PagesInputPersec: psTyped.uint32(123456),
  PagesOutputPersec: psTyped.uint32(4294967295),
  PageFaultsPersec: psTyped.uint32(9),
});
const MIB = 1024 * 1024;

const WMI_ERROR = 'HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand';
function stub(files: string[], memory = MEMORY): string {
  return `
function Get-CimInstance {
  [CmdletBinding()]
  param([string]$Namespace = 'root\\cimv2', [Parameter(Position = 0)][string]$ClassName, [string]$Filter, [string[]]$Property)
  switch ($ClassName) {
    'Win32_PageFileUsage' { ${files.join('; ') || '@()'} }
    'Win32_PerfRawData_PerfOS_Memory' { ${memory} }
    default { ${writeCimError('Invalid class ', WMI_ERROR)} }
  }
}`;
}

let ps: SharedStubbedPowerShell;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
});
afterAll(() => ps.worker.stop());

const collect = (files: string[]) => createSwapProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with(stub(files)) });

describe('swap on a real PowerShell: Win32_PageFileUsage and the Memory counters through the worker', () => {
  it('one page file (2 GB, 42 MB in use): sizes in bytes, the page counters times the real page size', async () => {
    expect(await collect(SMALL)).toEqual([
      {
        measurement: 'swap',
        fields: {
          total: int(2048 * MIB),
          used: int(42 * MIB),
          free: int((2048 - 42) * MIB),
          used_percent: (100 * 42) / 2048,
          in: int(123456 * 4096),
          out: int(4294967295 * 4096),
        },
      },
    ]);
    expect(ps.scripts.at(-1)).toBe(WINDOWS_SWAP_SCRIPT);
  });

  it('two page files are summed; none at all is a JSON array too (zeros, not a failure)', async () => {
    const [both] = await collect([...SMALL, ...LARGE]);
    expect(both!.fields).toMatchObject({ total: int((2048 + 32247) * MIB), used: int((42 + 4596) * MIB) });
    expect(await ps.with(stub([])).run(WINDOWS_SWAP_SCRIPT)).toMatchObject({ files: [], page_size: '4096' });
    const [none] = await collect([]);
    expect(none!.fields).toMatchObject({ total: int(0), used: int(0), free: int(0), used_percent: 0 });
  });

  it('pwsh wrote nothing to stderr', () => {
    expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('a failing WMI query fails the run (-ErrorAction Stop)', async () => {
    const broken = stub(
      SMALL,
      writeCimError('Generic failure ', 'HRESULT 0x80041001,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', 'NotSpecified'),
    );
    await expect(createSwapProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with(broken) })).rejects.toThrow(/Generic failure/);
  });
});
