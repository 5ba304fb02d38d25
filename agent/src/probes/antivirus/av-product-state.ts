// Windows Security Center (root/SecurityCenter2) AntiVirusProduct / FirewallProduct: `productState` decoding.
//
// Microsoft does not document productState. The layout used here is the community's reverse-engineered one,
// read as nibbles of the low 16 bits (sources, checked against each other):
//   - homotechsual/NinjaOne "Monitoring AV with PowerShell" (2023-03-27 revision, "more accurate interpretation
//     of ProductState"): https://homotechsual.dev/2022/10/05/Monitoring-AV-PowerShell/
//   - mcpforlife.com "How to resolve this state value of AV providers" (2020-04-14), used by several public
//     scripts as the masks ProductState 0xF000, ProductOwner 0x0F00, SignatureStatus 0x00F0.
//   - the iwscapi WSC_SECURITY_PRODUCT_STATE enum (ON/OFF/SNOOZED/EXPIRED) for the meaning of the states.
//   bits 12-15  scanner state    0 off, 1 on, 2 snoozed, 3 expired
//   bits  8-11  owner            0 third party, 1 Microsoft (Windows Defender, Security Essentials)
//   bits  4-7   definitions      0 up to date, 1 out of date
// The byte-wise reading some tools use ("0xAABBCC", BB = 00/01/10/11) disagrees with real values: enabled Defender
// is 397568 = 0x061100, which is "on + Microsoft", not "snoozed" (research notes, section 4.1).

export type ScannerState = 'on' | 'off' | 'snoozed' | 'expired' | 'unknown';

export interface ProductState {
  state: ScannerState;
  /** Registered by Microsoft itself (Defender) rather than a third-party vendor. */
  microsoft: boolean;
  upToDate: boolean;
}

const STATES: readonly ScannerState[] = ['off', 'on', 'snoozed', 'expired'];

/** Decodes a productState value (number, or the decimal string some serializers produce). Null when unusable. */
export function decodeProductState(value: unknown): ProductState | null {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffff) return null;
  return {
    state: STATES[(n >> 12) & 0xf] ?? 'unknown',
    microsoft: ((n >> 8) & 0xf) === 1,
    upToDate: ((n >> 4) & 0xf) === 0,
  };
}
