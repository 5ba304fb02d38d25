// Windows: a UPS on USB (or serial, with the UPS driver Windows ships) is a battery to Windows: a Win32_Battery
// instance named by the UPS ("Back-UPS ES 500 FW:824.B1.D USB FW:B1"), with the caption "Internal Battery" a laptop's
// battery has too. Which battery is a UPS (numbered, any one suffices):
//   1. the machine is not portable (Win32_SystemEnclosure.ChassisTypes holds none of the portable types): desktops and
//      servers have no battery of their own, so every battery is a UPS;
//   2. its Chemistry is 3, lead acid: UPS batteries are sealed lead-acid, laptop batteries lithium (6, 8) or report 2
//      (unknown), as the captured HP laptop does;
//   3. its name says so ("UPS", or the "USB FW:" of APC's firmware string).
// PNPDeviceID cannot tell them apart: it is empty for both in the captures. UPS vendor software (PowerChute, Eaton
// Intelligent Power Protector, CyberPower PowerPanel, NUT and apcupsd for Windows) is looked for among the services:
// installed, it means a UPS is probably attached through it, but its state is not read.
import { stateOf, type UpsFindings, type UpsReading, type UpsState } from './ups-reading.js';

/** SMBIOS chassis types of portable machines: Portable, Laptop, Notebook, Hand Held, Docking Station, Sub Notebook,
 *  Lunch Box, Tablet, Convertible, Detachable. */
const PORTABLE_CHASSIS = new Set([8, 9, 10, 11, 12, 14, 18, 30, 31, 32]);
const LEAD_ACID = 3;
/** Win32_Battery.EstimatedRunTime when Windows has no estimate (the machine is on AC). */
const NO_ESTIMATE_MINUTES = 71582788;
const UPS_NAME = /\bUPS\b|USB FW:/i;

/** Windows PowerShell 5.1: the batteries, the chassis types and UPS software services, in one request.
 *  -ErrorAction Stop on the battery query: a failing WMI query must fail the run, not read as "no UPS". */
export const WINDOWS_UPS_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '$batteries = @(Get-CimInstance -ClassName Win32_Battery | ForEach-Object {',
  '  [ordered]@{ name = [string]$_.Name; device_id = [string]$_.DeviceID; chemistry = $_.Chemistry; battery_status = $_.BatteryStatus;',
  '    charge = $_.EstimatedChargeRemaining; runtime = $_.EstimatedRunTime; status = [string]$_.Status }',
  '})',
  '$chassis = @(Get-CimInstance -ClassName Win32_SystemEnclosure | ForEach-Object { $_.ChassisTypes } | ForEach-Object { [int]$_ })',
  "$filter = \"DisplayName LIKE '%PowerChute%' OR DisplayName LIKE '%Power Protector%' OR DisplayName LIKE '%PowerPanel%' OR Name LIKE 'apcupsd%' OR DisplayName LIKE '%Network UPS Tools%' OR Name = 'upsmon'\"",
  '$software = @(Get-CimInstance -ClassName Win32_Service -Filter $filter | ForEach-Object { [string]$_.DisplayName })',
  '[pscustomobject]@{ batteries = $batteries; chassis = $chassis; software = $software } | ConvertTo-Json -Depth 4 -Compress',
].join('\n');

export interface WindowsBattery {
  name?: unknown;
  device_id?: unknown;
  chemistry?: unknown;
  battery_status?: unknown;
  charge?: unknown;
  runtime?: unknown;
  status?: unknown;
}

export interface WindowsUpsReport {
  batteries?: WindowsBattery | WindowsBattery[] | null;
  chassis?: number | number[] | null;
  software?: string | string[] | null;
}

const asList = <T>(v: T | T[] | null | undefined): T[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** BatteryStatus (CIM_Battery): 1 discharging, 2 on AC (not necessarily charging), 3 fully charged, 4 low,
 *  5 critical, 6-9 charging (high/low/critical), 10 undefined, 11 partially charged. */
function batteryState(code: number | undefined): { state: UpsState; onBattery?: boolean; lowBattery?: boolean } {
  if (code === undefined || code === 10 || code < 1 || code > 11) return { state: 'unknown' };
  const onBattery = code === 1 || code === 4 || code === 5;
  const lowBattery = code === 4 || code === 5 || code === 8 || code === 9;
  return { state: stateOf({ online: !onBattery, onBattery, lowBattery }), onBattery, lowBattery };
}

/** Rule of the file comment: the reason this battery counts as a UPS, or undefined for a laptop battery. */
export function upsReason(battery: WindowsBattery, portable: boolean): string | undefined {
  if (!portable) return 'a battery on a machine that is not portable';
  if (num(battery.chemistry) === LEAD_ACID) return 'lead-acid chemistry';
  if (UPS_NAME.test(text(battery.name)) || UPS_NAME.test(text(battery.device_id))) return 'named as a UPS';
  return undefined;
}

function reading(b: WindowsBattery): UpsReading {
  const code = num(b.battery_status);
  const { state, ...flags } = batteryState(code);
  const charge = num(b.charge);
  const minutes = num(b.runtime);
  const name = text(b.name) || text(b.device_id) || 'battery';
  return {
    name,
    source: 'win32_battery',
    state,
    attached: true,
    ...flags,
    ...(charge === undefined ? {} : { chargePercent: charge }),
    ...(minutes === undefined || minutes === NO_ESTIMATE_MINUTES ? {} : { runtimeSeconds: minutes * 60 }),
    ...(code === undefined ? {} : { osStatus: `BatteryStatus ${code}${text(b.status) ? `, ${text(b.status)}` : ''}` }),
    model: name,
  };
}

/** Pure: the script's report -> UPS findings. */
export function windowsUpsFindings(report: WindowsUpsReport): UpsFindings {
  if (report === null || typeof report !== 'object') throw new Error(`ups: unexpected PowerShell output: ${JSON.stringify(report)?.slice(0, 200)}`);
  const chassis = asList(report.chassis);
  const portable = chassis.some((c) => PORTABLE_CHASSIS.has(c));
  const batteries = asList(report.batteries);
  const ups = batteries.filter((b) => upsReason(b, portable) !== undefined);
  const software = asList(report.software).filter((s) => typeof s === 'string' && s.trim() !== '');
  const laptop = batteries.length - ups.length;
  return {
    readings: ups.map(reading),
    hints: software.map((s) => `UPS software installed (${s}); its UPS's state is not read`),
    checked: [
      batteries.length === 0 ? 'no battery (Win32_Battery)' : `${laptop} battery of this portable machine, no UPS (Win32_Battery)`,
      'no UPS software among the services',
    ],
  };
}
