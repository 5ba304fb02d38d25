// The services probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own worker).
// Get-CimInstance is a stub that answers Win32_Service queries by evaluating the script's WQL filter over a list of
// Win32_Service instances, so the test checks what the filter selects; Test-Path answers for the TriggerInfo keys.
// The instances are rebuilt from real Win32_Service renderings (test/fixtures/windows/services/: Microsoft's documented
// Get-WSManInstance samples, a Get-CimInstance capture of BITS) with the class's types (uint32 ExitCode, booleans);
// the stopped auto-start services beyond those are the captured ehstart instance with Windows' own service names and
// display names put in, and the exit codes, delayed flags and trigger keys chosen: they are not captures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServicesProbe, WINDOWS_SERVICES_SCRIPT } from '../../../../agent/src/probes/services/services.js';
import { int } from '../../../../agent/src/sample.js';
import { psString } from '../../../helpers/pwsh-stubs.js';
import { context, fixture } from '../fixtures.js';
import {
  capturedObject,
  formatListRecords,
  sharedStubbedPowerShell,
  writeCimError,
  type CapturedType,
  type SharedStubbedPowerShell,
} from '../windows-stubs.js';

/** Win32_Service's properties (its MOF) and their types; the renderings' other lines (WS-Man namespaces, the CIM
 *  adapter's CimClass, ...) are not instance properties. */
const WIN32_SERVICE: Record<string, CapturedType> = {
  AcceptPause: 'bool',
  AcceptStop: 'bool',
  Caption: 'string',
  CheckPoint: 'uint32',
  CreationClassName: 'string',
  DelayedAutoStart: 'bool',
  Description: 'string',
  DesktopInteract: 'bool',
  DisplayName: 'string',
  ErrorControl: 'string',
  ExitCode: 'uint32',
  InstallDate: 'datetime',
  Name: 'string',
  PathName: 'string',
  ProcessId: 'uint32',
  ServiceSpecificExitCode: 'uint32',
  ServiceType: 'string',
  Started: 'bool',
  StartMode: 'string',
  StartName: 'string',
  State: 'string',
  Status: 'string',
  SystemCreationClassName: 'string',
  SystemName: 'string',
  TagId: 'uint32',
  WaitHint: 'uint32',
};

/** A rendering's record as Win32_Service property texts: WS-Management writes a null property as its own name ("InstallDate : InstallDate"). */
const win32Service = (record: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).flatMap(([name, text]) => (name in WIN32_SERVICE ? [[name, text === name ? '' : text]] : [])));

const [WINRM, MSVSMON, EHSTART] = formatListRecords(fixture('windows/services/get-wsmaninstance-win32-service-docs.txt')).map(win32Service);
const [BITS] = formatListRecords(fixture('windows/services/get-ciminstance-win32-service-bits.txt')).map(win32Service);

/** A stopped auto-start service: the captured ehstart instance with these properties put in ('' = null). */
const stoppedAuto = (Name: string, DisplayName: string, more: Record<string, string> = {}) => ({
  ...EHSTART!,
  Name,
  DisplayName,
  Caption: DisplayName,
  Description: '',
  DelayedAutoStart: 'False',
  ...more,
});

const RUNNING_AND_DISABLED = [WINRM!, MSVSMON!, BITS!];
const SEVERAL = [
  ...RUNNING_AND_DISABLED,
  EHSTART!,
  stoppedAuto('sppsvc', 'Software Protection', { DelayedAutoStart: 'True' }),
  stoppedAuto('gupdate', 'Google Update Service (gupdate)', { DelayedAutoStart: 'True' }),
  stoppedAuto('RemoteRegistry', 'Remote Registry', { ExitCode: '1077' }),
  stoppedAuto('Spooler', 'Print Spooler', { ExitCode: '1067' }),
  stoppedAuto('MapsBroker', 'Downloaded Maps Manager', { DelayedAutoStart: 'True', ExitCode: '' }),
  stoppedAuto('W32Time', 'Windows Time', { ExitCode: '4294967295', State: 'Start Pending' }),
];
const TRIGGER_KEYS = ['sppsvc', 'gupdate'].map((name) => `HKLM:\\SYSTEM\\CurrentControlSet\\Services\\${name}\\TriggerInfo`);

const WMI_ERROR = 'HRESULT 0x80041017,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand';

/** Get-CimInstance over `services` honouring a WQL filter of `Prop = 'x'` / `Prop <> 'x'` terms joined by AND
 *  (case-insensitive, like WQL); Test-Path over `triggerKeys`. */
function stubs(services: Record<string, string>[], triggerKeys: string[] = TRIGGER_KEYS): string {
  const instances = services.map((s) => capturedObject(s, (name) => WIN32_SERVICE[name] ?? 'string')).join(',\n    ');
  return `
function Get-CimInstance {
  [CmdletBinding()]
  param([string]$Namespace = 'root\\cimv2', [Parameter(Position = 0)][string]$ClassName, [string]$Filter, [string[]]$Property)
  if ($ClassName -ne 'Win32_Service') { ${writeCimError('Invalid class ', WMI_ERROR)}; return }
  $conditions = @()
  if ($Filter) {
    foreach ($term in ($Filter -split '\\s+AND\\s+')) {
      if ($term -notmatch "^\\s*(\\w+)\\s*(=|<>|!=)\\s*'([^']*)'\\s*$") { ${writeCimError('Invalid query ', WMI_ERROR)}; return }
      $conditions += ,@($Matches[1], ($Matches[2] -eq '='), $Matches[3])
    }
  }
  foreach ($service in @(
    ${instances}
  )) {
    $selected = $true
    foreach ($c in $conditions) { if (([string]$service.($c[0]) -eq $c[2]) -ne $c[1]) { $selected = $false } }
    if ($selected) { $service }
  }
}
function Test-Path {
  [CmdletBinding()]
  param([Parameter(Position = 0)][string[]]$Path, [string[]]$LiteralPath, [string]$PathType, [switch]$IsValid)
  if (-not $LiteralPath) { throw 'stub: the services script tests registry keys with -LiteralPath' }
  $keys = @(${triggerKeys.map(psString).join(', ')})
  foreach ($p in $LiteralPath) { $keys -contains $p }
}`;
}

