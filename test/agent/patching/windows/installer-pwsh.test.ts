// The `wua` installer with WUA_INSTALL_SCRIPT unchanged and run for real on pwsh (pwsh-process-runner.ts), the Windows
// Update Agent's COM objects stubbed with the members Microsoft's WUA API reference gives them: IUpdateSession
// (CreateUpdateSearcher/Downloader/Installer, ClientApplicationID), IUpdateSearcher.Search -> ISearchResult.Updates,
// IUpdate (Title, Identity.UpdateID, KBArticleIDs, EulaAccepted, AcceptEula(), InstallationBehavior.
// CanRequestUserInput), IUpdateCollection (Add returns the index, Count, Item(i)), IUpdateDownloader.Download ->
// IDownloadResult.GetUpdateResult(i) (ResultCode, HResult), IUpdateInstaller.Install -> IInstallationResult
// (ResultCode, HResult, RebootRequired, GetUpdateResult(i) with RebootRequired per update). Values from real sources:
// the feature update's UpdateID, title and KB from a win_updates log (ansible-collections/ansible.windows issue #25),
// a failed install's ResultCode 4 with HRESULT -2145124318 (0x80240022) from bklockwood/PSWU issue #47; the other
// titles and KBs are the documented sample's (test/fixtures/windows/wua-patches-documented.json; its UpdateIDs are
// chosen). The stubs write what the script asked of WUA to a trace file the test reads.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../agent/src/base/log.js';
import { lastJsonLine } from '../../../../agent/src/exec/powershell-process.js';
import { createWuaInstaller, windowsRebootArgs } from '../../../../agent/src/patching/windows/installer.js';
import { WUA_INSTALL_SCRIPT } from '../../../../agent/src/patching/windows/wua-install.js';
import type { InstallContext } from '../../../../agent/src/patching/installer.js';
import type { PatchItem } from '../../../../agent/src/patching/plan.js';
import { comObjectStub, psString } from '../../../helpers/pwsh-stubs.js';
import { fixture } from '../../probes/fixtures.js';
import { pwshProcessRunner } from './pwsh-process-runner.js';

interface StubUpdate {
  id: string;
  title: string;
  kb: string[];
  eulaAccepted: boolean;
  userInput?: boolean;
  /** IUpdateDownloadResult: [ResultCode, HResult]. */
  download: [number, number];
  /** IUpdateInstallationResult: [ResultCode, HResult, RebootRequired]. */
  install: [number, number, boolean];
}

const DOCUMENTED = (JSON.parse(fixture('windows/wua-patches-documented.json')) as { updates: { title: string; updateId: string; kb: string[] }[] }).updates;
const [SECURITY, MSRT, DEFENDER] = DOCUMENTED.map((u) => ({ id: u.updateId, title: u.title, kb: u.kb })) as [
  { id: string; title: string; kb: string[] },
  { id: string; title: string; kb: string[] },
  { id: string; title: string; kb: string[] },
];
const FEATURE = {
  id: '0d500afc-802b-4b0e-b4cc-4087f87602ff',
  title: 'Feature update to Windows 10 (business editions), version 1909, en-gb x64',
  kb: ['3012973'],
};
const ALL_UPDATES_FAILED = -2145124318; // 0x80240022 WU_E_ALL_UPDATES_FAILED, as COM hands it over (signed)

const trace = (dir: string) => join(dir, 'trace.txt');

