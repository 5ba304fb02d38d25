// Running the agent's own PowerShell scripts in a real engine (pwsh, test/helpers/pwsh.ts) with the Windows-only
// commands replaced by stub functions of the same name, whose objects are rebuilt from real captures
// (test/fixtures/windows/). Functions take precedence over cmdlets in PowerShell's command lookup
// (about_Command_Precedence), so a stub named Get-CimInstance is what the unchanged script calls.
// Every script also runs behind ps51-json-guard.ps1: its ConvertTo-Json refuses input whose JSON differs between
// Windows PowerShell 5.1 and PowerShell 7 (dates, over-deep nesting, live objects).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPowerShellWorker, type PowerShellWorker } from '../../agent/src/exec/powershell-worker.js';
import type { Logger } from '../../agent/src/base/log.js';
import type { PowerShell } from '../../agent/src/probes/probe.js';
import { pwshPath } from './pwsh.js';

/** The 5.1 ConvertTo-Json guard, as PowerShell source to put in front of a script. */
export const PS51_JSON_GUARD = readFileSync(fileURLToPath(new URL('./powershell/ps51-json-guard.ps1', import.meta.url)), 'utf8');

/** A PowerShell expression written as is (a cast, a nested object, a script block call). */
export interface PsExpr {
  readonly ps: string;
}
export const psExpr = (ps: string): PsExpr => ({ ps });

/** Typed values as the real objects carry them: CIM uint32 / uint64, dates as [datetime], enums as their numbers. */
export const psTyped = {
  int: (n: number | bigint) => psExpr(`[int]${n}`),
  uint16: (n: number | bigint) => psExpr(`[uint16]${n}`),
  uint32: (n: number | bigint) => psExpr(`[uint32]${n}`),
  int64: (n: number | bigint) => psExpr(`[long]${n}`),
  uint64: (n: number | bigint) => psExpr(`[uint64]'${n}'`),
  byte: (n: number) => psExpr(`[byte]${n}`),
  /** A [datetime] of the given kind from an ISO 8601 text (Local, as CIM and Get-WinEvent hand dates out, by default). */
  datetime: (iso: string, kind: 'Local' | 'Utc' = 'Local') =>
    psExpr(
      `[datetime]::SpecifyKind([datetime]::Parse('${iso}', [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]'${kind === 'Utc' ? 'AdjustToUniversal, AssumeUniversal' : 'None'}'), [DateTimeKind]::${kind})`,
    ),
};

/** A single-quoted PowerShell string literal (every quote character PowerShell accepts as one is doubled). */
export function psString(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** A JS value as a PowerShell expression: strings quoted, booleans $true/$false, null $null, arrays @(...), plain
 *  objects [pscustomobject]@{...} in their key order, numbers as [int] or [double] literals, PsExpr verbatim. */
export function psValue(value: unknown): string {
  if (value === null || value === undefined) return '$null';
  if (typeof value === 'string') return psString(value);
  if (typeof value === 'boolean') return value ? '$true' : '$false';
  if (typeof value === 'number') return Number.isInteger(value) ? `${value}` : `[double]${value}`;
  if (typeof value === 'bigint') return `[long]${value}`;
  if (Array.isArray(value)) return `@(${value.map(psValue).join(', ')})`;
  if (typeof value === 'object' && 'ps' in value && typeof (value as PsExpr).ps === 'string') return (value as PsExpr).ps;
  return psObject(value as Record<string, unknown>);
}

/** `[pscustomobject]@{ ... }`: a CIM instance or cmdlet object as a property bag with the captured names. */
export function psObject(props: Record<string, unknown>): string {
  const entries = Object.entries(props).map(([key, v]) => `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : psString(key)} = ${psValue(v)}`);
  return `[pscustomobject]@{ ${entries.join('; ')} }`;
}

/**
 * Get-ItemProperty over a fixed registry: `keys` maps each path to the PowerShell expression it yields (an object, or
 * `@(...)` of several: an Uninstall key's entries). Any other path writes the provider's non-terminating "Cannot find
 * path" error, as the real cmdlet does for a missing key.
 */
export function getItemPropertyStub(keys: Record<string, string>): string {
  const table = Object.entries(keys)
    .map(([path, value]) => `${psString(path)} = ${value}`)
    .join('; ');
  return `
function Get-ItemProperty {
  [CmdletBinding()]
  param([Parameter(Position = 0)][string[]]$Path, [Parameter(Position = 1)][string[]]$Name)
  $keys = @{ ${table} }
  foreach ($p in $Path) {
    if ($keys.ContainsKey($p)) { $keys[$p] } else {
      $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new([System.Management.Automation.ItemNotFoundException]::new("Cannot find path '$p' because it does not exist."), 'PathNotFound,Microsoft.PowerShell.Commands.GetItemPropertyCommand', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $p))
    }
  }
}`;
}

/** getItemPropertyStub for Uninstall keys: each path yields its entries as property bags. */
export function uninstallKeysStub(keys: Record<string, Record<string, unknown>[]>): string {
  return getItemPropertyStub(Object.fromEntries(Object.entries(keys).map(([path, entries]) => [path, `@(${entries.map((e) => psObject(e)).join(', ')})`])));
}

/**
 * New-Object with `-ComObject` answered by `cases` (the branches of a PowerShell `switch ($ComObject)`, each returning
 * its stand-in); a .NET type (`New-Object System.Text.UTF8Encoding`) goes to the real cmdlet, and any other COM class
 * throws, so a script asking for an object the test did not expect fails loudly.
 */
export function comObjectStub(cases: string): string {
  return String.raw`
function New-Object {
  [CmdletBinding(DefaultParameterSetName = 'Net')]
  param(
    [Parameter(ParameterSetName = 'Net', Mandatory = $true, Position = 0)][string]$TypeName,
    [Parameter(ParameterSetName = 'Net', Position = 1)][Alias('Args')][object[]]$ArgumentList,
    [Parameter(ParameterSetName = 'Com', Mandatory = $true, Position = 0)][string]$ComObject,
    [Parameter(ParameterSetName = 'Com')][switch]$Strict,
    [System.Collections.IDictionary]$Property
  )
  if ($PSCmdlet.ParameterSetName -ne 'Com') { return Microsoft.PowerShell.Utility\New-Object @PSBoundParameters }
  switch ($ComObject) {
${cases}
  }
  throw "stub: no COM object $ComObject"
}
`;
}

export interface StubbedPowerShell {
  /** What probes get as ctx.powershell: the real worker on pwsh, the stubs and the guard in front of each script. */
  powershell: PowerShell;
  worker: PowerShellWorker;
  /** Scripts as sent, stubs left out (for assertions on what the probe asked). */
  scripts: string[];
}

/**
 * The agent's PowerShell worker, unchanged, on a real pwsh with the worker's own arguments; each script runs with
 * `stubs` (PowerShell function definitions) and the 5.1 JSON guard defined in front of it. Stop the worker after use.
 */
export function stubbedPowerShell(stubs: string, log: Logger): StubbedPowerShell {
  const worker = createPowerShellWorker({ log, command: pwshPath() });
  const scripts: string[] = [];
  return {
    worker,
    scripts,
    powershell: {
      run: <T>(script: string, options?: { timeoutMs?: number; signal?: AbortSignal }) => {
        scripts.push(script);
        return worker.run<T>(`${PS51_JSON_GUARD}\n${stubs}\n${script}`, options);
      },
    },
  };
}
