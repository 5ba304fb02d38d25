// The ups probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own worker).
// Get-CimInstance is a stub: Win32_Battery instances rebuilt from real captures (test/fixtures/windows/ups/: an APC
// Back-UPS ES 500 on a Hyper-V Server, Get-WmiObject; an HP laptop's battery, Get-CimInstance) with the class's types
// (uint16 Chemistry, BatteryStatus, Availability, EstimatedChargeRemaining; uint32 EstimatedRunTime), and
// Win32_Service evaluated against the script's WQL filter (LIKE and = terms joined by OR). The chassis types (23 rack
// mount for the server, 10 notebook for the laptop; the captures do not show them) and the services are chosen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpsProbe } from '../../../../agent/src/probes/ups/ups.js';
import { WINDOWS_UPS_SCRIPT, type WindowsUpsReport } from '../../../../agent/src/probes/ups/windows-battery.js';
import { psExpr, psObject, psTyped } from '../../../helpers/pwsh-stubs.js';
import { context, fixture } from '../fixtures.js';
import { formatListRecords, sharedStubbedPowerShell, writeCimError, type SharedStubbedPowerShell } from '../windows-stubs.js';

const UINT16 = new Set(['Availability', 'BatteryStatus', 'Chemistry', 'EstimatedChargeRemaining', 'ConfigManagerErrorCode', 'LastErrorCode']);
const UINT32 = new Set([
  'EstimatedRunTime',
  'DesignCapacity',
  'DesignVoltage',
  'FullChargeCapacity',
  'ExpectedLife',
  'MaxRechargeTime',
  'TimeOnBattery',
  'TimeToFullCharge',
]);

/** A Win32_Battery capture as the CIM instance: WMI system properties and the CIM adapter's lines left out. */
function battery(file: string): string {
  const record = formatListRecords(fixture(`windows/ups/${file}`))[0]!;
  const props = Object.entries(record).flatMap(([name, text]): [string, unknown][] => {
    if (name.startsWith('__') || /^(PSComputerName|CimClass|CimInstanceProperties|CimSystemProperties)$/.test(name)) return [];
    if (text === '') return [[name, null]];
    if (name === 'PowerManagementCapabilities') return [[name, [psTyped.uint16(Number(text.replace(/[{}]/g, '')))]]];
    if (UINT16.has(name)) return [[name, psTyped.uint16(Number(text))]];
    if (UINT32.has(name)) return [[name, psTyped.uint32(Number(text))]];
    if (/^(True|False)$/.test(text)) return [[name, text === 'True']];
    return [[name, text]];
  });
  return psObject(Object.fromEntries(props));
}

const BACK_UPS = battery('get-wmiobject-win32-battery-back-ups-es-500.txt');
const HP_LAPTOP = battery('get-ciminstance-win32-battery-hp-laptop.txt');
const enclosure = (...types: number[]) => psObject({ Tag: 'System Enclosure 0', ChassisTypes: psExpr(`[uint16[]]@(${types.join(', ')})`) });
const service = (Name: string, DisplayName: string) => psObject({ Name, DisplayName, State: 'Running', StartMode: 'Auto' });
const WINDOWS_SERVICES = [service('Power', 'Power'), service('wbengine', 'Block Level Backup Engine Service'), service('Spooler', 'Print Spooler')];

function stubs(spec: { batteries: string[]; chassis: string; services?: string[]; failBatteries?: boolean }): string {
  return `
function Get-CimInstance {
  [CmdletBinding()]
  param([string]$Namespace = 'root\\cimv2', [Parameter(Position = 0)][string]$ClassName, [string]$Filter)
  switch ($ClassName) {
    'Win32_Battery' { ${spec.failBatteries ? writeCimError('Generic failure ', 'HRESULT 0x80041001,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', 'NotSpecified') : spec.batteries.join('; ')} }
    'Win32_SystemEnclosure' { ${spec.chassis} }
    'Win32_Service' {
      $terms = @($Filter -split '\\s+OR\\s+')
      foreach ($s in @(${[...WINDOWS_SERVICES, ...(spec.services ?? [])].join(', ')})) {
        $hit = $false
        foreach ($t in $terms) {
          if ($t -match "^\\s*(\\w+)\\s+LIKE\\s+'([^']*)'\\s*$") { if ([string]$s.($Matches[1]) -like ($Matches[2] -replace '%', '*')) { $hit = $true } }
          elseif ($t -match "^\\s*(\\w+)\\s*=\\s*'([^']*)'\\s*$") { if ([string]$s.($Matches[1]) -eq $Matches[2]) { $hit = $true } }
          else { throw "stub: unexpected WQL term $t" }
        }
        if ($hit) { $s }
      }
    }
    default { throw "stub: unexpected class $ClassName" }
  }
}`;
}

