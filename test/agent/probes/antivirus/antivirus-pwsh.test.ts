// The antivirus probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own worker)
// with the Windows-only commands stubbed from real captures (test/helpers/pwsh-stubs.ts, ../windows-stubs.ts):
// SecurityCenter2 AntiVirusProduct instances (a Windows client, 2018), Get-MpComputerStatus as the CIM instance
// MSFT_MpComputerStatus it is on Windows (booleans, uint32 ages, [datetime] dates) from three Format-List captures,
// and the Windows Server path, where Get-CimInstance fails with "Invalid namespace".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAntivirusProbe, WINDOWS_AV_SCRIPT, type WindowsAvReport } from '../../../../agent/src/probes/antivirus/antivirus.js';
import { defenderSample, DEFENDER_MAX_SIGNATURE_AGE_DAYS } from '../../../../agent/src/probes/antivirus/defender-status.js';
import { int, type SampleDraft } from '../../../../agent/src/sample.js';
import { psObject, psTyped, uninstallKeysStub } from '../../../helpers/pwsh-stubs.js';
import { context, fixture } from '../fixtures.js';
import {
  capturedObject,
  formatListRecords,
  sharedStubbedPowerShell,
  writeCimError,
  type CapturedType,
  type SharedStubbedPowerShell,
} from '../windows-stubs.js';

const DAY_MS = 86_400_000;
const DEFENDER = 'Microsoft Defender Antivirus';
const UNINSTALL = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*';
const UNINSTALL_WOW = 'HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*';

// SecurityCenter2 products as CIM instances: the captured properties, productState a uint32, timestamp a string.
const SC_CAPTURE = JSON.parse(fixture('windows/securitycenter2-antivirusproduct-cylance-defender.json')) as Record<string, unknown>[];
const scInstance = (p: Record<string, unknown>) => psObject({ ...p, productState: psTyped.uint32(p.productState as number) });

/** Get-CimInstance as on a Windows client: root/SecurityCenter2 answers with the given instances per class. */
function securityCenterStub(products: { AntiVirusProduct: string[]; FirewallProduct: string[] }): string {
  return `
function Get-CimInstance {
  [CmdletBinding()]
  param([string]$Namespace = 'root\\cimv2', [Parameter(Position = 0)][string]$ClassName, [string]$Filter)
  if ($Namespace -ne 'root/SecurityCenter2') { throw "stub: unexpected namespace $Namespace" }
  switch ($ClassName) {
    'AntiVirusProduct' { ${products.AntiVirusProduct.join('; ')} }
    'FirewallProduct' { ${products.FirewallProduct.join('; ')} }
    default { ${writeCimError('Invalid class ', 'HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand')} }
  }
}`;
}

/** Get-CimInstance as on Windows Server, which has no SecurityCenter2: a non-terminating CIM error, as the real one writes. */
const NO_SECURITY_CENTER = `
function Get-CimInstance {
  [CmdletBinding()]
  param([string]$Namespace = 'root\\cimv2', [Parameter(Position = 0)][string]$ClassName, [string]$Filter)
  ${writeCimError('Invalid namespace ', 'HRESULT 0x8004100e,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand')}
}`;

/** MSFT_MpComputerStatus property types (its MOF): booleans, uint32 ages and states, uint8 scan sources, datetimes. */
const mpType = (name: string, text: string): CapturedType =>
  /^(True|False)$/.test(text)
    ? 'bool'
    : /(Time|Updated|Expiration)$/.test(name)
      ? 'datetime'
      : /^(LastFullScanSource|LastQuickScanSource|RealTimeScanDirection)$/.test(name)
        ? 'uint8'
        : /^\d+$/.test(text)
          ? 'uint32'
          : 'string';

/** Get-MpComputerStatus returning the captured status (the real cmdlet's parameters are not used by the script). */
const mpStub = (capture: string) =>
  `function Get-MpComputerStatus { [CmdletBinding()] param() ${capturedObject(formatListRecords(fixture(`windows/${capture}`))[0]!, mpType)} }`;

