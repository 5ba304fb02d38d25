// The one shape every event-log parser returns (Windows event XML, journald JSON, macOS unified-log ndjson), so
// the eventlog probe turns all three into the same `eventlog` points.

/** Normalised severity across the three systems (the `level` tag). */
export type EventLevel = 'critical' | 'error' | 'warning' | 'info' | 'verbose' | 'audit_failure' | 'audit_success';

export const EVENT_LEVELS: readonly EventLevel[] = ['critical', 'error', 'warning', 'info', 'verbose', 'audit_failure', 'audit_success'];

/** Longest message kept (characters); longer ones are cut and end with an ellipsis. */
export const MAX_MESSAGE_CHARS = 1024;

export interface EventRecord {
  /** Windows channel name, `journal` or `unified`. */
  channel: string;
  level: EventLevel;
  /** Provider (Windows), SYSLOG_IDENTIFIER / unit (journald), subsystem or process (macOS). Bounded per host. */
  source: string;
  /** Unix milliseconds of the event itself. */
  time: number;
  message: string;
  /** Windows only. */
  eventId?: number;
  recordId?: number;
  /** Extra per-system fields (journald priority and unit, macOS process). */
  extra?: Record<string, string | number>;
}

/** Parsers return bad input as data: how many records could not be read, and one short excerpt. */
export interface ParseProblems {
  count: number;
  excerpt?: string;
}

export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** First non-empty line (or all of it when `full`), capped at MAX_MESSAGE_CHARS. */
export function shapeMessage(text: string, full = false): string {
  const trimmed = text.replace(/^\s+/, '');
  const body = full ? trimmed.trimEnd() : (trimmed.split(/\r?\n/, 1)[0] ?? '').trimEnd();
  return body.length > MAX_MESSAGE_CHARS ? `${body.slice(0, MAX_MESSAGE_CHARS - 1)}…` : body;
}
