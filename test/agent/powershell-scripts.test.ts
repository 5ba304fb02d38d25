// Every PowerShell script Watchpost ships, held to Windows PowerShell 5.1 (what the agent runs on Windows 10, Server
// 2016+ and Server 2012 R2 with WMF 5.1, and what windows.ps1 is written for) by the real parser of pwsh 7 and the
// rules of test/helpers/powershell/ps51-rules.ps1: no parse error, and no syntax, cmdlet, parameter, variable, escape
// or literal added after 5.1. The scripts are generated here from the modules that ship them (each form a probe can
// send: first run and with a checkpoint, every default channel, both message modes), never copied, so this keeps
// checking whatever they become. The service installer (agent/src/service/) runs no PowerShell: only WinSW
// (install, start, stop, status, uninstall), icacls.exe and whoami.exe; sc.exe appears only in a printed hint.
// The rules check themselves below: a snippet per rule must fire exactly that rule, and 5.1-valid look-alikes none.
// Everything runs through ONE pwsh process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKER_PRELUDE, wrapRequest } from '../../agent/src/exec/powershell-framing.js';
import { WINDOWS_ACTIVATION_SCRIPT } from '../../agent/src/probes/activation/activation.js';
import { WINDOWS_AV_SCRIPT } from '../../agent/src/probes/antivirus/antivirus.js';
import { WINDOWS_BACKUP_SCRIPT } from '../../agent/src/probes/backup/windows-backup.js';
import { WINDOWS_DISKIO_SCRIPT } from '../../agent/src/probes/diskio/diskio.js';
import { DEFAULT_WINDOWS_CHANNELS, resolveOptions } from '../../agent/src/probes/eventlog/options.js';
import { windowsChannelScript } from '../../agent/src/probes/eventlog/windows.js';
import { WINDOWS_NET_SCRIPT } from '../../agent/src/probes/net/net.js';
import { WINDOWS_NETSTAT_SCRIPT } from '../../agent/src/probes/netstat/netstat.js';
import { WINDOWS_KERNEL_SCRIPT } from '../../agent/src/probes/kernel/kernel.js';
import { WINDOWS_DOMAIN_SCRIPT } from '../../agent/src/probes/password_policy/password_policy.js';
import { WINDOWS_PROCESSES_SCRIPT } from '../../agent/src/probes/processes/processes.js';
import { WINDOWS_RAID_SCRIPT } from '../../agent/src/probes/raid/windows-storage.js';
import { WINDOWS_REMOTE_ACCESS_SCRIPT } from '../../agent/src/probes/remote_access/windows.js';
import { WINDOWS_PATCHES_ARGS, WINDOWS_PATCHES_SCRIPT } from '../../agent/src/probes/patches/windows.js';
import { withRequest } from '../../agent/src/exec/powershell-process.js';
import { defenderScript } from '../../agent/src/patching/windows/defender.js';
import { WINDOWS_REBOOT_STATE_SCRIPT } from '../../agent/src/patching/windows/installer.js';
import { WUA_INSTALL_SCRIPT } from '../../agent/src/patching/windows/wua-install.js';
import { WINDOWS_SERVICES_SCRIPT } from '../../agent/src/probes/services/services.js';
import { windowsShutdownScript } from '../../agent/src/probes/shutdowns/shutdowns.js';
import { WINDOWS_SWAP_SCRIPT } from '../../agent/src/probes/swap/swap.js';
import { WINDOWS_UPS_SCRIPT } from '../../agent/src/probes/ups/windows-battery.js';
import { oneLiner, windowsPs1 } from '../../collector/src/releases/deploy-scripts.js';
import { pwshPath } from '../helpers/pwsh.js';

const RULES = fileURLToPath(new URL('../helpers/powershell/ps51-rules.ps1', import.meta.url));
const NONCE = '0123456789abcdef0123456789abcdef';
const CHECKPOINT_TIME = Date.UTC(2025, 0, 15, 12, 0, 0);

interface Ps51Report {
  engine: string;
  scripts: { name: string; parseErrors: { errorId: string; message: string; line: number; column: number }[]; violations: Ps51Violation[] }[];
}
interface Ps51Violation {
  rule: string;
  since: string;
  detail: string;
  message: string;
  line: number;
  column: number;
  text: string;
}

