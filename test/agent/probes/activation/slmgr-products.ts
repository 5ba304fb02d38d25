// SoftwareLicensingProduct properties from real captures (test/fixtures/windows/activation/): a Format-List of the
// class itself, and `slmgr /dli` / `/dlv` texts turned back into the properties slmgr.vbs prints them from (its
// GetLicenseStatus texts for LicenseStatus, "minute(s)" lines for GracePeriodRemaining, "Notification Reason" for
// LicenseStatusReason). Shared by the activation tests.
import { fixture, formatList } from '../fixtures.js';

export interface ProductProperties {
  Name: string;
  Description: string;
  LicenseStatus: number;
  LicenseStatusReason: number;
  GracePeriodRemaining: number;
  LicenseIsAddon: boolean;
  PartialProductKey: string;
}

/** slmgr.vbs's "License Status:" texts, by LicenseStatus. */
const SLMGR_STATUS: Record<string, number> = {
  Unlicensed: 0,
  Licensed: 1,
  'Initial grace period': 2,
  'Additional grace period (KMS license expired or hardware out of tolerance)': 3,
  'Non-genuine grace period.': 4,
  Notification: 5,
  'Extended grace period': 6,
};

/** An slmgr /dli or /dlv capture as the product's properties (no add-on: slmgr prints the edition's license). */
export function slmgrProduct(file: string): ProductProperties {
  const text = fixture(`windows/activation/${file}`);
  const line = (label: string) => new RegExp(`^${label}: (.*)$`, 'm').exec(text)?.[1]?.trim();
  const status = SLMGR_STATUS[line('License Status') ?? ''];
  if (status === undefined) throw new Error(`${file}: unknown License Status ${line('License Status')}`);
  const minutes = /^(?:Time remaining|Volume activation expiration|Timebased activation expiration): (\d+) minute/m.exec(text)?.[1];
  const reason = /^Notification Reason: (0x[0-9A-F]+)/m.exec(text)?.[1];
  return {
    Name: line('Name')!,
    Description: line('Description')!,
    LicenseStatus: status,
    LicenseStatusReason: reason ? parseInt(reason, 16) : 0,
    GracePeriodRemaining: minutes ? Number(minutes) : 0,
    LicenseIsAddon: false,
    PartialProductKey: line('Partial Product Key')!,
  };
}

/** The Format-List capture of Windows 10 Pro (OEM_DM, licensed). */
export function formatListProduct(): ProductProperties {
  const p = formatList(fixture('windows/activation/softwarelicensingproduct-win10-pro-oem-dm.txt'));
  return {
    Name: p.Name!,
    Description: p.Description!,
    LicenseStatus: Number(p.LicenseStatus),
    LicenseStatusReason: Number(p.LicenseStatusReason),
    GracePeriodRemaining: Number(p.GracePeriodRemaining),
    LicenseIsAddon: p.LicenseIsAddon === 'True',
    PartialProductKey: p.PartialProductKey!,
  };
}