function wuaStubs(updates: StubUpdate[], dir: string, search: 'ok' | { hresult: number } = 'ok', installDelaySeconds = 0): string {
  const update = (u: StubUpdate) =>
    `([pscustomobject]@{ Title = ${psString(u.title)}; Identity = [pscustomobject]@{ UpdateID = ${psString(u.id)}; RevisionNumber = [int]201 }; ` +
    `KBArticleIDs = @(${u.kb.map(psString).join(', ')}); EulaAccepted = $${u.eulaAccepted}; IsDownloaded = $false; ` +
    `InstallationBehavior = [pscustomobject]@{ CanRequestUserInput = $${u.userInput === true}; RebootBehavior = [int]1 } } | ` +
    `Add-Member -MemberType ScriptMethod -Name AcceptEula -Value { $this.EulaAccepted = $true; Add-Content -LiteralPath $wpTrace -Value ('eula ' + $this.Identity.UpdateID) } -PassThru)`;
  const outcome = (u: StubUpdate) =>
    `${psString(u.id)} = @{ download = @([int]${u.download[0]}, [int]${u.download[1]}); install = @([int]${u.install[0]}, [int]${u.install[1]}, $${u.install[2]}) }`;
  const searchBody =
    search === 'ok'
      ? `[pscustomobject]@{ ResultCode = [int]2; Updates = @(${updates.map(update).join(', ')}) }`
      : `throw [System.Runtime.InteropServices.COMException]::new('Exception from HRESULT: 0x${(search.hresult >>> 0).toString(16).toUpperCase()}', [int]${search.hresult | 0})`;
  return String.raw`
$wpTrace = ${psString(trace(dir))}
$wpOutcomes = @{ ${updates.map(outcome).join('; ')} }
function New-WpCollection {
  [pscustomobject]@{ List = [System.Collections.ArrayList]::new() } |
    Add-Member -MemberType ScriptProperty -Name Count -Value { $this.List.Count } -PassThru |
    Add-Member -MemberType ScriptMethod -Name Add -Value { param($u) $this.List.Add($u) } -PassThru |
    Add-Member -MemberType ScriptMethod -Name Item -Value { param([int]$i) $this.List[$i] } -PassThru
}
function New-WpResult($results, [bool]$reboot) {
  [pscustomobject]@{ ResultCode = [int]2; HResult = [int]0; RebootRequired = $reboot; Results = $results } |
    Add-Member -MemberType ScriptMethod -Name GetUpdateResult -Value { param([int]$i) $this.Results[$i] } -PassThru
}
${comObjectStub(String.raw`
    'Microsoft.Update.UpdateColl' { return New-WpCollection }
    'Microsoft.Update.Session' {
      return [pscustomobject]@{ ClientApplicationID = '' } |
        Add-Member -MemberType ScriptMethod -Name CreateUpdateSearcher -Value {
          [pscustomobject]@{ Online = $true } | Add-Member -MemberType ScriptMethod -Name Search -Value {
            param([string]$Criteria)
            if ($Criteria -ne 'IsInstalled=0 and IsHidden=0') { throw "stub: unexpected search '$Criteria'" }
            Add-Content -LiteralPath $wpTrace -Value ('search online=' + $this.Online)
            ${searchBody}
          } -PassThru
        } -PassThru |
        Add-Member -MemberType ScriptMethod -Name CreateUpdateDownloader -Value {
          [pscustomobject]@{ Updates = $null } | Add-Member -MemberType ScriptMethod -Name Download -Value {
            $ids = @(foreach ($u in $this.Updates.List) { $u.Identity.UpdateID })
            Add-Content -LiteralPath $wpTrace -Value ('download ' + ($ids -join ' '))
            New-WpResult @(foreach ($id in $ids) { [pscustomobject]@{ ResultCode = $wpOutcomes[$id].download[0]; HResult = $wpOutcomes[$id].download[1] } }) $false
          } -PassThru
        } -PassThru |
        Add-Member -MemberType ScriptMethod -Name CreateUpdateInstaller -Value {
          [pscustomobject]@{ Updates = $null; IsBusy = $false } | Add-Member -MemberType ScriptMethod -Name Install -Value {
            $ids = @(foreach ($u in $this.Updates.List) { if (-not $u.EulaAccepted) { throw 'stub: EULA not accepted' }; $u.Identity.UpdateID })
            Add-Content -LiteralPath $wpTrace -Value ('install ' + ($ids -join ' '))
            Start-Sleep -Seconds ${installDelaySeconds}
            $results = @(foreach ($id in $ids) { $o = $wpOutcomes[$id].install; [pscustomobject]@{ ResultCode = $o[0]; HResult = $o[1]; RebootRequired = $o[2] } })
            New-WpResult $results ([bool](@($results | Where-Object { $_.RebootRequired }).Count))
          } -PassThru
        } -PassThru
    }
    'Microsoft.Update.SystemInfo' { return [pscustomobject]@{ RebootRequired = $false } }
`)}
`;
}

