// Microsoft Defender Antivirus' two fixed actions: a security intelligence (signature) update and a quick scan. Nothing
// else is driven: the collector chooses only WHICH of the two (validateDefenderAction), no parameter reaches the
// script, and third-party antivirus products are never driven at all (each has its own console and policy; the agent
// only reports them, probes/antivirus/). Each action runs in a powershell.exe of its own (exec/powershell-process.ts):
// a quick scan takes minutes to an hour on a busy disk, and must be killable at its bound without the shared worker.
import { runPowerShellProcess } from '../../exec/powershell-process.js';
import type { Runner } from '../../exec/runner.js';
import { int, type FieldValue, type SampleDraft } from '../../sample.js';

export type DefenderAction = 'signature_update' | 'quick_scan';
export const DEFENDER_PRODUCT = 'Microsoft Defender Antivirus';

/** The one cmdlet line per action; the script around it is fixed. Update-MpSignature uses the update sources the
 *  machine's policy configures (WSUS, Microsoft Update, the MMPC), in their order. */
const COMMANDS: Readonly<Record<DefenderAction, string>> = {
  signature_update: 'Update-MpSignature',
  quick_scan: 'Start-MpScan -ScanType QuickScan',
};
/** Bounds per action, also cut to the caller's deadline. */
export const DEFENDER_TIMEOUTS_MS: Readonly<Record<DefenderAction, number>> = { signature_update: 10 * 60_000, quick_scan: 60 * 60_000 };

/** The action named by the collector, or an error: only the two names, nothing else. */
export function validateDefenderAction(input: unknown): DefenderAction {
  if (input === 'signature_update' || input === 'quick_scan') return input;
  throw new Error(`defender action: expected signature_update or quick_scan; got ${JSON.stringify(String(input).slice(0, 40))}`);
}

/**
 * PowerShell 5.1: the action, then Get-MpComputerStatus whether it worked or not (the status says what the machine has
 * now). Dates leave as unix seconds computed by hand (as the antivirus probe does: DateTimeOffset.ToUnixTimeSeconds
 * needs .NET 4.6); the CIM dates arrive as local [datetime], which [DateTimeOffset] reads as local.
 */
export function defenderScript(action: DefenderAction): string {
  return `
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
function Get-HResult($e) { while ($e.InnerException) { $e = $e.InnerException }; [int]$e.HResult }
function Get-Unix($d) { if ($d -is [datetime] -and $d.Year -ge 2000) { [long][Math]::Floor(([DateTimeOffset]$d).UtcDateTime.Subtract([datetime]'1970-01-01').TotalSeconds) } else { $null } }
$out = [ordered]@{ error = $null; hresult = $null; status = $null; statusError = $null }
try { ${COMMANDS[action]} | Out-Null } catch { $out.error = [string]$_.Exception.Message; $out.hresult = Get-HResult $_.Exception }
try {
  $s = Get-MpComputerStatus
  $out.status = [ordered]@{
    AntivirusSignatureVersion = [string]$s.AntivirusSignatureVersion
    AntivirusSignatureLastUpdated = Get-Unix $s.AntivirusSignatureLastUpdated
    QuickScanEndTime = Get-Unix $s.QuickScanEndTime
    QuickScanAge = $(if ($s.QuickScanAge -ne $null) { [long]$s.QuickScanAge } else { $null })
  }
} catch { $out.statusError = [string]$_.Exception.Message }
[pscustomobject]$out | ConvertTo-Json -Depth 3 -Compress
`;
}

export interface DefenderActionResult {
  action: DefenderAction;
  outcome: 'succeeded' | 'failed';
  /** The cmdlet's HRESULT (unsigned) when it failed with one. */
  code?: number;
  detail?: string;
  durationMs: number;
  signatureVersion?: string;
  /** Unix seconds. */
  signatureUpdated?: number;
  quickScanEnd?: number;
  /** Days since the last quick scan; Defender writes 4294967295 / 65535 for "never", left out. */
  quickScanAgeDays?: number;
}

interface DefenderDocument {
  error?: unknown;
  hresult?: unknown;
  status?: { AntivirusSignatureVersion?: unknown; AntivirusSignatureLastUpdated?: unknown; QuickScanEndTime?: unknown; QuickScanAge?: unknown } | null;
  statusError?: unknown;
}

