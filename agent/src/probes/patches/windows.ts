// patches on Windows: the Windows Update Agent COM API in its OWN powershell.exe, never the shared worker: a WUA
// call can block for minutes behind wuauserv (a running scan, a stuck TrustedInstaller), and only a process of its
// own can be killed without taking the other probes' PowerShell down with it.
import { lastJsonLine, powershellProcessArgs, POWERSHELL_PROCESS } from '../../exec/powershell-process.js';
import { WINDOWS_REBOOT_STATE_PS } from '../../exec/windows-reboot-state.js';
import type { ProbeContext } from '../probe.js';
import { parseWuaDocument } from './wua.js';
import type { PatchReport } from './patch-report.js';

/** How long the separate PowerShell may take; the probe's scheduler timeout is PATCHES_TIMEOUT_MS (a bit more). */
export const WUA_PROCESS_TIMEOUT_MS = 10 * 60_000;
/** History entries read from the newest end: enough to get past months of daily Defender definition updates. */
const HISTORY_ENTRIES = 500;

/**
 * PowerShell 5.1. Online = $false evaluates the catalogue cached by Windows' own last scan: no network, seconds
 * instead of minutes. Dates leave as UTC `yyyy-MM-ddTHH:mm:ss` strings (5.1's ConvertTo-Json would write
 * "\/Date(...)\/"): WUA's dates are UTC and reach PowerShell as [datetime] of kind Unspecified, so they are written
 * as they are, never through ToUniversalTime() (which would take them for local time), and in the invariant culture,
 * since ':' in a format string is the culture's time separator ('.' in fi-FI: 03.24.12). Definition updates are
 * excluded from the last install by classification id and by title.
 * A failed search is reported as searchError (the parser turns it into an error), not as zero missing updates.
 * Each update carries its Identity.UpdateID, by which the collector can approve exactly that one update for install.
 * The reboot markers are the fragment patching/ reads too (exec/windows-reboot-state.ts).
 */
export const WINDOWS_PATCHES_SCRIPT = `
$ErrorActionPreference = 'Stop'
function Format-Utc($d) { if ($d -is [datetime] -and $d.Year -ge 2000) { $d.ToString('yyyy-MM-ddTHH:mm:ss', [Globalization.CultureInfo]::InvariantCulture) } else { $null } }
$defs = 'e0789628-ce08-4437-be74-2495b842f43b'
$searcher = (New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher()
$searcher.Online = $false
$updates = @(); $searchError = $null
try {
  $result = $searcher.Search('IsInstalled=0 and IsHidden=0')
  $updates = @(foreach ($u in $result.Updates) {
    $class = @($u.Categories | Where-Object { $_.Type -eq 'UpdateClassification' } | Select-Object -First 1)
    [pscustomobject]@{
      title = [string]$u.Title
      updateId = [string]$u.Identity.UpdateID
      kb = @($u.KBArticleIDs | ForEach-Object { [string]$_ })
      severity = [string]$u.MsrcSeverity
      categories = @($u.Categories | ForEach-Object { [string]$_.Name })
      classificationId = $(if ($class.Count -gt 0) { [string]$class[0].CategoryID } else { $null })
      downloaded = [bool]$u.IsDownloaded
      rebootRequired = [bool]$u.RebootRequired
    }
  })
} catch { $searchError = $_.Exception.Message }
$lastInstall = $null; $historyError = $null
try {
  $count = $searcher.GetTotalHistoryCount()
  if ($count -gt 0) {
    foreach ($h in $searcher.QueryHistory(0, [Math]::Min($count, ${HISTORY_ENTRIES}))) {
      if ($h.Operation -ne 1 -or ($h.ResultCode -ne 2 -and $h.ResultCode -ne 3)) { continue }
      $ids = @($h.Categories | ForEach-Object { ([string]$_.CategoryID).ToLower() })
      if ($ids -contains $defs -or $h.Title -match 'Security Intelligence Update|Definition Update|KB2267602') { continue }
      if ($lastInstall -eq $null -or $h.Date -gt $lastInstall) { $lastInstall = $h.Date }
    }
  }
} catch { $historyError = $_.Exception.Message }
$lastSearch = $null
try { $lastSearch = (New-Object -ComObject Microsoft.Update.AutoUpdate).Results.LastSearchSuccessDate } catch { }
${WINDOWS_REBOOT_STATE_PS}
[pscustomobject]@{
  updates = $updates
  searchError = $searchError
  historyError = $historyError
  lastInstall = Format-Utc $lastInstall
  lastSearch = Format-Utc $lastSearch
  rebootCbs = $rebootState.rebootCbs
  rebootWu = $rebootState.rebootWu
  rebootSystemInfo = $rebootState.rebootSystemInfo
  pendingFileRename = $rebootState.pendingFileRename
} | ConvertTo-Json -Depth 4 -Compress
`;

/** The probe's own powershell.exe (exec/powershell-process.ts): killable on its timeout without the shared worker. */
export const WINDOWS_PATCHES_ARGS: readonly string[] = powershellProcessArgs(WINDOWS_PATCHES_SCRIPT);

export async function collectWindows(ctx: ProbeContext): Promise<PatchReport> {
  const { stdout } = await ctx.runner(POWERSHELL_PROCESS, WINDOWS_PATCHES_ARGS, { timeoutMs: WUA_PROCESS_TIMEOUT_MS, signal: ctx.signal });
  return parseWuaDocument(lastJsonLine(stdout, 'WUA script'));
}
