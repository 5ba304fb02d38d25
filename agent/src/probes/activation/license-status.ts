// SoftwareLicensingProduct instances -> `activation` samples. LicenseStatus is documented by Microsoft (the
// SoftwareLicensingProduct class): 0 Unlicensed, 1 Licensed, 2 OOBGrace (initial grace period), 3 OOTGrace
// (additional grace: a KMS activation expired or the hardware changed beyond tolerance), 4 NonGenuineGrace,
// 5 Notification (grace ended: Windows nags and some features stop), 6 ExtendedGrace.
import { int, type FieldValue, type SampleDraft } from '../../sample.js';

export const LICENSE_STATUSES = ['unlicensed', 'licensed', 'oob_grace', 'oot_grace', 'non_genuine_grace', 'notification', 'extended_grace'] as const;
const LICENSED = 1;

/** One product as the activation script selects it. */
export interface LicensedProduct {
  name?: unknown;
  description?: unknown;
  status?: unknown;
  reason?: unknown;
  grace?: unknown;
  addon?: unknown;
}

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined);

/** The channel from the description, as slmgr shows it: `Windows(R) Operating System, OEM_DM channel` -> `OEM_DM`. */
export function licenseChannel(description: unknown): string | undefined {
  return typeof description === 'string' ? /([A-Z][A-Z0-9_:]*) channel\s*$/.exec(description.trim())?.[1] : undefined;
}

/** An HRESULT as slmgr prints it ("Notification Reason: 0xC004F034"). */
export const hresult = (value: number): string => `0x${(value >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

export function activationSample(p: LicensedProduct): SampleDraft {
  const status = count(p.status);
  const fields: Record<string, FieldValue> = {
    status: status === undefined ? 'unknown' : (LICENSE_STATUSES[status] ?? 'unknown'),
    licensed: status === LICENSED,
  };
  if (status !== undefined) fields.license_status = int(status);
  const channel = licenseChannel(p.description);
  if (channel) fields.channel = channel;
  const grace = count(p.grace);
  if (grace !== undefined) fields.grace_remaining_minutes = int(grace);
  // The reason explains a product that is not licensed; on a licensed one it is an informational code.
  const reason = count(p.reason);
  if (reason !== undefined && reason !== 0 && status !== LICENSED) fields.status_reason = hresult(reason);
  if (typeof p.addon === 'boolean') fields.addon = p.addon;
  const product = typeof p.name === 'string' && p.name.trim() !== '' ? p.name.trim() : 'unknown';
  return { measurement: 'activation', tags: { product }, fields };
}

/** No Windows product with a key installed: nothing can be licensed. */
export const noKeySample = (): SampleDraft => ({ measurement: 'activation', tags: { product: 'none' }, fields: { status: 'no_key', licensed: false } });