let ps: SharedStubbedPowerShell;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
});
afterAll(() => ps.worker.stop());

const report = (spec: Parameters<typeof stubs>[0]) => ps.with(stubs(spec)).run<WindowsUpsReport>(WINDOWS_UPS_SCRIPT);
const collect = (spec: Parameters<typeof stubs>[0]) => createUpsProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with(stubs(spec)) });

describe('ups on a real PowerShell: Win32_Battery, the chassis, UPS software', () => {
  it('the Back-UPS on a rack server: one UPS, on line, 84 %, 19 minutes', async () => {
    expect(await report({ batteries: [BACK_UPS], chassis: enclosure(23) })).toEqual({
      batteries: [
        {
          name: 'Back-UPS ES 500 FW:824.B1.D USB FW:B1',
          device_id: 'JB0536025269  APCBack-UPS ES 500 FW:824.B1.D USB FW:B1',
          chemistry: 3,
          battery_status: 2,
          charge: 84,
          runtime: 19,
          status: 'OK',
        },
      ],
      chassis: [23],
      software: [],
    });
    expect(await collect({ batteries: [BACK_UPS], chassis: enclosure(23) })).toEqual([
      {
        measurement: 'ups',
        tags: { ups: 'Back-UPS ES 500 FW:824.B1.D USB FW:B1', source: 'win32_battery' },
        fields: {
          state: 'online',
          on_battery: false,
          low_battery: false,
          charge_percent: 84,
          runtime_seconds: expect.objectContaining({ value: 1140 }),
          os_status: 'BatteryStatus 2, OK',
          model: 'Back-UPS ES 500 FW:824.B1.D USB FW:B1',
        },
      },
      {
        measurement: 'ups',
        fields: { status: 'present', seen: expect.objectContaining({ value: 1 }), reason: 'Back-UPS ES 500 FW:824.B1.D USB FW:B1 (win32_battery): online' },
      },
    ]);
    expect(ps.scripts.at(-1)).toBe(WINDOWS_UPS_SCRIPT);
  });

  it("a notebook's own discharging battery is no UPS: not_seen", async () => {
    const samples = await collect({ batteries: [HP_LAPTOP], chassis: enclosure(10) });
    expect(samples).toEqual([
      {
        measurement: 'ups',
        fields: {
          status: 'not_seen',
          seen: expect.objectContaining({ value: 0 }),
          reason: 'no UPS seen: 1 battery of this portable machine, no UPS (Win32_Battery), no UPS software among the services',
        },
      },
    ]);
  });

  it('a notebook with a UPS on USB: the lead-acid battery is the UPS, its own is not', async () => {
    const samples = await collect({ batteries: [HP_LAPTOP, BACK_UPS], chassis: enclosure(10) });
    expect(samples.filter((s) => s.tags).map((s) => s.tags!.ups)).toEqual(['Back-UPS ES 500 FW:824.B1.D USB FW:B1']);
  });

  it('no battery, PowerChute installed: unknown; the Windows Power service and backup services are no UPS software', async () => {
    const spec = { batteries: [], chassis: enclosure(17), services: [service('PCNS1', 'PowerChute Network Shutdown')] };
    expect((await report(spec)).software).toEqual(['PowerChute Network Shutdown']);
    expect((await collect(spec)).at(-1)!.fields).toMatchObject({
      status: 'unknown',
      reason: "UPS software installed (PowerChute Network Shutdown); its UPS's state is not read",
    });
    expect((await collect({ batteries: [], chassis: enclosure(17) })).at(-1)!.fields).toMatchObject({ status: 'not_seen' });
  });

  it('a failing battery query fails the run instead of reading as "no UPS"', async () => {
    await expect(collect({ batteries: [], chassis: enclosure(23), failBatteries: true })).rejects.toThrow(/Generic failure/);
  });

  it('pwsh wrote nothing to stderr', () => {
    expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });
});