const ctx = (deadlineMs = 3_600_000, signal = new AbortController().signal): InstallContext => ({
  signal,
  deadline: Date.now() + deadlineMs,
  log: createLogger({ write: () => {} }),
  now: () => Date.now(),
});
const item = (id: string, title: string): PatchItem => ({ id, manager: 'wua', title });

describe('wua installer: WUA_INSTALL_SCRIPT on pwsh with the WUA COM objects stubbed', () => {
  it('installs exactly the approved updates, reports each one, and hostile titles stay text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-wua-'));
    const marker = join(dir, 'pwned');
    const hostileTitle = `Update "for" it's $(Set-Content -LiteralPath '${marker}' -Value pwned) \`$env:PATH ; exit 1`;
    const HOSTILE = { id: '1b7e2c9d-3f4a-4b5c-8d6e-7f8091a2b3c4', title: hostileTitle, kb: ['5030000'] };
    const updates: StubUpdate[] = [
      { ...SECURITY, eulaAccepted: true, download: [2, 0], install: [2, 0, true] },
      { ...DEFENDER, eulaAccepted: true, download: [2, 0], install: [2, 0, false] },
      { ...MSRT, eulaAccepted: false, download: [2, 0], install: [4, ALL_UPDATES_FAILED, false] },
      { ...FEATURE, eulaAccepted: false, download: [2, 0], install: [2, 0, true] },
      { ...HOSTILE, eulaAccepted: false, download: [2, 0], install: [2, 0, false] },
    ];
    const { runner, calls } = pwshProcessRunner(wuaStubs(updates, dir));
    const items = [
      item('KB5034123', SECURITY.title),
      item(MSRT.id.toUpperCase(), MSRT.title), // plan.ts accepts either case; WUA's ids are lower case
      item(HOSTILE.id, hostileTitle),
      item('KB9999999', 'no longer offered'),
    ];
    const results = await createWuaInstaller(runner).install(items, ctx());

    // One powershell.exe; the ids travel as a base64 line in front of the unchanged script.
    expect(calls).toHaveLength(1);
    const [first, ...rest] = (calls[0]?.script ?? '').split('\n');
    expect(first).toMatch(/^\$wpRequest = '[A-Za-z0-9+/=]+'$/);
    expect(rest.join('\n')).toBe(WUA_INSTALL_SCRIPT);
    expect(calls[0]?.stderr).toBe('');

    // Only the approved updates were downloaded and installed; only their EULAs accepted; neither the definition
    // update nor the feature update (missing too, but not approved) went anywhere.
    expect(readFileSync(trace(dir), 'utf8').trim().split(/\r?\n/)).toEqual([
      'search online=True',
      `eula ${MSRT.id}`,
      `eula ${HOSTILE.id}`,
      `download ${SECURITY.id} ${MSRT.id} ${HOSTILE.id}`,
      `install ${SECURITY.id} ${MSRT.id} ${HOSTILE.id}`,
    ]);
    expect(existsSync(marker)).toBe(false);

    expect(results.map(({ durationMs, ...r }) => (expect(durationMs).toBeGreaterThan(0), r))).toEqual([
      { id: 'KB5034123', manager: 'wua', title: SECURITY.title, outcome: 'installed', code: 2, rebootRequired: true },
      {
        id: MSRT.id.toUpperCase(),
        manager: 'wua',
        title: MSRT.title,
        outcome: 'failed',
        code: 0x80240022,
        detail: 'install Failed (4), HRESULT 0x80240022',
        rebootRequired: false,
      },
      { id: HOSTILE.id, manager: 'wua', title: hostileTitle, outcome: 'installed', code: 2, rebootRequired: false },
      { id: 'KB9999999', manager: 'wua', title: 'no longer offered', outcome: 'not_applicable', rebootRequired: false },
    ]);
    // The hostile title came back from WUA as text, byte for byte.
    const doc = lastJsonLine(calls[0]?.stdout ?? '') as { updates: { title: string; ids: string[] }[] };
    expect(doc.updates.map((u) => [u.title, u.ids])).toEqual([
      [SECURITY.title, ['KB5034123']],
      [MSRT.title, [MSRT.id.toUpperCase()]],
      [hostileTitle, [HOSTILE.id]],
    ]);
  });

  it('a failed download is not installed; an update that can ask for user input is left out; a failed search fails all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-wua-'));
    const updates: StubUpdate[] = [
      { ...SECURITY, eulaAccepted: true, download: [4, -2145099774], install: [2, 0, false] }, // 0x80246002 WU_E_DM_INCORRECTFILEHASH
      { ...FEATURE, eulaAccepted: true, userInput: true, download: [2, 0], install: [2, 0, true] },
      { ...MSRT, eulaAccepted: true, download: [2, 0], install: [3, 0, false] },
    ];
    const { runner } = pwshProcessRunner(wuaStubs(updates, dir));
    const results = await createWuaInstaller(runner).install([item(SECURITY.id, 's'), item(FEATURE.id, 'f'), item('KB890830', 'm')], ctx());
    expect(results.map((r) => [r.outcome, r.code, r.detail])).toEqual([
      ['failed', 0x80246002, 'download Failed (4), HRESULT 0x80246002'],
      ['failed', undefined, 'the update can ask for user input: not installed unattended'],
      ['installed', 3, 'install SucceededWithErrors (3)'],
    ]);
    expect(readFileSync(trace(dir), 'utf8')).toContain(`install ${MSRT.id}\n`);

    const failing = pwshProcessRunner(wuaStubs(updates, mkdtempSync(join(tmpdir(), 'wp-wua-')), { hresult: 0x8024402c }));
    const searchFailed = await createWuaInstaller(failing.runner).install([item('KB890830', 'm')], ctx());
    expect(searchFailed).toMatchObject([{ outcome: 'failed', code: 0x8024402c, detail: expect.stringContaining('Windows Update search failed') }]);
  });

  it('an abort kills the process: every item failed, nothing claimed installed; too little time left starts nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-wua-'));
    const { runner, calls } = pwshProcessRunner(wuaStubs([{ ...SECURITY, eulaAccepted: true, download: [2, 0], install: [2, 0, true] }], dir, 'ok', 60));
    const abort = new AbortController();
    const watching = setInterval(() => existsSync(trace(dir)) && readFileSync(trace(dir), 'utf8').includes('install ') && abort.abort(), 100);
    const started = Date.now();
    const results = await createWuaInstaller(runner)
      .install([item('KB5034123', 's')], ctx(3_600_000, abort.signal))
      .finally(() => clearInterval(watching));
    expect(Date.now() - started).toBeLessThan(50_000);
    expect(results).toMatchObject([{ outcome: 'failed', rebootRequired: false, detail: expect.stringContaining('did not report') }]);
    expect(calls[0]?.timeoutMs).toBeGreaterThan(3_500_000);

    const late = await createWuaInstaller(runner).install([item('KB5034123', 's')], ctx(60_000));
    expect(late).toMatchObject([{ outcome: 'not_started' }]);
    expect(calls).toHaveLength(1);
  });

  it('reboot pending from the markers the patches probe reads; the reboot is shutdown.exe with the message as one argument', async () => {
    const stubs = String.raw`
${comObjectStub(String.raw`
    'Microsoft.Update.SystemInfo' { return [pscustomobject]@{ RebootRequired = $false } }
`)}
function Test-Path { param([Parameter(Position = 0)][string]$Path) $Path -eq 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending' }
function Get-ItemProperty { param([Parameter(Position = 0)][string]$Path) [pscustomobject]@{ PendingFileRenameOperations = $null } }
`;
    const { runner, calls } = pwshProcessRunner(stubs);
    const installer = createWuaInstaller(runner);
    expect(await installer.rebootPending(ctx())).toBe(true);
    const message = `Updates: "restart" in 10 min; save $(work) now`;
    await installer.reboot({ mode: 'warn', warnMinutes: 10, message }, ctx());
    expect(calls[1]).toMatchObject({ command: 'shutdown.exe', args: ['/r', '/t', '600', '/c', message, '/d', 'p:2:17'] });
    expect(windowsRebootArgs({ mode: 'if_required' })).toEqual(['/r', '/t', '60', '/c', 'Watchpost: restarting to finish installing updates.', '/d', 'p:2:17']);
  });
});
