// Microsoft Defender Antivirus status (Get-MpComputerStatus / MSFT_MpComputerStatus) -> one `antivirus` sample.
// Field meanings: https://learn.microsoft.com/en-us/previous-versions/windows/desktop/defender/msft-mpcomputerstatus
// The agent's PowerShell script selects the fields below and turns AntivirusSignatureLastUpdated into unix seconds;
// values may still arrive as strings (Format-List captures, older hosts), so every field is read leniently.
import { int, type FieldValue } from '../../sample.js';
import type { SampleDraft } from '../../sample.js';

/** Defender marks signatures out of date after this many days by default (AVSignatureDue). */
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
  const outOfDate = bool(s.DefenderSignaturesOutOfDate);
  const upToDate = outOfDate !== undefined ? !outOfDate : age !== undefined ? age <= DEFENDER_MAX_SIGNATURE_AGE_DAYS : undefined;
  const fields: Record<string, FieldValue> = { enabled: state === 'on', state, source: 'defender' };
  if (realtime !== undefined) fields.realtime = realtime;
  if (upToDate !== undefined) fields.up_to_date = upToDate;
  if (age !== undefined) fields.signature_age_days = Math.round(age * 1000) / 1000;
  if (updated !== undefined && updated > 0) fields.signature_updated = int(updated);
  return { measurement: 'antivirus', tags: { product: DEFENDER_PRODUCT }, fields };
}
