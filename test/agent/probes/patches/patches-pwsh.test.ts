// The patches probe on Windows, WINDOWS_PATCHES_SCRIPT unchanged and run for real: collect() asks its runner for
// `powershell.exe` with WINDOWS_PATCHES_ARGS; the runner here starts pwsh with the same arguments, except that the
// -EncodedCommand script gets the 5.1 JSON guard (test/helpers/powershell/ps51-json-guard.ps1) and this test's stubs
// put in front of it: New-Object -ComObject for the three Windows Update Agent objects (any other New-Object goes to
// the real cmdlet), Get-ItemProperty and Test-Path for the HKLM: reboot keys. The WUA objects are built from
// test/fixtures/windows/wua-patches-documented.json (a documented sample, not a capture: see the fixtures README),
// with the types the COM objects hand out: dates are VT_DATE values, which COM interop turns into [datetime] of
// kind Unspecified holding UTC (WUA's dates are UTC), made here the same way ([datetime]::FromOADate).
// pwsh runs in Europe/Zurich, so a date the script shifted through local time would show; one run uses Finnish
// formats (fi-FI: '.' between hours, minutes and seconds).
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Runner } from '../../../../agent/src/exec/runner.js';
import { createPatchesProbe } from '../../../../agent/src/probes/patches/patches.js';
import { lastJsonLine } from '../../../../agent/src/exec/powershell-process.js';
import { WINDOWS_PATCHES_ARGS, WINDOWS_PATCHES_SCRIPT } from '../../../../agent/src/probes/patches/windows.js';
import { DEFINITION_UPDATES_ID, SECURITY_UPDATES_ID } from '../../../../agent/src/probes/patches/wua.js';
import { int, type SampleDraft } from '../../../../agent/src/sample.js';
import { comObjectStub, PS51_JSON_GUARD, psString } from '../../../helpers/pwsh-stubs.js';
import { pwshPath } from '../../../helpers/pwsh.js';
import { context, fixture } from '../fixtures.js';

interface WuaCategory {
  name: string;
  type: 'UpdateClassification' | 'Product';
  id: string;
}
interface WuaUpdate {
  title: string;
  /** IUpdate.Identity.UpdateID (a GUID string; the COM object hands it out lower-case). */
  id: string;
  kb: string[];
  /** IUpdate.MsrcSeverity: null when unrated (an empty BSTR reaches PowerShell as $null). */
  severity: string | null;
  categories: WuaCategory[];
  downloaded: boolean;
  rebootRequired: boolean;
}
interface WuaHistoryEntry {
  title: string;
  /** UpdateOperation: 1 installation, 2 uninstallation. */
  operation: 1 | 2;
  /** OperationResultCode: 2 succeeded, 3 succeeded with errors, 4 failed, 5 aborted. */
  resultCode: number;
  /** UTC. */
  date: string;
  categories: WuaCategory[];
}
interface WuaMachine {
  /** The updates IUpdateSearcher.Search finds, or the HRESULT its COMException carries. */
  search: WuaUpdate[] | { hresult: number };
  history: WuaHistoryEntry[];
  /** IAutomaticUpdatesResults.LastSearchSuccessDate (UTC). */
  lastSearch: string;
  /** ISystemInformation.RebootRequired. */
  rebootSystemInfo: boolean;
  /** HKLM: keys that exist (the CBS and WU reboot markers). */
  keys: string[];
  /** Session Manager PendingFileRenameOperations (REG_MULTI_SZ), absent when null. */
  pendingFileRename: string[] | null;
}

const CBS_REBOOT = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending';
const WU_REBOOT = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired';
const SESSION_MANAGER = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager';

/** WSUS product ids of the products the documented sample names. */
const PRODUCT_IDS: Record<string, string> = {
  'Windows 11': '72e7624a-5b00-45d2-b92f-e561c0a6a160',
  'Microsoft Defender Antivirus': '8c3fcc84-7410-4a95-8b89-a166a0190486',
};

