// probes/eventlog/: this probe, its reader per OS (journald.ts, unified.ts, windows.ts), its settings (options.ts)
// and the journald parser; the Windows and macOS log parsers, shared with shutdowns, are in ../common/.
//
// eventlog: new events of kept levels from the Windows event log, journald or the macOS unified log, read from
// checkpoints that move only when the collector acked the batch carrying the events (ctx.checkpoints). Emits:
//   eventlog        one point per event; tags channel, level, source; fields message, event_id, record_id, ...
//   eventlog_counts events per minute of event time by channel and level (int `count`)
//   eventlog_gaps   events that could not be collected (cleared/wrapped log, lost cursor, unparseable, read error)
// The per-OS readers live in journald.ts, unified.ts and windows.ts; settings and defaults in options.ts.
import { int, type FieldValue, type SampleDraft } from '../../sample.js';
import type { Probe } from '../probe.js';
import { resolveOptions, type EventlogOptions, type EventlogReader, type Gap } from './options.js';
import { readJournald } from './journald.js';
import { readUnifiedLog } from './unified.js';
import { readWindowsEventlog } from './windows.js';
import type { EventRecord } from '../common/event-record.js';

const DEFAULT_SCHEDULE = '0 * * * * *'; // every minute, on the minute
const MINUTE_MS = 60_000;
/** Per-minute totals are kept (as a checkpoint) for this many minutes, so late events add to the right minute. */
const COUNT_MINUTES_KEPT = 120;
const COUNTS_CHECKPOINT = 'counts';

const readers: Partial<Record<NodeJS.Platform, EventlogReader>> = {
  win32: readWindowsEventlog,
  linux: readJournald,
  darwin: readUnifiedLog,
};

/**
 * Event time -> point time. InfluxDB keeps one point per series and millisecond, so events of one source and level
 * in the same millisecond would overwrite each other: later ones move forward by 1 ms. Deterministic for a given
 * batch, so a replayed batch rewrites the same points.
 */
export function pointTimes(events: readonly EventRecord[]): number[] {
  const lastBySeries = new Map<string, number>();
  return events.map((e) => {
    const series = `${e.channel}\u0000${e.level}\u0000${e.source}`;
    const previous = lastBySeries.get(series);
    const time = previous !== undefined && e.time <= previous ? previous + 1 : e.time;
    lastBySeries.set(series, time);
    return time;
  });
}

export function eventSample(event: EventRecord, time: number): SampleDraft {
  const fields: Record<string, FieldValue> = { message: event.message };
  if (event.eventId !== undefined) fields.event_id = int(event.eventId);
  if (event.recordId !== undefined) fields.record_id = int(event.recordId);
  for (const [k, v] of Object.entries(event.extra ?? {})) fields[k] = typeof v === 'number' ? int(v) : v;
  return { measurement: 'eventlog', tags: { channel: event.channel, level: event.level, source: event.source || 'unknown' }, fields, time };
}

export function gapSample(gap: Gap, time: number): SampleDraft {
  const fields: Record<string, FieldValue> = { detail: gap.detail };
  if (gap.lost !== undefined) fields.lost = int(gap.lost);
  return { measurement: 'eventlog_gaps', tags: { channel: gap.channel, reason: gap.reason }, fields, time };
}

/**
 * Adds `events` to the per-minute totals `previous` (key channel|level|minute-ms). Returns the new totals (pruned to
 * the newest COUNT_MINUTES_KEPT minutes) and the keys this run touched: only those are written, with the running
 * total, so a minute whose events arrive over two runs ends up with the sum (the later point overwrites the earlier).
 */
export function addCounts(previous: Record<string, number>, events: readonly EventRecord[]): { totals: Record<string, number>; touched: string[] } {
  const totals = { ...previous };
  const touched = new Set<string>();
  for (const e of events) {
    const key = `${e.channel}|${e.level}|${Math.floor(e.time / MINUTE_MS) * MINUTE_MS}`;
    totals[key] = (totals[key] ?? 0) + 1;
    touched.add(key);
  }
  const minuteOf = (key: string) => Number(key.slice(key.lastIndexOf('|') + 1));
  const newest = Math.max(0, ...Object.keys(totals).map(minuteOf));
  for (const key of Object.keys(totals)) if (minuteOf(key) < newest - COUNT_MINUTES_KEPT * MINUTE_MS) delete totals[key];
  return { totals, touched: [...touched].filter((k) => k in totals) };
}

export function countSamples(totals: Record<string, number>, touched: readonly string[]): SampleDraft[] {
  return touched.map((key) => {
    const [channel = '', level = '', minute = '0'] = [key.slice(0, key.indexOf('|')), ...key.slice(key.indexOf('|') + 1).split('|')];
    return { measurement: 'eventlog_counts', tags: { channel, level }, fields: { count: int(totals[key] ?? 0) }, time: Number(minute) };
  });
}

export function createEventlogProbe(options: EventlogOptions = {}): Probe {
  const platform = options.platform ?? process.platform;
  const read = readers[platform];
  const resolved = resolveOptions(options);
  return {
    name: 'eventlog',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      if (!read) throw new Error(`eventlog: no reader for ${platform}`);
      const { events, gaps } = await read(ctx, resolved);
      const now = ctx.now();
      const times = pointTimes(events);
      const { totals, touched } = addCounts(ctx.checkpoints.get<Record<string, number>>(COUNTS_CHECKPOINT) ?? {}, events);
      // The totals commit with the positions (same ack), so a re-read after a lost batch recounts from the same base.
      if (touched.length > 0) ctx.checkpoints.stage(COUNTS_CHECKPOINT, totals);
      return [...events.map((e, i) => eventSample(e, times[i] ?? e.time)), ...countSamples(totals, touched), ...gaps.map((g) => gapSample(g, now))];
    },
  };
}