/** Runs ps51-rules.ps1 once over all `scripts` (one pwsh process). */
function checkScripts(scripts: Record<string, string>): Ps51Report {
  const input = JSON.stringify(Object.entries(scripts).map(([name, text]) => ({ name, text })));
  const stdout = execFileSync(pwshPath(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', RULES], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Ps51Report;
}

/** The scripts the worker runs (each also travels inside wrapRequest's one line). */
function workerScripts(): Record<string, string> {
  const o = resolveOptions({});
  const scripts: Record<string, string> = {
    'antivirus WINDOWS_AV_SCRIPT': WINDOWS_AV_SCRIPT,
    'backup WINDOWS_BACKUP_SCRIPT': WINDOWS_BACKUP_SCRIPT,
    'services WINDOWS_SERVICES_SCRIPT': WINDOWS_SERVICES_SCRIPT,
    'net WINDOWS_NET_SCRIPT through the worker': `${WINDOWS_NET_SCRIPT} | ConvertTo-Json -Compress`,
    'processes WINDOWS_PROCESSES_SCRIPT': WINDOWS_PROCESSES_SCRIPT,
    'kernel WINDOWS_KERNEL_SCRIPT': WINDOWS_KERNEL_SCRIPT,
    'netstat WINDOWS_NETSTAT_SCRIPT': WINDOWS_NETSTAT_SCRIPT,
    'diskio WINDOWS_DISKIO_SCRIPT': WINDOWS_DISKIO_SCRIPT,
    'swap WINDOWS_SWAP_SCRIPT': WINDOWS_SWAP_SCRIPT,
    'raid WINDOWS_RAID_SCRIPT': WINDOWS_RAID_SCRIPT,
    'ups WINDOWS_UPS_SCRIPT': WINDOWS_UPS_SCRIPT,
    'password_policy WINDOWS_DOMAIN_SCRIPT': WINDOWS_DOMAIN_SCRIPT,
    'remote_access WINDOWS_REMOTE_ACCESS_SCRIPT': WINDOWS_REMOTE_ACCESS_SCRIPT,
    'activation WINDOWS_ACTIVATION_SCRIPT': WINDOWS_ACTIVATION_SCRIPT,
    'shutdowns first run': windowsShutdownScript(undefined),
    'shutdowns after a checkpoint with a time': windowsShutdownScript({ recordId: 48213, time: CHECKPOINT_TIME }),
    'shutdowns after a checkpoint without a time': windowsShutdownScript({ recordId: 48213 }),
  };
  const checkpoints = [
    ['first start', undefined, undefined],
    ['after a checkpoint with a time', 123456, CHECKPOINT_TIME],
    ['after a checkpoint without a time', 123456, undefined],
  ] as const;
  for (const channel of DEFAULT_WINDOWS_CHANNELS) {
    for (const [when, after, since] of checkpoints) {
      for (const fullMessage of [false, true]) {
        const script = windowsChannelScript(channel, {
          levels: o.levels,
          after,
          since,
          cap: after === undefined ? o.firstStartMaxEvents : o.maxEventsPerRun,
          maxAgeMs: o.firstStartMaxAgeMs,
          fullMessage,
        });
        scripts[`eventlog ${channel.name} ${when}${fullMessage ? ', full message' : ''}`] = script;
      }
    }
  }
  return scripts;
}

const DEPLOY_INPUT = {
  server: 'https://watch.example.com:8443',
  token: 'wpe_0123456789abcdef_' + 'A'.repeat(43),
  tenant: 'acme',
  version: '0.2.0',
  executables: { 'win-x64': '2'.repeat(64) },
  serviceHostSha256: '3'.repeat(64),
};

/** What powershell.exe receives after -Command in the Windows one-liner (the outer quotes are the command line's). */
function oneLinerCommand(): string {
  const line = oneLiner('windows', 'https://watch.example.com', DEPLOY_INPUT.token);
  const command = /^powershell -NoProfile -ExecutionPolicy Bypass -Command "([^"]*)"$/.exec(line)?.[1];
  if (command === undefined) throw new Error(`unexpected one-liner: ${line}`);
  return command;
}

function shippedScripts(): Record<string, string> {
  const worker = workerScripts();
  return {
    'framing WORKER_PRELUDE': WORKER_PRELUDE,
    'framing wrapRequest of an empty script': wrapRequest('', NONCE),
    ...worker,
    ...Object.fromEntries(Object.entries(worker).map(([name, script]) => [`framing wrapRequest(${name})`, wrapRequest(script, NONCE)])),
    'net WINDOWS_NET_SCRIPT as powershell.exe -Command': WINDOWS_NET_SCRIPT,
    'diskio WINDOWS_DISKIO_SCRIPT as powershell.exe -Command': WINDOWS_DISKIO_SCRIPT,
    'patches WINDOWS_PATCHES_SCRIPT': WINDOWS_PATCHES_SCRIPT,
    'patching WUA_INSTALL_SCRIPT with its request line': withRequest({ ids: ['KB5034123', '0d500afc-802b-4b0e-b4cc-4087f87602ff'] }, WUA_INSTALL_SCRIPT),
    'patching WINDOWS_REBOOT_STATE_SCRIPT': WINDOWS_REBOOT_STATE_SCRIPT,
    'patching defender signature_update': defenderScript('signature_update'),
    'patching defender quick_scan': defenderScript('quick_scan'),
    'deploy windows.ps1': windowsPs1(DEPLOY_INPUT),
    'deploy Windows one-liner -Command': oneLinerCommand(),
  };
}