interface DocumentedUpdate {
  title: string;
  updateId: string;
  kb: string[];
  severity: string;
  categories: string[];
  classificationId: string;
  downloaded: boolean;
  rebootRequired: boolean;
}
const DOCUMENTED = JSON.parse(fixture('windows/wua-patches-documented.json')) as {
  updates: DocumentedUpdate[];
  lastInstall: string;
  lastSearch: string;
};

/** A documented update as WUA's IUpdate: the classification is its first category, the products follow. */
const fromDocumented = (u: DocumentedUpdate): WuaUpdate => ({
  title: u.title,
  id: u.updateId,
  kb: u.kb,
  severity: u.severity === '' ? null : u.severity,
  categories: u.categories.map((name, i) =>
    i === 0 ? { name, type: 'UpdateClassification', id: u.classificationId } : { name, type: 'Product', id: PRODUCT_IDS[name] ?? '' },
  ),
  downloaded: u.downloaded,
  rebootRequired: u.rebootRequired,
});
const [SECURITY_UPDATE, MSRT, DEFENDER_DEFINITIONS] = DOCUMENTED.updates.map(fromDocumented) as [WuaUpdate, WuaUpdate, WuaUpdate];

/** The history WUA keeps, newest first: a definition update after the last real install, a failed install. */
const HISTORY: WuaHistoryEntry[] = [
  { title: DEFENDER_DEFINITIONS.title, operation: 1, resultCode: 2, date: '2024-09-12T05:02:10Z', categories: DEFENDER_DEFINITIONS.categories },
  { title: MSRT.title, operation: 1, resultCode: 4, date: '2024-09-11T09:15:00Z', categories: MSRT.categories },
  { title: SECURITY_UPDATE.title, operation: 1, resultCode: 2, date: `${DOCUMENTED.lastInstall}Z`, categories: SECURITY_UPDATE.categories },
  { title: MSRT.title, operation: 1, resultCode: 3, date: '2024-08-14T02:00:00Z', categories: MSRT.categories },
];

/** A UTC ISO time as the [datetime] COM interop makes of a VT_DATE: DateTime.FromOADate, kind Unspecified. */
const oaDate = (iso: string): string => `[datetime]::FromOADate(${(Date.parse(iso) - Date.UTC(1899, 11, 30)) / 86_400_000})`;
const list = (items: string[]): string => `@(${items.join(', ')})`;
const category = (c: WuaCategory): string =>
  `[pscustomobject]@{ Name = ${psString(c.name)}; Type = ${psString(c.type)}; CategoryID = ${psString(c.id)}; Description = '' }`;
const update = (u: WuaUpdate): string =>
  `[pscustomobject]@{ Title = ${psString(u.title)}; Identity = [pscustomobject]@{ UpdateID = ${psString(u.id)}; RevisionNumber = [int]200 }; KBArticleIDs = ${list(u.kb.map(psString))}; MsrcSeverity = ${u.severity === null ? '$null' : psString(u.severity)}; ` +
  `Categories = ${list(u.categories.map(category))}; IsDownloaded = $${u.downloaded}; RebootRequired = $${u.rebootRequired}; IsHidden = $false; IsInstalled = $false }`;
const historyEntry = (h: WuaHistoryEntry): string =>
  `[pscustomobject]@{ Title = ${psString(h.title)}; Operation = [int]${h.operation}; ResultCode = [int]${h.resultCode}; Date = ${oaDate(h.date)}; ` +
  `Categories = ${list(h.categories.map(category))} }`;