/**
 * Uninstall-key entries for uninstallKeysStub: the real key names of Windows Server's built-in entries without a
 * DisplayName (AddressBook, Connection Manager, ...) and real product names; they are not a capture.
 */

const SERVER_SOFTWARE = {
  [UNINSTALL]: [
    { PSChildName: 'AddressBook' },
    { PSChildName: 'Connection Manager', SystemComponent: psTyped.int(1) },
    { PSChildName: 'Sophos Endpoint Agent', DisplayName: 'Sophos Endpoint Agent', DisplayVersion: '2023.2.1.9' },
    { PSChildName: 'Amazon SSM Agent', DisplayName: 'Amazon SSM Agent', DisplayVersion: '3.2.582.0' },
  ],
  [UNINSTALL_WOW]: [
    { PSChildName: 'IE40' },
    { PSChildName: '7-Zip', DisplayName: '7-Zip 23.01', DisplayVersion: '23.01' },
    { PSChildName: 'Sophos Endpoint Agent', DisplayName: 'Sophos Endpoint Agent' },
    { PSChildName: 'Bitdefender Endpoint Security Tools', DisplayName: 'Bitdefender Endpoint Security Tools' },
  ],
};

/** A captured local wall time ("5/6/2024 1:09:46 AM" = new Date(2024, 4, 6, 1, 9, 46)) in unix seconds: pwsh and Node read the same zone. */
const localSeconds = (...parts: [number, number, number, number, number, number]) => new Date(...parts).getTime() / 1000;

const registry = (product: string): SampleDraft => ({ measurement: 'antivirus', tags: { product }, fields: { state: 'unknown', source: 'registry' } });

let ps: SharedStubbedPowerShell;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
});
afterAll(() => ps.worker.stop());

const collect = (stubs: string, nowMs: number) =>
  createAntivirusProbe({ platform: 'win32' }).collect({ ...context(), now: () => nowMs, powershell: ps.with(stubs) });
const report = (stubs: string) => ps.with(stubs).run<WindowsAvReport>(WINDOWS_AV_SCRIPT);

describe('antivirus on a real PowerShell: Windows client (SecurityCenter2)', () => {
  it('every registered product, and Defender from the documented Get-MpComputerStatus sample', async () => {
    const updated = localSeconds(2013, 6, 30, 3, 1, 45);
    const stubs = securityCenterStub({ AntiVirusProduct: SC_CAPTURE.map(scInstance), FirewallProduct: [] }) + mpStub('get-mpcomputerstatus-docs.txt');
    expect(await collect(stubs, updated * 1000 + DAY_MS / 2)).toEqual([
      {
        measurement: 'antivirus',
        tags: { product: 'CylancePROTECT' },
        fields: {
          state: 'on',
          source: 'securitycenter',
          enabled: true,
          realtime: true,
          up_to_date: true,
          reported_at: int(Date.parse('Mon, 18 Jun 2018 08:42:34 GMT') / 1000),
        },
      },
      {
        measurement: 'antivirus',
        tags: { product: 'Windows Defender' },
        fields: {
          state: 'off',
          source: 'securitycenter',
          enabled: false,
          realtime: false,
          up_to_date: true,
          reported_at: int(Date.parse('Fri, 15 Jun 2018 14:09:56 GMT') / 1000),
        },
      },
      {
        measurement: 'antivirus',
        tags: { product: DEFENDER },
        fields: { enabled: true, state: 'on', source: 'defender', realtime: true, up_to_date: true, signature_age_days: 0.5, signature_updated: int(updated) },
      },
    ]);
    expect(ps.scripts.at(-1)).toBe(WINDOWS_AV_SCRIPT);
  });

  it('ONE product and one firewall stay arrays (@(...)), no firewall at all is an empty one; the JSON has no dates', async () => {
    const zoneAlarm = psObject({ displayName: 'ZoneAlarm Firewall', productState: psTyped.uint32(266240), timestamp: 'Mon, 18 Jun 2018 08:40:00 GMT' });
    const one = await report(securityCenterStub({ AntiVirusProduct: [scInstance(SC_CAPTURE[0]!)], FirewallProduct: [zoneAlarm] }));
    expect(one.sc).toEqual([{ displayName: 'CylancePROTECT', productState: 397312, timestamp: 'Mon, 18 Jun 2018 08:42:34 GMT' }]);
    expect(one.fw).toEqual([{ displayName: 'ZoneAlarm Firewall', productState: 266240, timestamp: 'Mon, 18 Jun 2018 08:40:00 GMT' }]);
    expect(one.scError).toBeNull();
    const none = await report(securityCenterStub({ AntiVirusProduct: [scInstance(SC_CAPTURE[0]!)], FirewallProduct: [] }));
    expect(none.fw).toEqual([]);
    // No Get-MpComputerStatus stub: pwsh's own "not recognized" error, as on a machine without the Defender module.
    expect(none.mp).toBeNull();
    expect(none.mpError).toMatch(/Get-MpComputerStatus/);
    expect(none.sw).toBeNull(); // installed software is read only where Security Center is missing
  });
});

