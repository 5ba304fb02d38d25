// Network UPS Tools: the UPSes upsmon watches (MONITOR lines of upsmon.conf), `upsc -l` and `upsc <ups>` output,
// and a UPS's reading. Pure. Variable names and status flags: NUT's docs/nut-names.txt ("ups.status": OL on line,
// OB on battery, LB low battery, RB replace battery, CHRG/DISCHRG, BYPASS, CAL, OFF, OVER, TRIM, BOOST, FSD).
import { leadingNumber, stateOf, type UpsReading } from './ups-reading.js';

/** `MONITOR <system> <powervalue> <username> <password> <primary|secondary|master|slave>` -> the systems
 *  ("ups@host[:port]"), in file order. Comments and other directives are skipped. */
export function parseUpsmonMonitors(text: string): string[] {
  const systems: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*MONITOR\s+"?([^\s"]+)"?\s/i.exec(line);
    if (m) systems.push(m[1]!);
  }
  return systems;
}

/** `upsc -l`: one UPS name per line (SSL notices go to stderr). */
export const parseUpscList = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^[\w.-]+$/.test(l));

/** `upsc <ups>`: "variable: value" lines. Lines without a variable (SSL notices some builds print) are skipped. */
export function parseUpsc(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([a-z][\w.]*):\s?(.*)$/.exec(line);
    if (m) values.set(m[1]!, m[2]!.trim());
  }
  return values;
}

/** A UPS's variables -> its reading. */
export function nutReading(name: string, values: Map<string, string>): UpsReading {
  const status = values.get('ups.status');
  const flags = new Set((status ?? '').split(/\s+/).filter(Boolean));
  const known = flags.has('OL') || flags.has('OB');
  const charge = leadingNumber(values.get('battery.charge'));
  const runtime = leadingNumber(values.get('battery.runtime'));
  const load = leadingNumber(values.get('ups.load'));
  const model = (values.get('device.model') ?? values.get('ups.model'))?.trim();
  return {
    name,
    source: 'nut',
    state: stateOf({ online: flags.has('OL'), onBattery: flags.has('OB'), lowBattery: flags.has('LB') }),
    attached: status !== undefined,
    ...(known ? { onBattery: flags.has('OB'), lowBattery: flags.has('LB'), replaceBattery: flags.has('RB') } : {}),
    ...(charge === undefined ? {} : { chargePercent: charge }),
    ...(runtime === undefined ? {} : { runtimeSeconds: runtime }),
    ...(load === undefined ? {} : { loadPercent: load }),
    ...(status === undefined ? {} : { osStatus: status }),
    ...(model ? { model } : {}),
  };
}

/** `upsc` failed for a configured UPS: upsd answered that the driver lost the UPS ("Data stale", "Driver not
 *  connected": lost communication), or something else went wrong (upsd not running, unknown UPS). */
export function nutFailure(name: string, message: string): UpsReading {
  const line =
    message
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? message;
  const lost = /data stale|driver not connected/i.test(line);
  return { name, source: 'nut', state: lost ? 'comm_lost' : 'unknown', attached: false, detail: `upsc: ${line}` };
}
