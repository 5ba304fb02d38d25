// eventlog on macOS: the unified log through `log show --style ndjson` over a bounded time window with a predicate
// (unfiltered unified logging is enormous). `log show` takes whole seconds, so each run starts again at the second
// of the last entry read and drops the entries of that second it already sent (keys bootUUID:machTimestamp:threadID,
// as OpenTelemetry's macosunifiedloggingreceiver does).
import type { EventlogReader, Gap, ResolvedEventlogOptions } from './options.js';
import type { EventLevel } from '../common/event-record.js';
import { formatUnifiedTime, parseUnifiedNdjson } from '../common/unified-log-ndjson.js';

const COMMAND_TIMEOUT_MS = 60_000;
const CHECKPOINT = 'unified';
/**
 * At most this much log per run. Error and fault messages on a Mac run to thousands an hour, so the first start
 * and a catch-up after downtime walk forward in windows of this size instead of one huge `log show`.
 */
export const UNIFIED_MAX_WINDOW_MS = 10 * 60 * 1000;

export interface UnifiedCheckpoint {
  /** Unix ms, whole second: the next window starts here. */
  startMs: number;
  /** Keys of the entries at `startMs`'s second that were already read. */
  seen: string[];
}

const MESSAGE_TYPES: Partial<Record<EventLevel, string>> = { critical: 'fault', error: 'error', info: 'default OR messageType == info', verbose: 'debug' };

/** `messageType == fault OR messageType == error` for the default levels (the unified log has no warning level). */
export function unifiedPredicate(levels: readonly EventLevel[]): string {
  const types = levels.map((l) => MESSAGE_TYPES[l]).filter((t): t is string => t !== undefined);
  return (types.length ? types : ['fault', 'error']).map((t) => `messageType == ${t}`).join(' OR ');
}

export function unifiedWindow(
  checkpoint: UnifiedCheckpoint | undefined,
  nowMs: number,
  o: ResolvedEventlogOptions,
): { startMs: number; endMs: number; first: boolean } {
  const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
  const first = checkpoint === undefined;
  const startMs = first ? floorSecond(nowMs - Math.min(o.firstStartMaxAgeMs, UNIFIED_MAX_WINDOW_MS)) : checkpoint.startMs;
  return { startMs, endMs: Math.min(nowMs, startMs + UNIFIED_MAX_WINDOW_MS), first };
}

export const readUnifiedLog: EventlogReader = async (ctx, o) => {
  const checkpoint = ctx.checkpoints.get<UnifiedCheckpoint>(CHECKPOINT);
  const { startMs, endMs, first } = unifiedWindow(checkpoint, ctx.now(), o);
  const args = [
    'show',
    '--style',
    'ndjson',
    '--start',
    formatUnifiedTime(startMs),
    '--end',
    formatUnifiedTime(endMs),
    '--predicate',
    unifiedPredicate(o.levels),
  ];
  const { stdout } = await ctx.runner('log', args, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
  const parsed = parseUnifiedNdjson(stdout, o.fullMessage);
  const seen = new Set(checkpoint?.seen ?? []);
  let entries = parsed.entries.filter((e) => !seen.has(e.key)).sort((a, b) => a.time - b.time);
  const cap = first ? o.firstStartMaxEvents : o.maxEventsPerRun;
  if (entries.length > cap) entries = first ? entries.slice(-cap) : entries.slice(0, cap);
  const last = entries.at(-1);
  if (last) {
    // Entries of the last second that were sent (or sent by an earlier run) must not come back next run.
    const second = Math.floor(last.time / 1000) * 1000;
    const keys = new Set([...(second === startMs ? seen : []), ...entries.filter((e) => e.time >= second).map((e) => e.key)]);
    ctx.checkpoints.stage(CHECKPOINT, { startMs: second, seen: [...keys] } satisfies UnifiedCheckpoint);
  } else {
    // Nothing new in the window: the next one starts at its end's second (re-reading that second is harmless).
    const next = Math.floor(endMs / 1000) * 1000;
    ctx.checkpoints.stage(CHECKPOINT, { startMs: next, seen: next === startMs ? [...seen] : [] } satisfies UnifiedCheckpoint);
  }
  const gaps: Gap[] =
    parsed.problems.count > 0 ? [{ channel: 'unified', reason: 'unparseable', lost: parsed.problems.count, detail: parsed.problems.excerpt ?? '' }] : [];
  return { events: entries, gaps };
};
