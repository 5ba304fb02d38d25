// Pure parsing for the shutdowns probe on macOS: the kernel's "Previous shutdown cause: <n>" entry, logged once per
// boot by the AppleSMC driver (Intel Macs; Apple silicon Macs log no cause code), read from `log show` output in its
// DEFAULT style. The default style, not ndjson, because it is the only style of which real captures of this entry
// could be found (test/fixtures/README.md); its timestamp column is the one the ndjson `timestamp` field carries.
import { parseUnifiedTimestamp } from '../common/unified-log-ndjson.js';
import type { UnexpectedShutdown } from './unexpected-shutdowns.js';

export interface LoggedShutdownCause {
  /** Unix ms: when the kernel logged it, early in the boot that followed the shutdown. */
  time: number;
  cause: number;
  /** The log message without the process and sender, e.g. `Previous shutdown cause: 3`. */
  message: string;
}

/**
 * What a cause code means. Apple has never documented the codes; the meanings below are the community's, from:
 * 1. Ask Different, "Are OS X shutdown cause and sleep cause numbers listed/explained anywhere?"
 *    (apple.stackexchange.com/questions/126588): an answer by a former Apple employee: since Intel Macs every
 *    shutdown without the clean software flags gets an 8-bit code; positive = software or HID initiated, -1 to
 *    -127 = the SMC shut the hardware down, -128 = hardware shutdown of unknown cause, 0 = sudden loss of power,
 *    5 = clean software shutdown (Shut Down menu, `shutdown`, `halt`).
 * 2. George Garside, "Shutdown Causes" (georgegarside.com/blog/macos/shutdown-causes/), the table most tools use, as
 *    reproduced in sphen13/watchman-monitoring-plugins `_check_shutdown_cause.plugin` (an MSP monitoring plugin)
 *    and Stella00001/Memento `ShutdownCodes.sh`.
 * 3. Howard Oakley, "Mac shutdown and sleep cause codes" (eclecticlight.co, 2017-02-28): negative = hardware
 *    (mostly SMC), positive = software, 0 = sudden power loss; and "Why did my Mac restart or shut itself down,
 *    and where's the cause code?" (2025-04-17): Apple silicon Macs do not log these codes.
 * Where the sources disagree the text says so. Normal (not reported): 5, and 1 (a user-initiated restart; the
 * Watchman plugin stopped alerting on it because T1/T2 Macs log it on ordinary restarts). Everything else is
 * reported, unknown codes included, so that a collector rule can decide (e.g. ignore -20 after macOS updates).
 */
const CAUSES: Record<number, string> = {
  5: 'clean shutdown or restart (software initiated)',
  1: 'user-initiated restart',
  3: 'hard shutdown: the power button was held',
  2: 'low battery',
  0: 'power loss: power removed or cut without a shutdown',
  [-2]: 'power supply issue',
  [-3]: 'multiple temperature sensors over their limit',
  [-14]: 'power surge (Mac Pro: check the power supply)',
  [-20]: 'shutdown initiated by the T2 chip (BridgeOS); also logged after macOS updates on T2 Macs',
  [-60]: 'undocumented: read as a bad master directory block (disk) or a low battery',
  [-61]: 'watchdog: an unresponsive application, the system was shut down',
  [-62]: 'watchdog: an unresponsive application, the system was restarted',
  [-71]: 'memory (SO-DIMM) temperature over its limit',
  [-74]: 'battery temperature over its limit',
  [-75]: 'communication error with the AC adapter',
  [-78]: 'incorrect current from the AC adapter',
  [-79]: 'incorrect current from the battery',
  [-86]: 'CPU proximity temperature over its limit',
  [-95]: 'CPU temperature over its limit',
  [-100]: 'power supply temperature over its limit',
  [-101]: 'LCD temperature over its limit',
  [-102]: 'overvoltage protection (logic board or battery)',
  [-103]: 'battery cell under voltage',
  [-104]: 'battery issue (unconfirmed)',
  [-108]: 'memory issue (unverified)',
  [-112]: 'memory issue (unverified; often seen with -128)',
  [-127]: 'forced shutdown by the power management unit (power button)',
  [-128]: 'hardware shutdown of unknown cause (often memory related)',
};
const NORMAL_CAUSES: ReadonlySet<number> = new Set([5, 1]);

export function describeShutdownCause(cause: number): { abnormal: boolean; text: string } {
  const text = CAUSES[cause] ?? (cause < 0 ? 'hardware (SMC) shutdown, undocumented code' : 'undocumented code');
  return { abnormal: !NORMAL_CAUSES.has(cause), text };
}

// Default style columns: Timestamp, Thread, Type, Activity, PID, TTL, then `process: (sender) message`.
const ROW = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+[+-]\d{4})\s+0x[0-9a-f]+\s+\S+\s+0x[0-9a-f]+\s+(\d+)\s+\d+\s+(.*)$/;
const KERNEL_CAUSE = /^kernel: (?:\([^)]*\) )?(Previous shutdown cause: (-?\d+))\s*$/;
const PHRASE = 'Previous shutdown cause';

/**
 * Every kernel cause entry in `log show` default-style output, in output order. Headers, footers and other rows
 * are skipped; so are rows from processes other than the kernel (PID 0) that log the same words. A line that
 * names a cause but is not a row at all means the output format changed: that throws rather than reporting
 * nothing forever.
 */
export function parseShutdownCauseLog(text: string): LoggedShutdownCause[] {
  const found: LoggedShutdownCause[] = [];
  for (const line of text.split(/\r?\n/)) {
    const row = ROW.exec(line);
    if (!row) {
      if (line.includes(PHRASE) && !line.startsWith('Filtering the log data')) throw new Error(`shutdowns: unreadable log show line: ${line.slice(0, 200)}`);
      continue;
    }
    const cause = row[2] === '0' ? KERNEL_CAUSE.exec(row[3]!) : null;
    const time = parseUnifiedTimestamp(row[1]!);
    if (cause && !Number.isNaN(time)) found.push({ time, cause: Number(cause[2]), message: cause[1]! });
  }
  return found;
}

/** The abnormal ones as the probe reports them (kind `unexpected_shutdown`, like Windows' 6008). */
export function unexpectedShutdownsFromCauses(entries: readonly LoggedShutdownCause[]): UnexpectedShutdown[] {
  return entries.flatMap((e) => {
    const { abnormal, text } = describeShutdownCause(e.cause);
    return abnormal ? [{ time: e.time, kind: 'unexpected_shutdown' as const, message: e.message, cause: e.cause, causeText: text }] : [];
  });
}