/** The stubs: PowerShell function definitions put in front of the unchanged script. */
function wuaStubs(m: WuaMachine): string {
  const searchResult =
    'hresult' in m.search
      ? `throw [System.Runtime.InteropServices.COMException]::new('Exception from HRESULT: 0x${(m.search.hresult >>> 0).toString(16).toUpperCase()}', [int]${m.search.hresult | 0})`
      : `[pscustomobject]@{ ResultCode = 2; Updates = ${list(m.search.map(update))} }`;
  const historyCount = m.history.length;
  return String.raw`
function New-WpWuaSearcher {
  [pscustomobject]@{ Online = $true; ServerSelection = 0 } |
    Add-Member -MemberType ScriptMethod -Name Search -Value {
      param([string]$Criteria)
      # What the script must ask: the catalogue Windows' own last scan cached (Online = $false), missing updates only.
      if ($Criteria -ne 'IsInstalled=0 and IsHidden=0' -or $this.Online -ne $false) { throw "stub: unexpected search '$Criteria' with Online=$($this.Online)" }
      ${searchResult}
    } -PassThru |
    Add-Member -MemberType ScriptMethod -Name GetTotalHistoryCount -Value { [int]${historyCount} } -PassThru |
    Add-Member -MemberType ScriptMethod -Name QueryHistory -Value {
      param([int]$Start, [int]$Count)
      if ($Start -ne 0 -or $Count -ne [Math]::Min(${historyCount}, 500)) { throw "stub: unexpected QueryHistory($Start, $Count)" }
      $entries = ${list(m.history.map(historyEntry))}
      $entries[$Start..($Start + $Count - 1)]
    } -PassThru
}

${comObjectStub(String.raw`
    'Microsoft.Update.Session' {
      return [pscustomobject]@{ ClientApplicationID = '' } | Add-Member -MemberType ScriptMethod -Name CreateUpdateSearcher -Value { New-WpWuaSearcher } -PassThru
    }
    'Microsoft.Update.AutoUpdate' {
      return [pscustomobject]@{ ServiceEnabled = $true; Results = [pscustomobject]@{ LastSearchSuccessDate = ${oaDate(m.lastSearch)}; LastInstallationSuccessDate = ${oaDate(`${DOCUMENTED.lastInstall}Z`)} } }
    }
    'Microsoft.Update.SystemInfo' { return [pscustomobject]@{ RebootRequired = $${m.rebootSystemInfo}; OemHardwareSupportLink = '' } }
`)}

$wpKeys = ${list(m.keys.map(psString))}
function Test-Path {
  [CmdletBinding()]
  param([Parameter(Position = 0, Mandatory = $true)][string[]]$Path)
  foreach ($p in $Path) {
    if ($p -notlike 'HKLM:\*') { Microsoft.PowerShell.Management\Test-Path -Path $p; continue }
    $wpKeys -contains $p
  }
}

function Get-ItemProperty {
  [CmdletBinding()]
  param([Parameter(Position = 0, Mandatory = $true)][string[]]$Path, [Parameter(Position = 1)][string[]]$Name)
  foreach ($p in $Path) {
    if ($p -notlike 'HKLM:\*') { Microsoft.PowerShell.Management\Get-ItemProperty -Path $p; continue }
    if ($p -ne ${psString(SESSION_MANAGER)}) {
      $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new([System.Management.Automation.ItemNotFoundException]::new("Cannot find path '$p' because it does not exist."), 'PathNotFound', 'ObjectNotFound', $p))
      continue
    }
    $values = [ordered]@{ BootExecute = [string[]]@('autocheck autochk *'); ObjectDirectories = [string[]]@('\Windows', '\RPC Control') }
    ${m.pendingFileRename === null ? '' : `$values.PendingFileRenameOperations = [string[]]${list(m.pendingFileRename.map(psString))}`}
    [pscustomobject]$values
  }
}
`;
}

/** The probe's runner: 'powershell.exe' with WINDOWS_PATCHES_ARGS becomes pwsh with the same arguments. */
function pwshRunner(machine: WuaMachine, env: Record<string, string> = {}): { runner: Runner; runs: { stdout: string; stderr: string }[] } {
  const runs: { stdout: string; stderr: string }[] = [];
  const runner: Runner = (command, args, options) => {
    expect(command).toBe('powershell.exe');
    expect(args).toEqual(WINDOWS_PATCHES_ARGS);
    const at = args.indexOf('-EncodedCommand') + 1;
    const script = Buffer.from(args[at] ?? '', 'base64').toString('utf16le');
    expect(script).toBe(WINDOWS_PATCHES_SCRIPT);
    // The only change: the guard and the stubs in front of the unchanged script, encoded as the probe encodes it.
    const encoded = Buffer.from(`${PS51_JSON_GUARD}\n${wuaStubs(machine)}\n${script}`, 'utf16le').toString('base64');
    const pwshArgs = [...args.slice(0, at), encoded, ...args.slice(at + 1)];
    return new Promise((resolve, reject) => {
      execFile(
        pwshPath(),
        pwshArgs,
        {
          timeout: 60_000,
          maxBuffer: 16 * 1024 * 1024,
          env: { ...process.env, TZ: 'Europe/Zurich', ...env },
          ...(options?.signal ? { signal: options.signal } : {}),
        },
        (error, stdout, stderr) => {
          runs.push({ stdout, stderr });
          if (error) reject(new Error(`${error.message}\n${stderr}`));
          else resolve({ stdout, stderr });
        },
      );
    });
  };
  return { runner, runs };
}

