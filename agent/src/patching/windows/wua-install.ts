// The Windows Update Agent install: the one script that searches, downloads and installs the approved updates, and
// the pure mapping of its JSON document to one ItemResult per approved id. The installer (installer.ts) runs it.
import type { ItemResult, PatchItem } from '../plan.js';

/**
 * PowerShell 5.1, run in a powershell.exe of its own behind a `$wpRequest` line (exec/powershell-process.ts
 * withRequest): `{ "ids": [...] }`, the approved UpdateIDs and KB numbers as data, never as script text.
 * 1. Searches `IsInstalled=0 and IsHidden=0` online (an install needs the current catalogue, unlike the probe).
 * 2. Selects ONLY the updates whose Identity.UpdateID or one of whose KBArticleIDs is an approved id; an update that
 *    can ask for user input (InstallationBehavior.CanRequestUserInput) is left out (stage `skipped`): nobody answers.
 * 3. Accepts the selected updates' EULAs (the approval is the MSP's acceptance), downloads them (IUpdateDownloader) and
 *    installs those downloaded (IUpdateInstaller), reading each one's IUpdateDownloadResult / IUpdateInstallationResult.
 * Every row says how far its update got (`stage`) with that stage's OperationResultCode and HRESULT. A failed search,
 * download or install call fails the rows it covers with the exception's HRESULT; nothing is retried here.
 */
export const WUA_INSTALL_SCRIPT = `
$ErrorActionPreference = 'Stop'
function Get-HResult($e) { while ($e.InnerException) { $e = $e.InnerException }; [int]$e.HResult }
$request = ConvertFrom-Json ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($wpRequest)))
$wanted = @{}
foreach ($id in @($request.ids)) {
  $s = [string]$id
  if ($s -match '^KB(\\d+)$') { $key = 'kb:' + $Matches[1] } else { $key = 'id:' + $s.ToLowerInvariant() }
  if (-not $wanted.ContainsKey($key)) { $wanted[$key] = @() }
  $wanted[$key] += $s
}
$out = [ordered]@{ searchError = $null; searchHResult = $null; rebootRequired = $false; updates = @() }
$session = New-Object -ComObject Microsoft.Update.Session
$session.ClientApplicationID = 'Watchpost'
try {
  $searcher = $session.CreateUpdateSearcher()
  $found = $searcher.Search('IsInstalled=0 and IsHidden=0')
} catch {
  $out.searchError = [string]$_.Exception.Message
  $out.searchHResult = Get-HResult $_.Exception
  [pscustomobject]$out | ConvertTo-Json -Depth 5 -Compress
  return
}
$selected = New-Object -ComObject Microsoft.Update.UpdateColl
$rows = @()
foreach ($u in $found.Updates) {
  $ids = @()
  $key = 'id:' + ([string]$u.Identity.UpdateID).ToLowerInvariant()
  if ($wanted.ContainsKey($key)) { $ids += $wanted[$key] }
  foreach ($kb in @($u.KBArticleIDs)) {
    $key = 'kb:' + [string]$kb
    if ($wanted.ContainsKey($key)) { $ids += $wanted[$key] }
  }
  if ($ids.Count -eq 0) { continue }
  $row = [pscustomobject]@{ ids = $ids; updateId = [string]$u.Identity.UpdateID; title = [string]$u.Title; stage = 'selected'; resultCode = $null; hresult = 0; rebootRequired = $false }
  $rows += $row
  if ($u.InstallationBehavior.CanRequestUserInput) { $row.stage = 'skipped'; continue }
  if (-not $u.EulaAccepted) { $u.AcceptEula() }
  [void]$selected.Add($u)
}
$picked = @($rows | Where-Object { $_.stage -eq 'selected' })
if ($selected.Count -gt 0) {
  try {
    $downloader = $session.CreateUpdateDownloader()
    $downloader.Updates = $selected
    $downloaded = $downloader.Download()
    for ($i = 0; $i -lt $selected.Count; $i++) {
      $r = $downloaded.GetUpdateResult($i)
      $picked[$i].stage = 'download'; $picked[$i].resultCode = [int]$r.ResultCode; $picked[$i].hresult = [int]$r.HResult
    }
  } catch {
    $h = Get-HResult $_.Exception
    foreach ($row in $picked) { $row.stage = 'download'; $row.resultCode = 4; $row.hresult = $h }
  }
  $toInstall = New-Object -ComObject Microsoft.Update.UpdateColl
  $installing = @()
  for ($i = 0; $i -lt $selected.Count; $i++) {
    if ($picked[$i].resultCode -eq 2 -or $picked[$i].resultCode -eq 3) { [void]$toInstall.Add($selected.Item($i)); $installing += $picked[$i] }
  }
  if ($toInstall.Count -gt 0) {
    try {
      $installer = $session.CreateUpdateInstaller()
      $installer.Updates = $toInstall
      $installed = $installer.Install()
      for ($i = 0; $i -lt $toInstall.Count; $i++) {
        $r = $installed.GetUpdateResult($i)
        $installing[$i].stage = 'install'; $installing[$i].resultCode = [int]$r.ResultCode; $installing[$i].hresult = [int]$r.HResult
        $installing[$i].rebootRequired = [bool]$r.RebootRequired
      }
      $out.rebootRequired = [bool]$installed.RebootRequired
    } catch {
      $h = Get-HResult $_.Exception
      foreach ($row in $installing) { $row.stage = 'install'; $row.resultCode = 4; $row.hresult = $h }
    }
  }
}
$out.updates = $rows
[pscustomobject]$out | ConvertTo-Json -Depth 5 -Compress
`;

