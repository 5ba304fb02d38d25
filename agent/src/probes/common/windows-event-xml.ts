// Windows event XML (EvtRender / EventLogRecord.ToXml(), `wevtutil qe /f:xml` or `/f:RenderedXml`, Event Viewer's
// XML view) -> EventRecord. Only the <System> header is read, with regular expressions rather than an XML parser:
// the schema of that header is fixed (http://schemas.microsoft.com/win/2004/08/events/event) and the agent must not
// pull in a DOM for six values. Several events may be concatenated (wevtutil without /e:root).
import { excerpt, shapeMessage, type EventLevel, type EventRecord, type ParseProblems } from './event-record.js';

/** Keyword bits of the Security log (winmeta.xml: WINEVENT_KEYWORD_AUDIT_FAILURE / _SUCCESS). */
export const KEYWORD_AUDIT_FAILURE = 0x10000000000000n;
export const KEYWORD_AUDIT_SUCCESS = 0x20000000000000n;

const EVENT_RE = /<Event(?=[\s>])[\s\S]*?<\/Event>/g;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (ENTITIES[e] ?? ''),
  );
}

/** Windows level (winmeta.xml: 1 critical .. 5 verbose; 0 LogAlways) plus the audit keywords -> EventLevel. */
export function windowsLevel(level: number, keywords: bigint): EventLevel {
  if (keywords & KEYWORD_AUDIT_FAILURE) return 'audit_failure';
  if (keywords & KEYWORD_AUDIT_SUCCESS) return 'audit_success';
  const byNumber: Record<number, EventLevel> = { 1: 'critical', 2: 'error', 3: 'warning', 5: 'verbose' };
  return byNumber[level] ?? 'info';
}

const element = (block: string, name: string): string | undefined => new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(block)?.[1];
const attribute = (block: string, name: string, attr: string): string | undefined => new RegExp(`<${name}\\s[^>]*?${attr}=(["'])(.*?)\\1`).exec(block)?.[2];

/** One <Event> element -> EventRecord, or undefined when a required header value is missing. */
export function parseWindowsEvent(xml: string, fullMessage = false): EventRecord | undefined {
  const system = /<System>([\s\S]*?)<\/System>/.exec(xml)?.[1];
  if (!system) return undefined;
  const eventId = Number(element(system, 'EventID'));
  const recordId = Number(element(system, 'EventRecordID'));
  const time = Date.parse(attribute(system, 'TimeCreated', 'SystemTime') ?? '');
  if (!Number.isInteger(eventId) || !Number.isInteger(recordId) || Number.isNaN(time)) return undefined;
  const keywords = /^0x[0-9a-fA-F]+$/.test(element(system, 'Keywords') ?? '') ? BigInt(element(system, 'Keywords') as string) : 0n;
  const rendered = /<RenderingInfo[\s\S]*?<Message>([\s\S]*?)<\/Message>/.exec(xml)?.[1];
  return {
    channel: decodeXmlText(element(system, 'Channel') ?? ''),
    level: windowsLevel(Number(element(system, 'Level') ?? 4), keywords),
    source: decodeXmlText(attribute(system, 'Provider', 'Name') ?? ''),
    time,
    message: rendered === undefined ? '' : shapeMessage(decodeXmlText(rendered), fullMessage),
    eventId,
    recordId,
  };
}

/** Every <Event> in `text` (one, several concatenated, or wrapped in a root element). */
export function parseWindowsEventXml(text: string, fullMessage = false): { events: EventRecord[]; problems: ParseProblems } {
  const events: EventRecord[] = [];
  const problems: ParseProblems = { count: 0 };
  for (const match of text.matchAll(EVENT_RE)) {
    const event = parseWindowsEvent(match[0], fullMessage);
    if (event) events.push(event);
    else {
      problems.count += 1;
      problems.excerpt ??= excerpt(match[0]);
    }
  }
  return { events, problems };
}

/**
 * "Log cleared" events, both from provider Microsoft-Windows-Eventlog: 1102 ("The audit log was cleared.") is written
 * into the Security log itself; 104 ("The <name> log file was cleared.") is written into the System log for every
 * other channel, with the cleared channel's name in UserData/LogFileCleared/Channel (so clearing Application logs a
 * 104 in System, not in Application). Sources: Microsoft's event-1102 page (windows-itpro-docs), the 104 sample
 * in test/fixtures/windows/eventlog/system-104-application-cleared.xml.
 */
export const LOG_CLEARED_PROVIDER = 'Microsoft-Windows-Eventlog';
export const SECURITY_LOG_CLEARED_ID = 1102;
export const LOG_CLEARED_ID = 104;

export interface LogCleared {
  /** The channel that was cleared. */
  channel: string;
  /** Unix ms of the clear (TimeCreated). */
  time: number;
  /** Record id of the clear event in the log that holds it (Security for 1102, System for 104). */
  recordId: number;
  /** DOMAIN\user that cleared it, when given. */
  by?: string;
}

