// apcupsd: `apcaccess status` ("KEY      : value" lines, up to "END APC") and a UPS's reading. Pure.
// STATUS words (apcupsd manual, "Status report fields"): ONLINE, ONBATT, LOWBATT, REPLACEBATT, COMMLOST, CAL, TRIM,
// BOOST, OVERLOAD, NOBATT, SLAVE, SLAVEDOWN, or "SHUTTING DOWN" in place of the others. STATFLAG is the same state as
// bits (apcupsd include/defines.h): 0x08 online, 0x10 on battery, 0x40 battery low, 0x80 replace battery, 0x100
// communication lost; it is read when STATUS names none of the states (during a shutdown).
import { leadingNumber, stateOf, type UpsReading } from './ups-reading.js';

const FLAG = { online: 0x08, onBattery: 0x10, lowBattery: 0x40, replaceBattery: 0x80, commLost: 0x100 };

export function parseApcaccess(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Z][A-Z ]*?)\s*:\s?(.*)$/.exec(line);
    if (m) values.set(m[1]!, m[2]!.trim());
  }
  return values;
}

export function apcupsdReading(values: Map<string, string>): UpsReading {
  const status = values.get('STATUS') ?? '';
  const words = new Set(status.split(/\s+/).filter(Boolean));
  const statflag = /^0x[0-9a-f]+/i.test(values.get('STATFLAG') ?? '') ? parseInt(values.get('STATFLAG')!, 16) : undefined;
  const fromWords = ['ONLINE', 'ONBATT', 'COMMLOST'].some((w) => words.has(w));
  const bit = (mask: number) => statflag !== undefined && (statflag & mask) !== 0;
  const flags = fromWords
    ? {
        online: words.has('ONLINE'),
        onBattery: words.has('ONBATT'),
        lowBattery: words.has('LOWBATT'),
        replaceBattery: words.has('REPLACEBATT'),
        commLost: words.has('COMMLOST'),
      }
    : statflag !== undefined
      ? {
          online: bit(FLAG.online),
          onBattery: bit(FLAG.onBattery),
          lowBattery: bit(FLAG.lowBattery),
          replaceBattery: bit(FLAG.replaceBattery),
          commLost: bit(FLAG.commLost),
        }
      : undefined;
  const state = flags ? stateOf(flags) : 'unknown';
  const charge = leadingNumber(values.get('BCHARGE'));
  const minutes = leadingNumber(values.get('TIMELEFT'));
  const load = leadingNumber(values.get('LOADPCT'));
  const model = values.get('MODEL');
  return {
    name: values.get('UPSNAME') || model || 'apcupsd',
    source: 'apcupsd',
    state,
    attached: state !== 'comm_lost' && state !== 'unknown',
    ...(flags && !flags.commLost ? { onBattery: flags.onBattery, lowBattery: flags.lowBattery, replaceBattery: flags.replaceBattery } : {}),
    // With communication lost, the last values apcupsd holds are stale: left out.
    ...(charge === undefined || flags?.commLost ? {} : { chargePercent: charge }),
    ...(minutes === undefined || flags?.commLost ? {} : { runtimeSeconds: minutes * 60 }),
    ...(load === undefined || flags?.commLost ? {} : { loadPercent: load }),
    ...(status ? { osStatus: status } : {}),
    ...(model ? { model } : {}),
  };
}
