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

const element = (block: string, name: string): string | undefined =>
  new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(block)?.[1];
const attribute = (block: string, name: string, attr: string): string | undefined =>
  new RegExp(`<${name}\\s[^>]*?${attr}=(["'])(.*?)\\1`).exec(block)?.[2];

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

/** What the eventlog probe's per-channel PowerShell script returns (see WINDOWS_CHANNEL_SCRIPT). */
export interface WindowsChannelReply {
  /** Oldest record id still in the log and the number of records (EventLogInformation), null when empty. */
  oldest: number | null;
  count: number | null;
  events: EventRecord[];
  problems: ParseProblems;
}

const asNumber = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The worker's parsed JSON -> WindowsChannelReply. `events` may be an array, one object (PowerShell unrolls
 * one-element arrays in some paths) or null; each item is `{xml, msg}` where msg is the rendered message (first line
 * unless asked otherwise) or null when the provider's message file is missing. Throws on a reply of another shape.
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
      problems.excerpt ??= excerpt(typeof xml === 'string' ? xml : JSON.stringify(item) ?? '');
      continue;
    }
    events.push({ ...event, channel: event.channel || channel, message: typeof msg === 'string' ? shapeMessage(msg, fullMessage) : event.message });
  }
  return { oldest: asNumber(r.oldest), count: asNumber(r.count), events, problems };
}