const TIME = 1_726_200_000_000;
const unix = (iso: string) => Date.parse(iso) / 1000;

async function collect(machine: WuaMachine, env?: Record<string, string>): Promise<{ samples: SampleDraft[]; document: unknown; stdout: string }> {
  const { runner, runs } = pwshRunner(machine, env);
  const samples = await createPatchesProbe({ platform: 'win32' }).collect({ ...context(runner), now: () => TIME });
  expect(runs).toHaveLength(1);
  expect(runs[0]?.stderr).toBe(''); // no error record, no warning
  return { samples, document: lastJsonLine(runs[0]?.stdout ?? ''), stdout: runs[0]?.stdout ?? '' };
}

const pending = (i: number, fields: SampleDraft['fields']): SampleDraft => ({
  measurement: 'patches_pending',
  tags: { source: 'wua' },
  fields,
  time: TIME + i,
});

describe('patches on Windows: WINDOWS_PATCHES_SCRIPT on pwsh with the WUA COM objects stubbed', () => {
  it('the documented machine: the script prints the documented document, under Finnish formats too', async () => {
    const machine: WuaMachine = {
      search: [SECURITY_UPDATE, MSRT, DEFENDER_DEFINITIONS],
      history: HISTORY,
      lastSearch: `${DOCUMENTED.lastSearch}Z`,
      rebootSystemInfo: true,
      keys: [WU_REBOOT],
      pendingFileRename: ['\\??\\C:\\Windows\\Temp\\wuredir.tmp', ''],
    };
    // fi-FI writes times as 03.24.12: the dates must still leave as yyyy-MM-ddTHH:mm:ss.
    const { samples, document } = await collect(machine, { LANG: 'fi_FI.UTF-8', LC_ALL: 'fi_FI.UTF-8' });
    expect(document).toEqual(JSON.parse(fixture('windows/wua-patches-documented.json')));
    expect(samples).toEqual([
      {
        measurement: 'patches',
        tags: { source: 'wua' },
        fields: {
          pending_total: int(3),
          pending_security: int(1),
          pending_critical: int(1),
          reboot_pending: true,
          parse_errors: int(0),
          last_success: int(unix('2024-09-11T03:24:12Z')), // the security update: the later definition update and the failed MSRT do not count
          last_search: int(unix('2024-09-12T06:10:44Z')),
          pending_file_rename: true,
        },
        time: TIME,
      },
      pending(1, {
        title: SECURITY_UPDATE.title,
        update_id: '4f3d1d0e-8f2b-4a57-9c1e-2b6a5e0c7d41',
        security: true,
        critical: true,
        kb: 'KB5034123',
        severity: 'Critical',
        category: 'Security Updates, Windows 11',
      }),
      pending(2, { title: MSRT.title, update_id: MSRT.id, security: false, critical: false, kb: 'KB890830', category: 'Update Rollups, Windows 11' }),
      pending(3, {
        title: DEFENDER_DEFINITIONS.title,
        update_id: DEFENDER_DEFINITIONS.id,
        security: false,
        critical: false,
        kb: 'KB2267602',
        category: 'Definition Updates, Microsoft Defender Antivirus',
      }),
    ]);
  });

  it('one update with one KB and one category, and one without a KB: arrays stay arrays; only the CBS marker set', async () => {
    const single: WuaUpdate = { ...SECURITY_UPDATE, categories: [SECURITY_UPDATE.categories[0]!] };
    // An UpdateID in upper case (WUA hands them out in lower case; the collector approves by the lower-case form).
    const noKb: WuaUpdate = { ...MSRT, title: 'Windows Malicious Software Removal Tool x64 - v5.128', kb: [], id: MSRT.id.toUpperCase() };
    const { samples, stdout } = await collect({
      search: [single],
      history: [HISTORY[2]!],
      lastSearch: `${DOCUMENTED.lastSearch}Z`,
      rebootSystemInfo: false,
      keys: [CBS_REBOOT],
      pendingFileRename: null,
    });
    expect(stdout).toContain('"kb":["5034123"]');
    expect(stdout).toContain('"categories":["Security Updates"]');
    expect(stdout).toContain(`"classificationId":"${SECURITY_UPDATES_ID}"`);
    expect(samples).toEqual([
      {
        measurement: 'patches',
        tags: { source: 'wua' },
        fields: {
          pending_total: int(1),
          pending_security: int(1),
          pending_critical: int(1),
          reboot_pending: true,
          parse_errors: int(0),
          last_success: int(unix('2024-09-11T03:24:12Z')),
          last_search: int(unix('2024-09-12T06:10:44Z')),
          pending_file_rename: false,
        },
        time: TIME,
      },
      pending(1, {
        title: SECURITY_UPDATE.title,
        update_id: SECURITY_UPDATE.id,
        security: true,
        critical: true,
        kb: 'KB5034123',
        severity: 'Critical',
        category: 'Security Updates',
      }),
    ]);

    const zero = await collect({
      search: [noKb],
      history: [],
      lastSearch: `${DOCUMENTED.lastSearch}Z`,
      rebootSystemInfo: false,
      keys: [],
      pendingFileRename: null,
    });
    expect(zero.stdout).toContain('"kb":[]');
    expect(zero.stdout).toContain(`"updateId":"${MSRT.id.toUpperCase()}"`);
    expect(zero.samples[1]).toEqual(
      pending(1, { title: noKb.title, update_id: MSRT.id, security: false, critical: false, category: 'Update Rollups, Windows 11' }),
    );
  });

  it('nothing missing, definition updates only in the history, no reboot marker: zero counts, no last install', async () => {
    const { samples, document } = await collect({
      search: [],
      history: [HISTORY[0]!, { ...HISTORY[0]!, date: '2024-09-10T05:00:00Z' }],
      lastSearch: `${DOCUMENTED.lastSearch}Z`,
      rebootSystemInfo: false,
      keys: [],
      pendingFileRename: null,
    });
    expect(DEFENDER_DEFINITIONS.categories[0]?.id).toBe(DEFINITION_UPDATES_ID);
    expect(document).toMatchObject({ updates: [], searchError: null, historyError: null, lastInstall: null });
    expect(samples).toEqual([
      {
        measurement: 'patches',
        tags: { source: 'wua' },
        fields: {
          pending_total: int(0),
          pending_security: int(0),
          pending_critical: int(0),
          reboot_pending: false,
          parse_errors: int(0),
          last_search: int(unix('2024-09-12T06:10:44Z')),
          pending_file_rename: false,
        },
        time: TIME,
      },
    ]);
  });

  it('a failed search (0x8024402C, WU_E_PT_WINHTTP_NAME_NOT_RESOLVED) is an error, not zero missing updates', async () => {
    const { runner, runs } = pwshRunner({
      search: { hresult: 0x8024402c },
      history: HISTORY,
      lastSearch: `${DOCUMENTED.lastSearch}Z`,
      rebootSystemInfo: false,
      keys: [],
      pendingFileRename: null,
    });
    await expect(createPatchesProbe({ platform: 'win32' }).collect(context(runner))).rejects.toThrow(
      'Windows Update search failed: Exception calling "Search" with "1" argument(s): "Exception from HRESULT: 0x8024402C"',
    );
    expect(lastJsonLine(runs[0]?.stdout ?? '')).toMatchObject({ updates: [], lastInstall: '2024-09-11T03:24:12' });
  });
});