const NEVER_DAYS = 65535;
const posInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
const cut = (text: string, max = 200): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/** Pure: the script's document -> the result. */
export function defenderResult(action: DefenderAction, doc: unknown, durationMs: number): DefenderActionResult {
  if (typeof doc !== 'object' || doc === null || !('status' in doc)) throw new Error(`unexpected Defender script output: ${cut(JSON.stringify(doc) ?? '')}`);
  const d = doc as DefenderDocument;
  const failed = typeof d.error === 'string' && d.error !== '';
  // Defender's CIM errors carry the HRESULT in their text ("... HRESULT 0x8024402c"); the exception's own HResult is
  // often the generic CimException one, so the text wins.
  const inText = typeof d.error === 'string' ? /\b0x(8[0-9a-f]{7})\b/i.exec(d.error)?.[1] : undefined;
  const hresult = inText !== undefined ? parseInt(inText, 16) : typeof d.hresult === 'number' && d.hresult !== 0 ? d.hresult >>> 0 : undefined;
  const s = d.status ?? {};
  const version = typeof s.AntivirusSignatureVersion === 'string' && s.AntivirusSignatureVersion !== '' ? s.AntivirusSignatureVersion : undefined;
  const age = typeof s.QuickScanAge === 'number' && s.QuickScanAge >= 0 && s.QuickScanAge < NEVER_DAYS ? s.QuickScanAge : undefined;
  const updated = posInt(s.AntivirusSignatureLastUpdated);
  const scanEnd = posInt(s.QuickScanEndTime);
  return {
    action,
    outcome: failed ? 'failed' : 'succeeded',
    ...(failed && hresult !== undefined ? { code: hresult } : {}),
    ...(failed ? { detail: cut(String(d.error)) } : typeof d.statusError === 'string' && d.statusError ? { detail: cut(`status: ${d.statusError}`) } : {}),
    durationMs,
    ...(version !== undefined ? { signatureVersion: version } : {}),
    ...(updated !== undefined ? { signatureUpdated: updated } : {}),
    ...(scanEnd !== undefined ? { quickScanEnd: scanEnd } : {}),
    ...(age !== undefined ? { quickScanAgeDays: age } : {}),
  };
}

/** Runs one action, bounded by its timeout and the deadline (the process is killed at the bound). A run that did not
 *  report (killed, aborted, no JSON) is a failed result, not an exception. */
export async function runDefenderAction(
  runner: Runner,
  action: DefenderAction,
  ctx: { signal: AbortSignal; deadline: number; now(): number },
): Promise<DefenderActionResult> {
  const started = ctx.now();
  const timeoutMs = Math.min(DEFENDER_TIMEOUTS_MS[action], ctx.deadline - started);
  if (timeoutMs <= 0 || ctx.signal.aborted) return { action, outcome: 'failed', detail: 'not started: no time left', durationMs: 0 };
  try {
    const doc = await runPowerShellProcess(runner, defenderScript(action), { timeoutMs, signal: ctx.signal, what: 'Defender' });
    return defenderResult(action, doc, ctx.now() - started);
  } catch (err) {
    return { action, outcome: 'failed', detail: cut(`did not report: ${err instanceof Error ? err.message : String(err)}`), durationMs: ctx.now() - started };
  }
}

/** The `av_action` point (agent/src/patching/measurements.md). */
export function avActionSample(result: DefenderActionResult, time: number): SampleDraft {
  const fields: Record<string, FieldValue> = { outcome: result.outcome, duration_ms: int(result.durationMs) };
  if (result.code !== undefined) fields.code = int(result.code);
  if (result.detail !== undefined) fields.detail = result.detail;
  if (result.signatureVersion !== undefined) fields.signature_version = result.signatureVersion;
  if (result.signatureUpdated !== undefined) fields.signature_updated = int(result.signatureUpdated);
  if (result.quickScanEnd !== undefined) fields.quick_scan_end = int(result.quickScanEnd);
  if (result.quickScanAgeDays !== undefined) fields.quick_scan_age_days = int(result.quickScanAgeDays);
  return { measurement: 'av_action', tags: { action: result.action, product: DEFENDER_PRODUCT }, fields, time };
}
