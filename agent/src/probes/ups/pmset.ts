// macOS: `pmset -g batt`, the power sources IOKit knows: a header naming the source the Mac draws from ("Now drawing
// from 'AC Power'"; older releases say "Currently drawing from"), then one line per battery-like source:
//    -InternalBattery-0 (id=4587619)	40%; discharging; 3:03 remaining present: true
//    -Back-UPS RS1000G FW:868.L5 -P.D USB FW:L5 -P  (id=15400960)	85%; charging present: true
// Every source but the Mac's own InternalBattery is a UPS macOS talks to (over USB HID). Pure.
import { stateOf, type UpsReading } from './ups-reading.js';

const SOURCE = /^\s*-(.+?)\s*(?:\(id=\d+\))?[\t ]+(\d+)%;\s*([^;]*?)(?:;\s*(.*))?$/;

/** The UPS sources of `pmset -g batt` (the internal battery left out). */
export function parsePmsetBatt(text: string): UpsReading[] {
  const drawingFromUps = /drawing from 'UPS Power'/i.test(text);
  const readings: UpsReading[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = SOURCE.exec(line);
    if (!m || /^InternalBattery/i.test(m[1]!)) continue;
    const condition = m[3]!.replace(/\s*present:\s*\w+\s*$/, '').trim();
    const remaining = /(\d+):(\d{2}) remaining/.exec(m[4] ?? condition);
    // "0:00 remaining" is printed for a charged source too: no estimate, not zero minutes.
    const runtime = remaining ? Number(remaining[1]) * 3600 + Number(remaining[2]) * 60 : undefined;
    const onBattery = drawingFromUps || /discharging/i.test(condition);
    readings.push({
      name: m[1]!,
      source: 'pmset',
      state: stateOf({ online: !onBattery, onBattery }),
      attached: true,
      onBattery,
      chargePercent: Number(m[2]),
      ...(runtime ? { runtimeSeconds: runtime } : {}),
      osStatus: condition,
      model: m[1]!,
    });
  }
  return readings;
}
