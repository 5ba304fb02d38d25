// eventlog on Linux: journald through `journalctl -o json`, one process per run. The checkpoint is the cursor of
// the last entry read. The read starts AT the cursor (--cursor, inclusive) rather than after it: the cursor's entry
// passed the same priority filter, so it must come back first; when it does not, journald could not find it
// (vacuumed or rotated away) and sought to the nearest entry instead, silently (sd_journal_get_cursor(3)): a gap.
import type { ProbeContext } from '../probe.js';
import type { EventlogReader, Gap, ResolvedEventlogOptions } from './options.js';
import { excerpt } from '../common/event-record.js';
import { maxPriorityFor, parseJournalJson, type JournalEntry } from './journal-json.js';

const COMMAND_TIMEOUT_MS = 30_000;
const CHECKPOINT = 'journal';

/** Position in the journal: the last entry's cursor and time, or (before any entry matched) a start time. */
export interface JournalCheckpoint {
  cursor?: string;
  realtimeUs?: string;
  /** Unix seconds: read from here when no entry has matched yet (first start found nothing to send). */
  since?: number;
}

type Mode = 'first' | 'since' | 'cursor';

export function journalArgs(o: ResolvedEventlogOptions, checkpoint: JournalCheckpoint | undefined, nowMs: number): { args: string[]; mode: Mode } {
  const args = ['-o', 'json', '--no-pager', '-q', `--priority=0..${Math.max(0, maxPriorityFor(o.levels))}`];
  if (o.journalDirectory) args.push(`--directory=${o.journalDirectory}`);
  for (const file of o.journalFiles ?? []) args.push(`--file=${file}`);
  if (checkpoint?.cursor) return { args: [...args, `--cursor=${checkpoint.cursor}`, `--lines=${o.maxEventsPerRun + 1}`], mode: 'cursor' };
  if (checkpoint?.since !== undefined) return { args: [...args, `--since=@${checkpoint.since}`, `--lines=${o.maxEventsPerRun}`], mode: 'since' };
  // First start: the newest N of the last 24 h (--reverse makes --lines take the newest), never the history.
  const since = Math.floor((nowMs - o.firstStartMaxAgeMs) / 1000);
  return { args: [...args, `--since=@${since}`, '--reverse', `--lines=${o.firstStartMaxEvents}`], mode: 'first' };
}

/** Drops the checkpointed entry itself and detects a lost cursor (entries returned before it, or not it). */
export function afterCursor(entries: JournalEntry[], checkpoint: JournalCheckpoint): { entries: JournalEntry[]; gap?: Gap } {
  if (entries[0]?.cursor === checkpoint.cursor) return { entries: entries.slice(1) };
  const since = BigInt(checkpoint.realtimeUs ?? '0');
  const newer = entries.filter((e) => BigInt(e.realtimeUs) > since); // never resend what is older than the checkpoint
  const first = newer[0];
  const until = first ? ` and the next entry still present is from ${new Date(first.time).toISOString()}` : '';
  const at = new Date(Number(since / 1000n)).toISOString();
  return {
    entries: newer,
    gap: { channel: 'journal', reason: 'cursor_lost', detail: `the entry at the checkpoint (${at}) is no longer in the journal (vacuumed or rotated)${until}` },
  };
}

export const readJournald: EventlogReader = async (ctx: ProbeContext, o) => {
  const checkpoint = ctx.checkpoints.get<JournalCheckpoint>(CHECKPOINT);
  const { args, mode } = journalArgs(o, checkpoint, ctx.now());
  let stdout: string;
  try {
    ({ stdout } = await ctx.runner('journalctl', args, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal }));
  } catch (error) {
    const text = `${error instanceof Error ? error.message : String(error)} ${(error as { stderr?: unknown }).stderr ?? ''}`;
    if (mode !== 'cursor' || !/cursor/i.test(text) || ctx.signal.aborted) throw error;
    // journalctl refuses the cursor itself: continue from the checkpoint's time.
    const since = Math.floor(Number(BigInt(checkpoint?.realtimeUs ?? '0') / 1000000n));
    ctx.checkpoints.stage(CHECKPOINT, { since });
    return { events: [], gaps: [{ channel: 'journal', reason: 'cursor_lost', detail: excerpt(`journalctl refused the checkpoint cursor: ${text}`) }] };
  }
  const parsed = parseJournalJson(stdout, o.fullMessage);
  const gaps: Gap[] = [];
  if (parsed.problems.count > 0) gaps.push({ channel: 'journal', reason: 'unparseable', lost: parsed.problems.count, detail: parsed.problems.excerpt ?? '' });
  let entries = mode === 'first' ? [...parsed.entries].reverse() : parsed.entries;
  if (mode === 'cursor' && checkpoint) {
    const checked = afterCursor(entries, checkpoint);
    entries = checked.entries;
    if (checked.gap) gaps.push(checked.gap);
  }
  const last = mode === 'first' ? parsed.entries[0] : parsed.entries.at(-1);
  if (last) {
    ctx.checkpoints.stage(CHECKPOINT, { cursor: last.cursor, realtimeUs: last.realtimeUs });
  } else if (mode === 'first') {
    ctx.checkpoints.stage(CHECKPOINT, { since: Math.floor(ctx.now() / 1000) });
  } else if (mode === 'cursor' && !last && checkpoint) {
    // Not even the cursor's own entry came back: it is gone and nothing newer matched. Continue by time.
    gaps.push({ channel: 'journal', reason: 'cursor_lost', detail: 'the entry at the checkpoint is no longer in the journal (vacuumed or rotated)' });
    ctx.checkpoints.stage(CHECKPOINT, { since: Math.floor(Number(BigInt(checkpoint.realtimeUs ?? '0') / 1000000n)) });
  }
  const levels = new Set(o.levels);
  return { events: entries.filter((e) => levels.has(e.level)), gaps };
};