describe('antivirus on a real PowerShell: Windows Server (no SecurityCenter2)', () => {
  it('Server 2019 on EC2: Defender with 129-day-old signatures, products from the Uninstall keys, entries without a name skipped', async () => {
    const updated = localSeconds(2023, 8, 4, 7, 28, 8);
    const stubs = NO_SECURITY_CENTER + mpStub('get-mpcomputerstatus-server2019-ec2.txt') + uninstallKeysStub(SERVER_SOFTWARE);
    const r = await report(stubs);
    expect(r.scError).toBe('Invalid namespace ');
    expect(r.sw).toEqual(['7-Zip 23.01', 'Amazon SSM Agent', 'Bitdefender Endpoint Security Tools', 'Sophos Endpoint Agent']);
    expect(await collect(stubs, updated * 1000 + 129 * DAY_MS)).toEqual([
      {
        measurement: 'antivirus',
        tags: { product: DEFENDER },
        fields: { enabled: true, state: 'on', source: 'defender', up_to_date: false, signature_age_days: 129, signature_updated: int(updated) },
      },
      registry('Bitdefender Endpoint Security Tools'),
      registry('Sophos Endpoint Agent'),
    ]);
  });

  it('Server 2025 whose signatures are 278 days old while DefenderSignaturesOutOfDate says False: not up to date', async () => {
    const updated = localSeconds(2024, 4, 6, 1, 9, 46);
    const software = {
      [UNINSTALL]: [{ PSChildName: 'AddressBook' }, { PSChildName: 'CrowdStrike', DisplayName: 'CrowdStrike Windows Sensor' }],
      [UNINSTALL_WOW]: [],
    };
    const stubs = NO_SECURITY_CENTER + mpStub('get-mpcomputerstatus-server2025-stale-278d.txt') + uninstallKeysStub(software);
    const r = await report(stubs);
    expect(r.mp).toMatchObject({
      AMRunningMode: 'Normal',
      AntivirusSignatureAge: 278,
      DefenderSignaturesOutOfDate: false,
      AntivirusSignatureLastUpdated: updated,
    });
    expect(r.sw).toEqual(['CrowdStrike Windows Sensor']); // one name: still an array
    expect(await collect(stubs, updated * 1000 + 278.5 * DAY_MS)).toEqual([
      {
        measurement: 'antivirus',
        tags: { product: DEFENDER },
        fields: {
          enabled: true,
          state: 'on',
          source: 'defender',
          realtime: true,
          up_to_date: false,
          signature_age_days: 278.5,
          signature_updated: int(updated),
        },
      },
      registry('CrowdStrike Windows Sensor'),
    ]);
  });

  it('Defender removed (no Get-MpComputerStatus), one Uninstall key missing, nothing that looks like antivirus: no samples', async () => {
    const r = await report(
      NO_SECURITY_CENTER + uninstallKeysStub({ [UNINSTALL]: [{ PSChildName: 'AddressBook' }, { PSChildName: 'Edge', DisplayName: 'Microsoft Edge' }] }),
    );
    expect(r).toMatchObject({ sc: null, fw: null, scError: 'Invalid namespace ', mp: null, sw: ['Microsoft Edge'] });
    expect(r.mpError).toMatch(/^The term 'Get-MpComputerStatus' is not recognized/);
    expect(await collect(NO_SECURITY_CENTER + uninstallKeysStub({ [UNINSTALL]: [], [UNINSTALL_WOW]: [{ PSChildName: 'IE40' }] }), Date.now())).toEqual([]);
    expect((await report(NO_SECURITY_CENTER + uninstallKeysStub({ [UNINSTALL]: [], [UNINSTALL_WOW]: [] }))).sw).toEqual([]);
  });

  it('Get-MpComputerStatus failing with a CIM error, or answering nothing, is an mpError: never a Defender sample made of nulls', async () => {
    // The Defender service stopped or disabled: the cmdlet writes a non-terminating CIM error (message illustrative).
    const failing = `function Get-MpComputerStatus { [CmdletBinding()] param() ${writeCimError('Operation failed with the following error: 0x800106ba', 'HRESULT 0x800106ba,Get-MpComputerStatus', 'NotSpecified')} }`;
    const silent = 'function Get-MpComputerStatus { [CmdletBinding()] param() }';
    for (const stub of [failing, silent]) {
      const r = await report(NO_SECURITY_CENTER + stub + uninstallKeysStub({ [UNINSTALL]: [], [UNINSTALL_WOW]: [] }));
      expect(r.mp, stub).toBeNull();
      expect(r.mpError).toMatch(/0x800106ba|returned no status/);
      expect(await collect(NO_SECURITY_CENTER + stub + uninstallKeysStub({ [UNINSTALL]: [], [UNINSTALL_WOW]: [] }), Date.now())).toEqual([]);
    }
  });

  it('pwsh wrote nothing to stderr: every error above was caught by the script', () => {
    expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it("$ErrorActionPreference = 'Stop' is what makes the CIM error an scError: without it a server would look like a client with no products", async () => {
    const script = WINDOWS_AV_SCRIPT.replace("$ErrorActionPreference = 'Stop'", '');
    expect(script).not.toBe(WINDOWS_AV_SCRIPT);
    const r = await ps.with(NO_SECURITY_CENTER + uninstallKeysStub({ [UNINSTALL]: [], [UNINSTALL_WOW]: [] })).run<WindowsAvReport>(script);
    expect(r).toMatchObject({ sc: [], fw: [], scError: null, sw: null });
  });
});

describe('Defender up_to_date: its own verdict, and the age beyond AVSignatureDue', () => {
  const at = (age: number, outOfDate?: boolean) =>
    defenderSample({ AMRunningMode: 'Normal', AntivirusSignatureAge: age, ...(outOfDate === undefined ? {} : { DefenderSignaturesOutOfDate: outOfDate }) }, 0)
      .fields.up_to_date;

  it.each([
    [278, false, false], // the Server 2025 capture: False beside 278 days
    [DEFENDER_MAX_SIGNATURE_AGE_DAYS + 1, false, false],
    [DEFENDER_MAX_SIGNATURE_AGE_DAYS, false, true],
    [1, true, false], // a stricter AVSignatureDue policy: Defender's True stands
    [0, undefined, true], // no verdict (Defender 4.3): the age decides
    [129, undefined, false],
    [4294967295, false, true], // "never" is no age: the verdict decides
    [4294967295, undefined, undefined],
  ])('age %d days, DefenderSignaturesOutOfDate %s: up_to_date %s', (age, outOfDate, expected) => {
    expect(at(age, outOfDate)).toBe(expected);
  });
});
