// Get-CimInstance for the raw PerfOS performance classes the processes and kernel probes query, on pwsh: the System
// object rebuilt from the two real Checkmk captures of Win32_PerfRawData_PerfOS_System (test/fixtures/windows/perfos/,
// one header row and one value row each) with the class's MOF types, and Processor instances whose InterruptsPersec
// values are chosen (no capture of that class was found: see test/fixtures/README.md).
import { psExpr, psObject, psTyped, type PsExpr } from '../../../helpers/pwsh-stubs.js';
import { fixture } from '../fixtures.js';
import { writeCimError } from '../windows-stubs.js';

/** Win32_PerfRawData_PerfOS_System's uint64 properties (its MOF); the other numbers are uint32, the rest strings. */
const UINT64 = /^(File(Control|Read|Write)BytesPersec|Frequency_.*|Timestamp_.*|SystemUpTime)$/;
const STRINGS = new Set(['Caption', 'Description', 'Name']);

/** The capture's values as the CIM instance carries them. Checkmk's agent prints uint32 values as signed 32-bit
 *  numbers ("-1" for 4294967295), so a negative one is turned back into its uint32. */
export function perfOsSystem(capture: string): Record<string, string | PsExpr> {
  const [header, values] = fixture(`windows/perfos/${capture}`)
    .trim()
    .split('\n')
    .map((line) => line.split(','));
  return Object.fromEntries(
    header!.map((name, i) => {
      const text = values![i] ?? '';
      if (STRINGS.has(name)) return [name, text === '' ? psExpr('$null') : text];
      if (UINT64.test(name)) return [name, psTyped.uint64(BigInt(text))];
      const n = BigInt(text);
      return [name, psTyped.uint32(n < 0n ? n + 2n ** 32n : n)];
    }),
  );
}

export const XPS15 = 'win32-perfrawdata-perfos-system-checkmk-xps15.csv';
export const SERVER = 'win32-perfrawdata-perfos-system-checkmk-server.csv';

/** Processor instances (Name and InterruptsPersec only; chosen values, uint32). */
export const processors = (interrupts: Record<string, number>) =>
  Object.entries(interrupts).map(([Name, n]) => ({ Name, InterruptsPersec: psTyped.uint32(n) }));

const WMI_ERROR = 'HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand';

/**
 * Get-CimInstance with the real cmdlet's parameters the scripts use: the System object for its class, the Processor
 * instances selected by a `Name='x'` filter, an "Invalid class" CIM error for any other class.
 */
export function perfOsStub(system: Record<string, unknown>, cpus: Record<string, unknown>[] = []): string {
  return `
function Get-CimInstance {
  [CmdletBinding()]
  param([string]$Namespace = 'root\\cimv2', [Parameter(Position = 0)][string]$ClassName, [string]$Filter, [string[]]$Property)
  if ($ClassName -eq 'Win32_PerfRawData_PerfOS_System') { return ${psObject(system)} }
  if ($ClassName -ne 'Win32_PerfRawData_PerfOS_Processor') { ${writeCimError('Invalid class ', WMI_ERROR)}; return }
  $name = $null
  if ($Filter) {
    if ($Filter -notmatch "^\\s*Name\\s*=\\s*'([^']*)'\\s*$") { ${writeCimError('Invalid query ', WMI_ERROR)}; return }
    $name = $Matches[1]
  }
  foreach ($cpu in @(${cpus.map((c) => psObject(c)).join(', ')})) { if ($null -eq $name -or $cpu.Name -eq $name) { $cpu } }
}`;
}

/** A Get-CimInstance that fails every query as a broken WMI repository does. */
export const brokenCim = `function Get-CimInstance { [CmdletBinding()] param([string]$Namespace, [Parameter(Position = 0)][string]$ClassName, [string]$Filter) ${writeCimError(
  'Generic failure ',
  'HRESULT 0x80041001,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand',
  'NotSpecified',
)} }`;
