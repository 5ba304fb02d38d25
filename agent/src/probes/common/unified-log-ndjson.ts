// macOS `log show --style ndjson` -> EventRecord plus a de-duplication key. The output ends with a footer
// `{"count":N,"finished":1}`; activity and signpost events (eventType other than logEvent) are not log messages.
import { excerpt, shapeMessage, type EventLevel, type EventRecord, type ParseProblems } from './event-record.js';

export interface UnifiedEntry extends EventRecord {
  /** bootUUID:machTimestamp:threadID — unique per entry; used to drop entries already sent at the boundary second. */
  key: string;
}

const LEVELS: Record<string, EventLevel> = { Fault: 'critical', Error: 'error', Default: 'info', Info: 'info', Debug: 'verbose' };

/** `2026-07-26 18:11:22.348728+1200` -> unix ms (the log tool prints local time with a numeric offset). */
export function parseUnifiedTimestamp(text: string): number {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d)(\d\d)$/.exec(text);
  if (!m) return NaN;
  const fraction = (m[3] ?? '').slice(0, 4); // milliseconds: Date.parse wants at most 3 digits
  return Date.parse(`${m[1]}T${m[2]}${fraction}${m[4]}:${m[5]}`);
}

/** Unix ms -> the `--start`/`--end` argument, in UTC with an explicit offset so the host's zone does not matter. */
export function formatUnifiedTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}+0000`;
}

const processName = (path: unknown): string => (typeof path === 'string' ? (path.split('/').pop() ?? '') : '');

function entryOf(raw: Record<string, unknown>, fullMessage: boolean): UnifiedEntry | undefined {
  const time = parseUnifiedTimestamp(String(raw.timestamp ?? ''));
  if (Number.isNaN(time)) return undefined;
  const process = processName(raw.processImagePath);
  const subsystem = typeof raw.subsystem === 'string' ? raw.subsystem : '';
  const extra: Record<string, string | number> = {};
  if (process) extra.process = process;
  if (typeof raw.processID === 'number') extra.pid = raw.processID;
  return {
    channel: 'unified',
    level: LEVELS[String(raw.messageType)] ?? 'info',
    source: subsystem || process || 'unknown',
    time,
    message: shapeMessage(typeof raw.eventMessage === 'string' ? raw.eventMessage : '', fullMessage),
    extra,
    key: `${String(raw.bootUUID ?? '')}:${String(raw.machTimestamp ?? '')}:${String(raw.threadID ?? '')}`,
  };
}

export function parseUnifiedNdjson(text: string, fullMessage = false): { entries: UnifiedEntry[]; problems: ParseProblems } {
  const entries: UnifiedEntry[] = [];
  const problems: ParseProblems = { count: 0 };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      raw = undefined;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.count += 1;
      problems.excerpt ??= excerpt(line);
      continue;
    }
    const record = raw as Record<string, unknown>;
    if ('finished' in record && !('eventType' in record)) continue; // the footer
    if (record.eventType !== 'logEvent') continue;
    const entry = entryOf(record, fullMessage);
    if (entry) entries.push(entry);
    else {
      problems.count += 1;
      problems.excerpt ??= excerpt(line);
    }
  }
  return { entries, problems };
}