/** One selected update as the script reports it. */
export interface WuaInstallRow {
  /** The approved ids (as the plan gave them) this update matched. */
  ids?: unknown;
  updateId?: unknown;
  title?: unknown;
  /** How far it got: `skipped` (can ask for user input), `selected` (never downloaded), `download`, `install`. */
  stage?: unknown;
  /** OperationResultCode of that stage: 0 NotStarted, 1 InProgress, 2 Succeeded, 3 SucceededWithErrors, 4 Failed, 5 Aborted. */
  resultCode?: unknown;
  /** HRESULT of that stage, a signed 32-bit integer as COM hands it over (0 when none). */
  hresult?: unknown;
  rebootRequired?: unknown;
}

export interface WuaInstallDocument {
  searchError?: unknown;
  searchHResult?: unknown;
  rebootRequired?: unknown;
  updates?: unknown;
}

const RESULT_NAMES = ['NotStarted', 'InProgress', 'Succeeded', 'SucceededWithErrors', 'Failed', 'Aborted'];
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
const hex = (hresult: number): string => `0x${(hresult >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
const cut = (text: string, max = 200): string => (text.length > max ? `${text.slice(0, max)}…` : text);

interface RowOutcome {
  outcome: 'installed' | 'failed';
  code?: number;
  detail?: string;
  rebootRequired: boolean;
}

/** One row's outcome. `code` is the HRESULT (as unsigned, 0x8024… reads the same in hex) when WUA gave one, else the
 *  OperationResultCode: the HRESULT is what Microsoft's error tables are looked up by. */
function rowOutcome(row: WuaInstallRow): RowOutcome {
  const rebootRequired = row.rebootRequired === true;
  if (row.stage === 'skipped') return { outcome: 'failed', detail: 'the update can ask for user input: not installed unattended', rebootRequired };
  const result = num(row.resultCode);
  const hresult = num(row.hresult) ?? 0;
  const stage = row.stage === 'install' ? 'install' : 'download';
  const what = `${stage} ${result === undefined ? 'not started' : `${RESULT_NAMES[result] ?? 'result'} (${result})`}${hresult !== 0 ? `, HRESULT ${hex(hresult)}` : ''}`;
  if (stage === 'install' && (result === 2 || result === 3)) {
    return result === 2
      ? { outcome: 'installed', code: 2, rebootRequired }
      : { outcome: 'installed', code: hresult !== 0 ? hresult >>> 0 : 3, detail: what, rebootRequired };
  }
  return { outcome: 'failed', code: hresult !== 0 ? hresult >>> 0 : (result ?? 0), detail: what, rebootRequired };
}

/**
 * One result per item, in order. An id no missing update matched is not_applicable (installed already, superseded or
 * not offered to this machine). An id that matched several updates (a KB shipped for two products) is installed only
 * when all of them are, and needs a reboot when any does. Each item carries the whole call's duration: WUA installs
 * them in one call and does not time them one by one.
 */
export function wuaItemResults(items: readonly PatchItem[], doc: unknown, durationMs: number): ItemResult[] {
  if (typeof doc !== 'object' || doc === null || !('updates' in doc || 'searchError' in doc)) {
    throw new Error(`unexpected WUA install output: ${cut(JSON.stringify(doc) ?? String(doc))}`);
  }
  const d = doc as WuaInstallDocument;
  const base = (item: PatchItem) => ({ id: item.id, manager: item.manager, title: item.title, durationMs });
  if (typeof d.searchError === 'string' && d.searchError !== '') {
    const h = num(d.searchHResult);
    return items.map((item) => ({
      ...base(item),
      outcome: 'failed',
      ...(h !== undefined && h !== 0 ? { code: h >>> 0 } : {}),
      detail: cut(`Windows Update search failed: ${d.searchError}`),
      rebootRequired: false,
    }));
  }
  const rows: WuaInstallRow[] = (Array.isArray(d.updates) ? d.updates : d.updates ? [d.updates] : []).filter(
    (r): r is WuaInstallRow => typeof r === 'object' && r !== null,
  );
  return items.map((item): ItemResult => {
    const mine = rows.filter((r) => (Array.isArray(r.ids) ? r.ids : [r.ids]).includes(item.id));
    if (mine.length === 0) return { ...base(item), outcome: 'not_applicable', rebootRequired: false };
    const outcomes = mine.map(rowOutcome);
    const failed = outcomes.find((o) => o.outcome === 'failed');
    const chosen = failed ?? outcomes.find((o) => o.detail !== undefined) ?? outcomes[0]!;
    return {
      ...base(item),
      outcome: chosen.outcome,
      ...(chosen.code !== undefined ? { code: chosen.code } : {}),
      ...(chosen.detail !== undefined ? { detail: chosen.detail } : {}),
      rebootRequired: outcomes.some((o) => o.rebootRequired),
    };
  });
}