/**
 * One snippet per rule, with the rule and detail it must fire (and nothing else), then 5.1-valid look-alikes that
 * must fire nothing. Together they keep the checker from passing everything.
 */
const VIOLATING: [string, string, string][] = [
  ['$a = $b ?? 1', 'null-coalescing', '??'],
  ['$a ??= 1', 'null-coalescing-assignment', '??='],
  ['${a}?.Name', 'null-conditional', '?.'],
  ['${a}?.ToString()', 'null-conditional', '?.'],
  ['${a}?[0]', 'null-conditional', '?[]'],
  ['$x = $c ? 1 : 2', 'ternary', '? :'],
  ['Test-Path x && Write-Output y', 'pipeline-chain', '&&'],
  ['Test-Path x || Write-Output y', 'pipeline-chain', '||'],
  ['Get-Date &', 'background-operator', '&'],
  ['function f { process { } clean { } }', 'clean-block', 'clean'],
  ['$list.ConvertAll[string]({ $_ })', 'generic-method-call', 'Method[T]()'],
  ['"`e[31m"', 'escape-sequence', '`e'],
  ['"`u{2713}"', 'escape-sequence', '`u{}'],
  ['$x = 0b1010', 'numeric-literal', '0b'],
  ['$x = 10n', 'numeric-literal', 'n'],
  ['$x = 10u', 'numeric-literal', 'u'],
  ['$x = 1ul', 'numeric-literal', 'ul'],
  ['$x = 5y', 'numeric-literal', 'y'],
  ['[uint]$x = 1', 'type-accelerator', '[uint]'],
  ['[System.Collections.Generic.List[ulong]]::new()', 'type-accelerator', '[ulong]'],
  ["'a1' -replace '\\d', { 'n' }", 'replace-scriptblock', '-replace {}'],
  ['enum Size : byte { Small }', 'enum-underlying-type', 'enum : type'],
  ['if ($IsWindows) { 1 }', 'automatic-variable', '$IsWindows'],
  ['if ($IsLinux) { 1 }', 'automatic-variable', '$IsLinux'],
  ['if ($global:IsMacOS) { 1 }', 'automatic-variable', '$IsMacOS'],
  ['$PSStyle.OutputRendering = "PlainText"', 'automatic-variable', '$PSStyle'],
  ['Get-Item . -ProgressAction SilentlyContinue', 'common-parameter', '-ProgressAction'],
  ['#requires -Version 7.2\nGet-Date', 'requires', '-Version'],
  ['#requires -PSEdition Core\nGet-Date', 'requires', '-PSEdition'],
  ['$Error | Get-Error', 'command', 'Get-Error'],
  ['1, 2 | Join-String -Separator ","', 'command', 'Join-String'],
  ['Test-Json -Json "{}"', 'command', 'Test-Json'],
  ['1..3 | ForEach-Object -Parallel { $_ }', 'parameter', 'ForEach-Object -Parallel'],
  ['1..3 | % -Parallel { $_ }', 'parameter', 'ForEach-Object -Parallel'],
  ['ConvertTo-Json -InputObject 1 -AsArray', 'parameter', 'ConvertTo-Json -AsArray'],
  ['ConvertTo-Json -InputObject 1 -AsArr', 'parameter', 'ConvertTo-Json -AsArray'],
  ['ConvertTo-Json -InputObject "<" -EscapeHandling EscapeHtml', 'parameter', 'ConvertTo-Json -EscapeHandling'],
  ['ConvertTo-Json -InputObject 1 -EnumsAsStrings', 'parameter', 'ConvertTo-Json -EnumsAsStrings'],
  ['"{}" | ConvertFrom-Json -AsHashtable', 'parameter', 'ConvertFrom-Json -AsHashtable'],
  ['"{}" | ConvertFrom-Json -Depth 5', 'parameter', 'ConvertFrom-Json -Depth'],
  ['Invoke-WebRequest -Uri $u -SkipCertificateCheck', 'parameter', 'Invoke-WebRequest -SkipCertificateCheck'],
  ['iwr $u -SslProtocol Tls12', 'parameter', 'Invoke-WebRequest -SslProtocol'],
  ['Invoke-RestMethod $u -Authentication Bearer', 'parameter', 'Invoke-RestMethod -Authentication'],
  ['wget $u -OutFile f -Resume', 'parameter', 'Invoke-WebRequest -Resume'],
  ['irm $u -SkipHttpErrorCheck', 'parameter', 'Invoke-RestMethod -SkipHttpErrorCheck'],
  ['irm $u -StatusCodeVariable code', 'parameter', 'Invoke-RestMethod -StatusCodeVariable'],
  ['Get-Content f -AsByteStream', 'parameter', 'Get-Content -AsByteStream'],
  ['Select-String -Path f -Pattern x -Raw', 'parameter', 'Select-String -Raw'],
  ['Get-Item . | Where-Object -Not Name', 'parameter', 'Where-Object -Not'],
  ['$s | ConvertFrom-SecureString -AsPlainText', 'parameter', 'ConvertFrom-SecureString -AsPlainText'],
  ['Out-File f -Encoding utf8NoBOM', 'encoding', 'Out-File -Encoding utf8NoBOM'],
  ["Set-Content f -Encoding:'utf8BOM' -Value 1", 'encoding', 'Set-Content -Encoding utf8BOM'],
  ['Get-Content f -Encoding 1252', 'encoding', 'Get-Content -Encoding 1252'],
];