let ps: SharedStubbedPowerShell;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
});
afterAll(() => ps.worker.stop());

const collect = (services: Record<string, string>[], uptime = 3600) =>
  createServicesProbe({ platform: 'win32', uptime: () => uptime }).collect({ ...context(), powershell: ps.with(stubs(services)) });
const rows = (services: Record<string, string>[]) => ps.with(stubs(services)).run<unknown>(WINDOWS_SERVICES_SCRIPT);

describe('services on a real PowerShell: Win32_Service through the WQL filter', () => {
  it('nothing stopped: the running and the disabled services are filtered out, the JSON is an empty array', async () => {
    expect(await rows(RUNNING_AND_DISABLED)).toEqual([]);
    expect(await collect(RUNNING_AND_DISABLED)).toEqual([{ measurement: 'services', fields: { auto_not_running: int(0), trigger_start_skipped: int(0) } }]);
    expect(ps.scripts.at(-1)).toBe(WINDOWS_SERVICES_SCRIPT);
  });

  it('one stopped auto-start service (the documented ehstart): still a JSON array of one', async () => {
    const services = [...RUNNING_AND_DISABLED, EHSTART!];
    expect(await rows(services)).toEqual([
      { name: 'ehstart', display_name: 'Windows Media Center Service Launcher', state: 'Stopped', exit_code: 0, delayed: false, trigger: false },
    ]);
    expect(await collect(services)).toEqual([
      { measurement: 'services', fields: { auto_not_running: int(1), trigger_start_skipped: int(0) } },
      {
        measurement: 'services',
        tags: { service_name: 'ehstart' },
        fields: { display_name: 'Windows Media Center Service Launcher', state: 'Stopped', exit_code: int(0), delayed: false },
      },
    ]);
  });

  it('several: trigger-start skipped, RemoteRegistry excluded, a null ExitCode left out, 4294967295 kept whole', async () => {
    const sample = (name: string, display_name: string, state: string, exit_code: number | undefined, delayed: boolean) => ({
      measurement: 'services',
      tags: { service_name: name },
      fields: { display_name, state, ...(exit_code === undefined ? {} : { exit_code: int(exit_code) }), delayed },
    });
    expect(await collect(SEVERAL)).toEqual([
      { measurement: 'services', fields: { auto_not_running: int(4), trigger_start_skipped: int(2) } },
      sample('ehstart', 'Windows Media Center Service Launcher', 'Stopped', 0, false),
      sample('Spooler', 'Print Spooler', 'Stopped', 1067, false),
      sample('MapsBroker', 'Downloaded Maps Manager', 'Stopped', undefined, true),
      sample('W32Time', 'Windows Time', 'Start Pending', 4294967295, false),
    ]);
    // Within DELAYED_GRACE_S of boot the delayed MapsBroker is not reported yet.
    expect((await collect(SEVERAL, 60)).map((s) => s.tags?.service_name)).toEqual([undefined, 'ehstart', 'Spooler', 'W32Time']);
    expect(await rows(SEVERAL)).toContainEqual({
      name: 'MapsBroker',
      display_name: 'Downloaded Maps Manager',
      state: 'Stopped',
      exit_code: null,
      delayed: true,
      trigger: false,
    });
  });

  it('the script asks for the TriggerInfo key of each selected service by its literal path', async () => {
    const r = (await rows(SEVERAL)) as { name: string; trigger: boolean }[];
    expect(r.filter((s) => s.trigger).map((s) => s.name)).toEqual(['sppsvc', 'gupdate']);
  });

  it('pwsh wrote nothing to stderr', () => {
    expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('a failing WMI query fails the run (-ErrorAction Stop) instead of reading as "nothing stopped"', async () => {
    const broken = `function Get-CimInstance { [CmdletBinding()] param([string]$Namespace, [Parameter(Position = 0)][string]$ClassName, [string]$Filter) ${writeCimError('Generic failure ', 'HRESULT 0x80041001,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', 'NotSpecified')} }`;
    const probe = createServicesProbe({ platform: 'win32', uptime: () => 3600 });
    await expect(probe.collect({ ...context(), powershell: ps.with(broken) })).rejects.toThrow(/script error: Generic failure/);
    // Without the Stop, the error is written and the empty result passes as "no auto-start service stopped".
    const lenient = WINDOWS_SERVICES_SCRIPT.replace(' -ErrorAction Stop', '');
    expect(lenient).not.toBe(WINDOWS_SERVICES_SCRIPT);
    expect(await ps.with(broken).run(lenient)).toEqual([]);
  });
});
