// What every UPS source produces (one UpsReading per UPS, plus hints of a UPS whose state is not read) and the pure
// mapping to `ups` samples: one point per UPS and one summary point per host.
//
// The summary's `status` is what the collector's "UPS on servers" verdict reads. What each value proves:
//   1. `present`: a UPS is attached and seen: it reports its state (NUT, apcupsd, a Windows battery that is a UPS,
//      macOS power sources), or the kernel shows a USB HID power device (its state then is `unknown`).
//   2. `unknown`: a UPS is configured or its software installed, but nothing reads it now: NUT or apcupsd configured
//      and not answering or reporting lost communication, UPS vendor software on Windows.
//   3. `not_seen`: none of the sources the platform checks shows a UPS. It proves only that no UPS is connected
//      through them (the reason names them); a UPS shutting the host down over the network through software the probe
//      does not know stays unseen.
import { int, type FieldValue, type SampleDraft } from '../../sample.js';

export type UpsSource = 'nut' | 'apcupsd' | 'win32_battery' | 'pmset' | 'power_supply' | 'usb_hid';
export type UpsState = 'online' | 'on_battery' | 'low_battery' | 'comm_lost' | 'unknown';
export type UpsStatus = 'present' | 'unknown' | 'not_seen';

export interface UpsReading {
  name: string;
  source: UpsSource;
  state: UpsState;
  /** Rule 1: the UPS is shown as attached now (false for a configured UPS that does not answer). */
  attached: boolean;
  onBattery?: boolean;
  lowBattery?: boolean;
  replaceBattery?: boolean;
  chargePercent?: number;
  runtimeSeconds?: number;
  loadPercent?: number;
  /** The source's own words ("OL CHRG", "ONBATT", "BatteryStatus 2", "charging"). */
  osStatus?: string;
  model?: string;
  detail?: string;
}

export interface UpsFindings {
  readings: UpsReading[];
  /** Rule 2: a UPS configured or its software installed, state not read. */
  hints: string[];
  /** What was checked and found nothing, for the `not_seen` reason ("NUT not installed", "no USB HID power device"). */
  checked: string[];
}

/** The state of the flags a source reports; `unknown` when it reports none of them. */
export function stateOf(flags: { online?: boolean; onBattery?: boolean; lowBattery?: boolean; commLost?: boolean }): UpsState {
  if (flags.commLost) return 'comm_lost';
  if (flags.lowBattery) return 'low_battery';
  if (flags.onBattery) return 'on_battery';
  if (flags.online) return 'online';
  return 'unknown';
}

/** The summary rule of the file comment. Pure. */
export function upsStatus(findings: UpsFindings): { status: UpsStatus; reason: string } {
  const attached = findings.readings.filter((r) => r.attached);
  if (attached.length > 0) return { status: 'present', reason: attached.map((r) => `${r.name} (${r.source}): ${r.state}`).join('; ') };
  const configured = findings.readings.map((r) => `${r.name} (${r.source}): ${r.state}${r.detail ? `, ${r.detail}` : ''}`);
  if (configured.length > 0 || findings.hints.length > 0) return { status: 'unknown', reason: [...configured, ...findings.hints].join('; ') };
  return { status: 'not_seen', reason: `no UPS seen: ${findings.checked.join(', ')}` };
}

function readingFields(r: UpsReading): Record<string, FieldValue> {
  const opt = <T>(key: string, value: T | undefined, f: (v: T) => FieldValue = (v) => v as FieldValue) => (value === undefined ? {} : { [key]: f(value) });
  return {
    state: r.state,
    ...opt('on_battery', r.onBattery),
    ...opt('low_battery', r.lowBattery),
    ...opt('replace_battery', r.replaceBattery),
    ...opt('charge_percent', r.chargePercent),
    ...opt('runtime_seconds', r.runtimeSeconds, (v) => int(Math.round(v))),
    ...opt('load_percent', r.loadPercent),
    ...opt('os_status', r.osStatus),
    ...opt('model', r.model),
    ...opt('detail', r.detail),
  };
}

/** One point per UPS (tags ups, source) and the summary point (no tags). Pure. */
export function upsSamples(findings: UpsFindings): SampleDraft[] {
  const { status, reason } = upsStatus(findings);
  const points = findings.readings.map((r): SampleDraft => ({ measurement: 'ups', tags: { ups: r.name, source: r.source }, fields: readingFields(r) }));
  const seen = findings.readings.filter((r) => r.attached).length;
  return [...points, { measurement: 'ups', fields: { status, seen: int(seen), reason } }];
}

/** "100.0 Percent", "46.8 Minutes", "00076", "5" -> the number; undefined for anything else. */
export function leadingNumber(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^\s*(-?\d+(?:\.\d+)?)/.exec(value);
  return m ? Number(m[1]) : undefined;
}