const VALID_51: string[] = [
  '$a -and $b -or -not $c',
  'if ($a -eq $null -or $null -ne $b) { 1 }',
  "@{ question = 'what?'; both = '?? ?. a ? b : c && ||'; amp = 'a & b' }",
  '@{}; [ordered]@{ a = 1 }; [pscustomobject]@{ a = 1 }',
  "$h = @{ 'a?' = 1 }; $h['a?']",
  '${a?} = 1; $b = ${a?}',
  '"``e is an escaped backtick; `n `t `$ `0"',
  "'`e and `u{1} stay as typed in single quotes'",
  '$x = 0xFF; $y = 1kb; $z = 10l; $w = 1.5d; $v = 1e3',
  '[int]$a = 1; [uint32]$b = 2; [uint64]$c = 3; [long]$d = 4; [System.UInt16]$e = 5',
  "'a1' -replace '\\d', 'n'",
  'using namespace System.Text\nclass Box { [int]$Size }\nenum Color { Red }',
  'New-Guid; Get-CimInstance -ClassName Win32_Service -Filter "State=\'Stopped\'"',
  "ConvertTo-SecureString 'x' -AsPlainText -Force",
  "Start-Process -FilePath sc.exe -ArgumentList 'query' -Wait -NoNewWindow",
  'ConvertTo-Json -InputObject 1 -Depth 3 -Compress -ErrorAction Stop -De:$false',
  'Invoke-WebRequest -UseBasicParsing -Uri $u -TimeoutSec 5 -OutFile f',
  'Out-File f -Encoding utf8; Set-Content f -Encoding Byte -Value 1; Get-Content f -Encoding oem',
  'Get-Date -Format o; Get-Content f -Raw; Select-String -Pattern x -Path f -SimpleMatch',
  'Get-Item . | Where-Object -NotLike -Property Name -Value x',
  '$job = Start-Job { 1 }; & $env:ComSpec /c ver; . ./x.ps1',
  'function f { [CmdletBinding()] param([Parameter(Mandatory)][string]$n) begin { } process { } end { } }',
  '#requires -Version 5.1\nGet-Date',
];

let report: Ps51Report;
let byName: Map<string, Ps51Report['scripts'][number]>;
const SHIPPED = shippedScripts();
const SNIPPETS = Object.fromEntries([
  ...VIOLATING.map(([text], i) => [`rule ${i}`, text.replace(/\\n/g, '\n')]),
  ...VALID_51.map((text, i) => [`valid ${i}`, text.replace(/\\n/g, '\n')]),
  ['syntax error', "$ok = 'fine'\nGet-Date\n$bad = ($ok + )\nGet-Date\n"],
]);

beforeAll(() => {
  report = checkScripts({ ...SHIPPED, ...SNIPPETS });
  byName = new Map(report.scripts.map((s) => [s.name, s]));
});