/** Where to look for a channel's clear events newer than `sinceMs`: the log and an XPath for Get-WinEvent. */
export function logClearedQuery(channel: string, sinceMs: number): { logName: string; xpath: string } {
  const security = channel.toLowerCase() === 'security';
  const id = security ? SECURITY_LOG_CLEARED_ID : LOG_CLEARED_ID;
  // >= on the ISO time (Event Viewer's own custom-range form); the strict "newer than" is applied in clearsSince().
  const since = new Date(sinceMs).toISOString();
  return {
    logName: security ? 'Security' : 'System',
    xpath: `*[System[Provider[@Name='${LOG_CLEARED_PROVIDER}'] and EventID=${id} and TimeCreated[@SystemTime>='${since}']]]`,
  };
}

/** One 104/1102 event's XML -> LogCleared, or undefined when it is not a clear event of the Eventlog provider. */
export function parseLogCleared(xml: string): LogCleared | undefined {
  const event = parseWindowsEvent(xml);
  if (!event || event.source !== LOG_CLEARED_PROVIDER || (event.eventId !== LOG_CLEARED_ID && event.eventId !== SECURITY_LOG_CLEARED_ID)) return undefined;
  const data = /<LogFileCleared(?=[\s>])[\s\S]*?<\/LogFileCleared>/.exec(xml)?.[0] ?? '';
  const named = element(data, 'Channel')?.trim();
  const user = element(data, 'SubjectUserName')?.trim();
  const domain = element(data, 'SubjectDomainName')?.trim();
  const cleared: LogCleared = { channel: named ? decodeXmlText(named) : event.channel, time: event.time, recordId: event.recordId ?? 0 };
  if (user) cleared.by = decodeXmlText(domain ? `${domain}\\${user}` : user);
  return cleared;
}

/** The clears of `channel` (case-insensitive, as Windows names channels) strictly newer than `sinceMs`, oldest first. */
export function clearsSince(clears: readonly LogCleared[], channel: string, sinceMs: number): LogCleared[] {
  return clears.filter((c) => c.channel.toLowerCase() === channel.toLowerCase() && c.time > sinceMs).sort((a, b) => a.time - b.time);
}

/** What the eventlog probe's per-channel PowerShell script returns (see windowsChannelScript). */
export interface WindowsChannelReply {
  /** Oldest record id still in the log and the number of records (EventLogInformation), null when empty. */
  oldest: number | null;
  count: number | null;
  /** The record id the script read after (null from a script that does not say). */
  from: number | null;
  /** The Windows clock (unix ms) when the script started: clears up to here have been looked for. */
  now: number | null;
  /** Clear events (104/1102) newer than the checkpoint's time, of any channel (the caller filters by channel). */
  clears: LogCleared[];
  events: EventRecord[];
  problems: ParseProblems;
}

const asNumber = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The worker's parsed JSON -> WindowsChannelReply. `events` may be an array, one object (PowerShell unrolls
 * one-element arrays in some paths) or null; each item is `{xml, msg}` where msg is the rendered message (first line
 * unless asked otherwise) or null when the provider's message file is missing. `clears` holds the XML of clear events
 * (104/1102), `now` the script's start as ISO 8601 UTC, `from` the record id it read after. Unreadable events or
 * clears are counted in `problems`. Throws on a reply of another shape.
 */
export function parseWindowsChannelReply(reply: unknown, channel: string, fullMessage = false): WindowsChannelReply {
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
    throw new Error(`eventlog: unexpected reply for ${channel}: ${excerpt(JSON.stringify(reply) ?? String(reply))}`);
  }
  const r = reply as Record<string, unknown>;
  const items = r.events === null || r.events === undefined ? [] : Array.isArray(r.events) ? r.events : [r.events];
  const events: EventRecord[] = [];
  const problems: ParseProblems = { count: 0 };
  for (const item of items as unknown[]) {
    const xml = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).xml : undefined;
    const msg = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).msg : undefined;
    const event = typeof xml === 'string' ? parseWindowsEvent(xml, fullMessage) : undefined;
    if (!event) {
      problems.count += 1;
      problems.excerpt ??= excerpt(typeof xml === 'string' ? xml : (JSON.stringify(item) ?? ''));
      continue;
    }
    events.push({ ...event, channel: event.channel || channel, message: typeof msg === 'string' ? shapeMessage(msg, fullMessage) : event.message });
  }
  const clears: LogCleared[] = [];
  const clearItems = r.clears === null || r.clears === undefined ? [] : Array.isArray(r.clears) ? r.clears : [r.clears];
  for (const item of clearItems as unknown[]) {
    const cleared = typeof item === 'string' ? parseLogCleared(item) : undefined;
    if (cleared) clears.push(cleared);
    else {
      problems.count += 1;
      problems.excerpt ??= excerpt(typeof item === 'string' ? item : (JSON.stringify(item) ?? ''));
    }
  }
  const now = typeof r.now === 'string' ? Date.parse(r.now) : NaN;
  return { oldest: asNumber(r.oldest), count: asNumber(r.count), from: asNumber(r.from), now: Number.isNaN(now) ? null : now, clears, events, problems };
}
