// Stub builders for running the Windows probes' unchanged PowerShell on pwsh (test/helpers/pwsh-stubs.ts):
//   - one real worker per describe whose tests each bring their own stub functions;
//   - objects rebuilt from Format-List captures (test/fixtures/windows/) with the types the real objects carry;
//   - non-terminating errors written the way CIM cmdlets write them, so a script's -ErrorAction and
//     $ErrorActionPreference decide, as on Windows, whether they stop it.
import type { PowerShell } from '../../../agent/src/probes/probe.js';
import { psExpr, psObject, psString, psTyped, stubbedPowerShell, type PsExpr, type StubbedPowerShell } from '../../helpers/pwsh-stubs.js';
import { recordingLogger, type RecordingLogger } from '../helpers/recording-log.js';

export interface SharedStubbedPowerShell {
  worker: StubbedPowerShell['worker'];
  /** Scripts as the probes sent them, the test's stubs left out. */
  scripts: string[];
  /** ctx.powershell for one test: the shared worker, with `stubs` defined in front of each script. */
  with(stubs: string): PowerShell;
  /** What the worker logged: pwsh's stderr arrives as warnings, so a script that runs cleanly leaves none. */
  log: RecordingLogger;
}

/**
 * One real worker for a describe (a pwsh start costs about a second on the 2-core build machine). Each request runs
 * in a scope of its own, so the functions one test defines are gone for the next. Stop `worker` in afterAll.
 */
export function sharedStubbedPowerShell(): SharedStubbedPowerShell {
  const log = recordingLogger();
  const base = stubbedPowerShell('', log);
  const scripts: string[] = [];
  return {
    worker: base.worker,
    scripts,
    log,
    with: (stubs) => ({
      run: <T>(script: string, options?: { timeoutMs?: number; signal?: AbortSignal }) => {
        scripts.push(script);
        return base.powershell.run<T>(`${stubs}\n${script}`, options);
      },
    }),
  };
}

/**
 * Records of a Format-List capture: `Name : value` lines; a blank line or a name seen before in the record starts
 * the next one (some captures are pasted without the blank lines between objects). Values are trimmed.
 */
export function formatListRecords(text: string): Record<string, string>[] {
  const records: Record<string, string>[] = [];
  let current: Record<string, string> = {};
  const flush = () => {
    if (Object.keys(current).length > 0) records.push(current);
    current = {};
  };
  for (const line of text.split(/\r?\n/)) {
    const m = /^(\w+)\s*: ?(.*)$/.exec(line);
    if (!m) {
      if (line.trim() === '') flush();
      continue;
    }
    if (m[1]! in current) flush();
    current[m[1]!] = m[2]!.trim();
  }
  flush();
  return records;
}

/** The CIM / .NET types a captured property has on the real object. */
export type CapturedType = 'string' | 'bool' | 'uint8' | 'uint32' | 'uint64' | 'datetime';

/** A captured Format-List text as the typed value: '' (how Format-List shows $null) is $null; dates as local [datetime]. */
export function capturedValue(text: string, type: CapturedType): PsExpr {
  if (text === '') return psExpr('$null');
  switch (type) {
    case 'bool':
      // Format-List shows True/False; WS-Management renderings (Get-WSManInstance) true/false.
      if (!/^(true|false)$/i.test(text)) throw new Error(`not a captured boolean: ${text}`);
      return psExpr(/^true$/i.test(text) ? '$true' : '$false');
    case 'uint8':
      return psTyped.byte(Number(text));
    case 'uint32':
      return psTyped.uint32(BigInt(text));
    case 'uint64':
      return psTyped.uint64(BigInt(text));
    case 'datetime':
      // Captures show en-US dates ("5/6/2024 1:09:46 AM"), which the invariant culture reads the same way.
      return psTyped.datetime(text);
    case 'string':
      return psExpr(psString(text));
  }
}

/** A captured record as `[pscustomobject]@{...}` with its property names and order; `typeOf` types each value. */
export function capturedObject(record: Record<string, string>, typeOf: (name: string, text: string) => CapturedType): string {
  return psObject(Object.fromEntries(Object.entries(record).map(([name, text]) => [name, capturedValue(text, typeOf(name, text))])));
}

/**
 * A PowerShell statement that writes a non-terminating error as a CIM cmdlet does (a CimException in an ErrorRecord,
 * through $PSCmdlet.WriteError): it stops the script only under -ErrorAction Stop or $ErrorActionPreference = 'Stop'.
 * For use inside a stub declared with [CmdletBinding()].
 */
export function writeCimError(message: string, errorId: string, category = 'MetadataError'): string {
  return (
    `$PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(` +
    `[Microsoft.Management.Infrastructure.CimException]::new(${psString(message)}), ${psString(errorId)}, ` +
    `[System.Management.Automation.ErrorCategory]::${category}, $null))`
  );
}