const result = (name: string) => {
  const found = byName.get(name);
  if (!found) throw new Error(`ps51-rules.ps1 did not report ${name}`);
  return found;
};
const summary = (s: Ps51Report['scripts'][number]) => ({
  parseErrors: s.parseErrors.map((e) => `${e.line}:${e.column} ${e.message}`),
  violations: s.violations.map((v) => `${v.line}:${v.column} ${v.rule} (${v.detail}, PowerShell ${v.since}): ${v.text}`),
});

describe('shipped PowerShell scripts', () => {
  it('covers every script form, all checked by one pwsh 7 engine', () => {
    expect(report.engine).toMatch(/^7\./);
    expect(report.scripts.map((s) => s.name).sort()).toEqual(Object.keys({ ...SHIPPED, ...SNIPPETS }).sort());
    // 3 default channels x (first start, checkpoint with and without a time) x (first line, full message).
    expect(Object.keys(SHIPPED).filter((n) => n.startsWith('eventlog '))).toHaveLength(DEFAULT_WINDOWS_CHANNELS.length * 6);
  });

  it.each(Object.keys(SHIPPED))('%s parses and uses nothing newer than Windows PowerShell 5.1', (name) => {
    expect(summary(result(name))).toEqual({ parseErrors: [], violations: [] });
  });

  it('the patches process gets exactly WINDOWS_PATCHES_SCRIPT through -EncodedCommand (UTF-16LE base64)', () => {
    const at = WINDOWS_PATCHES_ARGS.indexOf('-EncodedCommand');
    expect(at).toBeGreaterThan(-1);
    expect(Buffer.from(WINDOWS_PATCHES_ARGS[at + 1]!, 'base64').toString('utf16le')).toBe(WINDOWS_PATCHES_SCRIPT);
    // CreateProcess takes at most 32,767 characters of command line, the executable's full path included.
    const commandLine = ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', ...WINDOWS_PATCHES_ARGS].join(' ');
    expect(commandLine.length).toBeLessThan(32_767);
  });

  it('every worker request line carries its script as base64 of UTF-8, which parses by itself', () => {
    for (const [name, script] of Object.entries(workerScripts())) {
      const line = SHIPPED[`framing wrapRequest(${name})`]!;
      const b64 = /FromBase64String\('([^']*)'\)/.exec(line)?.[1] ?? '';
      expect(Buffer.from(b64, 'base64').toString('utf8'), name).toBe(script);
    }
  });
});

describe('ps51-rules.ps1 itself', () => {
  it.each(VIOLATING.map(([text, rule, detail], i) => [text, rule, detail, i] as const))('%j fires %s (%s) and nothing else', (_text, rule, detail, i) => {
    const found = result(`rule ${i}`);
    expect(found.parseErrors).toEqual([]);
    expect(found.violations.map((v) => [v.rule, v.detail])).toEqual([[rule, detail]]);
    expect(found.violations[0]!.since).toMatch(/^\d+(\.\d+)?\+?$/);
  });

  it('has a snippet for every rule it knows', () => {
    const rules = new Set(VIOLATING.map(([, rule]) => rule));
    expect([...rules].sort()).toEqual(
      [
        'automatic-variable',
        'background-operator',
        'clean-block',
        'command',
        'common-parameter',
        'encoding',
        'enum-underlying-type',
        'escape-sequence',
        'generic-method-call',
        'null-coalescing',
        'null-coalescing-assignment',
        'null-conditional',
        'numeric-literal',
        'parameter',
        'pipeline-chain',
        'replace-scriptblock',
        'requires',
        'ternary',
        'type-accelerator',
      ].sort(),
    );
  });

  it.each(VALID_51.map((text, i) => [text, i] as const))('%j is valid Windows PowerShell 5.1: nothing fires', (_text, i) => {
    expect(summary(result(`valid ${i}`))).toEqual({ parseErrors: [], violations: [] });
  });

  it('reports a syntax error with its line and column', () => {
    const found = result('syntax error');
    expect(found.parseErrors).toEqual([
      { errorId: 'ExpectedValueExpression', message: "You must provide a value expression following the '+' operator.", line: 3, column: 14 },
    ]);
  });

  it('reports where a violation is, on which line and column', () => {
    const found = result(`rule ${VIOLATING.findIndex(([text]) => text.startsWith('#requires -Version'))}`);
    expect(found.violations).toEqual([expect.objectContaining({ rule: 'requires', since: '7.2', line: 1, column: 1 })]);
    const parallel = result(`rule ${VIOLATING.findIndex(([text]) => text.startsWith('1..3 | ForEach-Object -Parallel'))}`);
    expect(parallel.violations).toEqual([expect.objectContaining({ since: '7.0', line: 1, column: 23, text: '-Parallel' })]);
  });
});
