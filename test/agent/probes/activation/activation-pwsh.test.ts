// The activation probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own
// worker) with Get-CimInstance stubbed: it answers the script's WQL query (checked: Windows' ApplicationID, only
// products with a key) with SoftwareLicensingProduct instances rebuilt from real captures (./slmgr-products.ts) with
// the class's types: uint32 LicenseStatus, LicenseStatusReason and GracePeriodRemaining, boolean LicenseIsAddon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createActivationProbe,
  WINDOWS_ACTIVATION_SCRIPT,
  WINDOWS_APPLICATION_ID,
  type WindowsActivationReport,
} from '../../../../agent/src/probes/activation/activation.js';
import { int } from '../../../../agent/src/sample.js';
import { psObject, psString, psTyped } from '../../../helpers/pwsh-stubs.js';
import { context } from '../fixtures.js';
import { sharedStubbedPowerShell, writeCimError, type SharedStubbedPowerShell } from '../windows-stubs.js';
import { formatListProduct, slmgrProduct, type ProductProperties } from './slmgr-products.js';

const instance = (p: ProductProperties) =>
  psObject({
    ApplicationID: WINDOWS_APPLICATION_ID,
    Description: p.Description,
    GracePeriodRemaining: psTyped.uint32(p.GracePeriodRemaining),
    LicenseIsAddon: p.LicenseIsAddon,
    LicenseStatus: psTyped.uint32(p.LicenseStatus),
    LicenseStatusReason: psTyped.uint32(p.LicenseStatusReason),
    Name: p.Name,
    PartialProductKey: p.PartialProductKey,
  });

/** Get-CimInstance -Query: the SELECT must name Windows' application id and require a product key. */
const softwareLicensing = (instances: string[]) => `
function Get-CimInstance {
  [CmdletBinding()]
  param([string]$Namespace = 'root\\cimv2', [Parameter(Position = 0)][string]$ClassName, [string]$Query)
  if ($Query -notmatch '^SELECT .+ FROM SoftwareLicensingProduct WHERE ApplicationID = ${psString(`'${WINDOWS_APPLICATION_ID}'`).slice(1, -1)} AND PartialProductKey <> NULL$') {
    ${writeCimError('Invalid query ', 'HRESULT 0x80041017,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand')}; return
  }
  @(${instances.join(', ')})
}`;

let ps: SharedStubbedPowerShell;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
});
afterAll(() => ps.worker.stop());

const report = (instances: string[]) => ps.with(softwareLicensing(instances)).run<WindowsActivationReport>(WINDOWS_ACTIVATION_SCRIPT);
const collect = (instances: string[]) =>
  createActivationProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with(softwareLicensing(instances)) });

describe('activation on a real PowerShell', () => {
  it('Windows 10 Pro (the Format-List capture): ONE product stays an array; uint32s and the boolean as JSON numbers and boolean', async () => {
    expect(await report([instance(formatListProduct())])).toEqual({
      products: [
        {
          name: 'Windows(R), Professional edition',
          description: 'Windows(R) Operating System, OEM_DM channel',
          status: 1,
          reason: 1074066433,
          grace: 0,
          addon: false,
        },
      ],
    });
    expect(await collect([instance(formatListProduct())])).toEqual([
      {
        measurement: 'activation',
        tags: { product: 'Windows(R), Professional edition' },
        fields: { status: 'licensed', licensed: true, license_status: int(1), channel: 'OEM_DM', grace_remaining_minutes: int(0), addon: false },
      },
    ]);
    expect(ps.scripts.at(-1)).toBe(WINDOWS_ACTIVATION_SCRIPT);
  });

  it('Windows 11 Pro in Notification: the uint32 reason 0xC004F034 survives the trip whole', async () => {
    const [sample] = await collect([instance(slmgrProduct('slmgr-dlv-win11-pro-retail-notification.txt'))]);
    expect(sample?.fields).toMatchObject({ status: 'notification', licensed: false, status_reason: '0xC004F034' });
  });

  it('no product with a key: an empty array, one none point', async () => {
    expect(await report([])).toEqual({ products: [] });
    expect(await collect([])).toEqual([{ measurement: 'activation', tags: { product: 'none' }, fields: { status: 'no_key', licensed: false } }]);
  });

  it("the query failing (WMI's generic failure): the CIM error fails the run, nothing is made up", async () => {
    const failing = `function Get-CimInstance { [CmdletBinding()] param([string]$Query) ${writeCimError('Generic failure ', 'HRESULT 0x80041001,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', 'NotSpecified')} }`;
    await expect(ps.with(failing).run(WINDOWS_ACTIVATION_SCRIPT)).rejects.toThrow(/Generic failure/);
  });
});
