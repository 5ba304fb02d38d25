// `journalctl -o json` (one JSON object per line) -> EventRecord plus the cursor and microsecond time the probe
// checkpoints. journald writes a field as an array of byte values when it is not valid UTF-8 or holds control
// characters (ANSI colours), and as an array of values when the entry carries the field more than once.
import { excerpt, shapeMessage, type EventLevel, type EventRecord, type ParseProblems } from '../common/event-record.js';

export interface JournalEntry extends EventRecord {
  cursor: string;
  /** __REALTIME_TIMESTAMP: microseconds since the epoch, kept as a string (exceeds 2^53 precision needs). */
  realtimeUs: string;
}

/** syslog priority (0 emerg .. 7 debug) -> EventLevel: 0-2 critical, 3 error, 4 warning, 5-6 info, 7 verbose. */
export function journalLevel(priority: number): EventLevel {
  if (priority <= 2) return 'critical';
  if (priority === 3) return 'error';
  if (priority === 4) return 'warning';
  return priority <= 6 ? 'info' : 'verbose';
}

/** Highest syslog priority whose level is in `levels` (for `journalctl --priority=0..N`), -1 when none. */
export function maxPriorityFor(levels: readonly EventLevel[]): number {
  let max = -1;
  for (let p = 0; p <= 7; p += 1) if (levels.includes(journalLevel(p))) max = p;
  return max;
}

const isBytes = (v: unknown[]): v is number[] => v.every((b) => typeof b === 'number');

/** A journald field value as text: a string, a byte array, or the first of repeated values. */
export function journalText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  if (isBytes(value)) return Buffer.from(value).toString('utf8');
  return journalText(value[0]);
}

function entryOf(raw: Record<string, unknown>, fullMessage: boolean): JournalEntry | undefined {
  const cursor = journalText(raw.__CURSOR);
  const realtimeUs = journalText(raw.__REALTIME_TIMESTAMP);
  if (!cursor || !realtimeUs || !/^\d+$/.test(realtimeUs)) return undefined;
  const priority = Number(journalText(raw.PRIORITY) ?? 6);
  const unit = journalText(raw._SYSTEMD_UNIT);
  const extra: Record<string, string | number> = { priority: Number.isInteger(priority) ? priority : 6 };
  if (unit) extra.unit = unit;
  return {
    channel: 'journal',
    level: journalLevel(Number.isInteger(priority) ? priority : 6),
    source: journalText(raw.SYSLOG_IDENTIFIER) ?? unit ?? journalText(raw._COMM) ?? 'unknown',
    time: Math.floor(Number(realtimeUs) / 1000),
    message: shapeMessage(journalText(raw.MESSAGE) ?? '', fullMessage),
    extra,
    cursor,
    realtimeUs,
  };
}

export function parseJournalJson(text: string, fullMessage = false): { entries: JournalEntry[]; problems: ParseProblems } {
  const entries: JournalEntry[] = [];
  const problems: ParseProblems = { count: 0 };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let entry: JournalEntry | undefined;
    try {
      const raw: unknown = JSON.parse(line);
      if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) entry = entryOf(raw as Record<string, unknown>, fullMessage);
    } catch {
      entry = undefined;
    }
    if (entry) entries.push(entry);
    else {
      problems.count += 1;
      problems.excerpt ??= excerpt(line);
    }
  }
  return { entries, problems };
}
