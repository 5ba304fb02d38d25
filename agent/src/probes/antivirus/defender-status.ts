// Microsoft Defender Antivirus status (Get-MpComputerStatus / MSFT_MpComputerStatus) -> one `antivirus` sample.
// Field meanings: https://learn.microsoft.com/en-us/previous-versions/windows/desktop/defender/msft-mpcomputerstatus
// The agent's PowerShell script selects the fields below and turns AntivirusSignatureLastUpdated into unix seconds;
// values may still arrive as strings (Format-List captures, older hosts), so every field is read leniently.
import { int, type FieldValue } from '../../sample.js';
import type { SampleDraft } from '../../sample.js';

/**
 * Signatures older than this are out of date: the default of Defender's own threshold, the policy "Define the number of
 * days before virus security intelligence is considered out of date" (WindowsDefender.admx, SignatureUpdate_AVSignatureDue,
 * registry value AVSignatureDue: "By default, this value is set to 7 days" in current Windows; older templates said 14).
 * It is also the most the DISA Defender Antivirus STIG allows (SV-213453, "virus definition age must not exceed 7 days").
 */
export const DEFENDER_MAX_SIGNATURE_AGE_DAYS = 7;
/** AntivirusSignatureAge/FullScanAge use 4294967295 / 65535 for "never". */
const NEVER_DAYS = 65535;
export const DEFENDER_PRODUCT = 'Microsoft Defender Antivirus';

export interface MpStatus {
  AMRunningMode?: unknown;
  AMServiceEnabled?: unknown;
  AntivirusEnabled?: unknown;
  RealTimeProtectionEnabled?: unknown;
  AntivirusSignatureAge?: unknown;
  AntivirusSignatureLastUpdated?: unknown;
  DefenderSignaturesOutOfDate?: unknown;
}

export function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return undefined;
}

export function num(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** "Normal" | "Passive Mode" | "SxS Passive Mode" | "EDR Block Mode" | "Not running" | absent (before 4.18.2001). */
function defenderState(s: MpStatus, realtime: boolean | undefined, enabled: boolean): string {
  const mode = typeof s.AMRunningMode === 'string' ? s.AMRunningMode.trim().toLowerCase() : '';
  // EDR block mode runs alongside a third-party primary AV, like passive mode.
  if (mode.includes('passive') || mode.includes('edr block')) return 'passive';
  if (mode === 'not running') return 'off';
  if (mode !== '' && mode !== 'normal') return 'unknown';
  if (!enabled) return 'off';
  return realtime === false ? 'off' : 'on';
}

/** One sample for Defender. `nowMs` turns the last-update time into a fractional age. */
export function defenderSample(s: MpStatus, nowMs: number): SampleDraft {
  const realtime = bool(s.RealTimeProtectionEnabled);
  const serviceUp = bool(s.AMServiceEnabled) !== false;
  const av = bool(s.AntivirusEnabled);
  const state = defenderState(s, realtime, serviceUp && av !== false);
  const updated = num(s.AntivirusSignatureLastUpdated);
  const ageDays = num(s.AntivirusSignatureAge);
  const age =
    updated !== undefined && updated > 0 ? Math.max(0, (nowMs / 1000 - updated) / 86400) : ageDays !== undefined && ageDays < NEVER_DAYS ? ageDays : undefined;
  // Defender's own verdict is not enough: DefenderSignaturesOutOfDate stays False on machines whose signatures are
  // hundreds of days old (a real capture: 278 days, False), so an age beyond the threshold is out of date whatever it
  // says. A True verdict stands even for young signatures (a stricter AVSignatureDue policy).
  const outOfDate = bool(s.DefenderSignaturesOutOfDate);
  const tooOld = age !== undefined ? age > DEFENDER_MAX_SIGNATURE_AGE_DAYS : undefined;
  const upToDate = outOfDate === true || tooOld === true ? false : outOfDate === false || tooOld === false ? true : undefined;
  const fields: Record<string, FieldValue> = { enabled: state === 'on', state, source: 'defender' };
  if (realtime !== undefined) fields.realtime = realtime;
  if (upToDate !== undefined) fields.up_to_date = upToDate;
  if (age !== undefined) fields.signature_age_days = Math.round(age * 1000) / 1000;
  if (updated !== undefined && updated > 0) fields.signature_updated = int(updated);
  return { measurement: 'antivirus', tags: { product: DEFENDER_PRODUCT }, fields };
}
