// The activation mapping on real captures (./slmgr-products.ts): Windows 10 Pro licensed by OEM_DM (a Format-List of
// SoftwareLicensingProduct), a Server 2012 KMS client, a Windows 7 evaluation in its initial grace period, a Windows 11
// Pro retail copy in Notification (0xC004F034); and the script's JSON shapes.
import { describe, expect, it } from 'vitest';
import { activationSamples, createActivationProbe } from '../../../../agent/src/probes/activation/activation.js';
import { activationSample, hresult, licenseChannel } from '../../../../agent/src/probes/activation/license-status.js';
import { int } from '../../../../agent/src/sample.js';
import { context } from '../fixtures.js';
import { formatListProduct, slmgrProduct, type ProductProperties } from './slmgr-products.js';

/** As WINDOWS_ACTIVATION_SCRIPT selects a product. */
const row = (p: ProductProperties) => ({
  name: p.Name,
  description: p.Description,
  status: p.LicenseStatus,
  reason: p.LicenseStatusReason,
  grace: p.GracePeriodRemaining,
  addon: p.LicenseIsAddon,
});

describe('captured licenses', () => {
  it('Windows 10 Pro, OEM_DM, licensed: its informational LicenseStatusReason is not reported', () => {
    expect(activationSample(row(formatListProduct()))).toEqual({
      measurement: 'activation',
      tags: { product: 'Windows(R), Professional edition' },
      fields: { status: 'licensed', licensed: true, license_status: int(1), channel: 'OEM_DM', grace_remaining_minutes: int(0), addon: false },
    });
  });

  it('Server 2012 Standard, KMS client: licensed, 253564 minutes until the activation must be renewed', () => {
    expect(activationSample(row(slmgrProduct('slmgr-dli-server2012-kmsclient.txt'))).fields).toEqual({
      status: 'licensed',
      licensed: true,
      license_status: int(1),
      channel: 'VOLUME_KMSCLIENT',
      grace_remaining_minutes: int(253564),
      addon: false,
    });
  });

  it('Windows 7 Enterprise evaluation in its initial grace period: not licensed, 9 days left', () => {
    expect(activationSample(row(slmgrProduct('slmgr-dli-win7-enterprise-eval.txt')))).toEqual({
      measurement: 'activation',
      tags: { product: 'Windows(R) 7, Enterprise edition' },
      fields: { status: 'oob_grace', licensed: false, license_status: int(2), channel: 'TIMEBASED_EVAL', grace_remaining_minutes: int(12960), addon: false },
    });
  });

  it('Windows 11 Pro retail in Notification: the reason as slmgr prints it', () => {
    expect(activationSample(row(slmgrProduct('slmgr-dlv-win11-pro-retail-notification.txt'))).fields).toEqual({
      status: 'notification',
      licensed: false,
      license_status: int(5),
      channel: 'RETAIL',
      grace_remaining_minutes: int(0),
      status_reason: '0xC004F034',
      addon: false,
    });
  });
});

describe('mapping', () => {
  it.each([
    [0, 'unlicensed'],
    [1, 'licensed'],
    [2, 'oob_grace'],
    [3, 'oot_grace'],
    [4, 'non_genuine_grace'],
    [5, 'notification'],
    [6, 'extended_grace'],
    [7, 'unknown'],
  ])('LicenseStatus %d: %s', (status, name) => {
    expect(activationSample({ name: 'Windows(R), Professional edition', status }).fields).toMatchObject({ status: name, licensed: status === 1 });
  });

  it('missing values: no status number, no channel, product unknown', () => {
    expect(activationSample({ name: '', status: null, description: 'something else' })).toEqual({
      measurement: 'activation',
      tags: { product: 'unknown' },
      fields: { status: 'unknown', licensed: false },
    });
  });

  it('channels and HRESULTs as slmgr shows them', () => {
    expect(licenseChannel('Windows Operating System - Windows(R) 7, TIMEBASED_EVAL channel')).toBe('TIMEBASED_EVAL');
    expect(licenseChannel('Windows(R) Operating System, VOLUME_MAK channel')).toBe('VOLUME_MAK');
    expect(hresult(3221549108)).toBe('0xC004F034');
    expect(hresult(1074066433)).toBe('0x4004F401');
  });
});

describe('the report', () => {
  // An add-on license row chosen by the test (no capture of an Extended Security Updates license was found).
  const ESU = {
    name: 'Windows(R), Server-ESU-Year1 add-on for ServerStandard',
    description: 'Windows(R) Operating System, VOLUME_MAK channel',
    status: 1,
    addon: true,
  };

  it('one product (an object), several (an edition and an add-on), none (no key installed: one none point)', () => {
    expect(activationSamples({ products: row(formatListProduct()) })).toHaveLength(1);
    expect(
      activationSamples({ products: [row(slmgrProduct('slmgr-dli-server2012-kmsclient.txt')), ESU] }).map((s) => [s.tags?.product, s.fields.addon]),
    ).toEqual([
      ['Windows(R), ServerStandard edition', false],
      ['Windows(R), Server-ESU-Year1 add-on for ServerStandard', true],
    ]);
    expect(activationSamples({ products: [] })).toEqual([
      { measurement: 'activation', tags: { product: 'none' }, fields: { status: 'no_key', licensed: false } },
    ]);
    expect(activationSamples({ products: null })).toEqual(activationSamples({}));
  });

  it('output that is not the report is an error', () => {
    expect(() => activationSamples(null as never)).toThrow(/unexpected PowerShell output/);
  });

  it('Linux and macOS: no samples, no PowerShell needed', async () => {
    expect(await createActivationProbe({ platform: 'linux' }).collect(context())).toEqual([]);
    expect(await createActivationProbe({ platform: 'darwin' }).collect(context())).toEqual([]);
    await expect(createActivationProbe({ platform: 'win32' }).collect(context())).rejects.toThrow(/PowerShell worker is not available/);
  });
});
