// eventlog on Windows: one small script per channel through the long-lived PowerShell worker (never a
// powershell.exe per channel). The script looks for "log cleared" events (104 in System, 1102 in Security) newer than
// the checkpoint's time, reads the log's range (Get-WinEvent -ListLog), then Get-WinEvent with an
// XPath filter on level/provider/event id and EventRecordID > checkpoint, oldest first, capped; Get-WinEvent renders
// the message only for the events it returns (rendering is the expensive part: dotnet/runtime#34568) and the script
// ships each event's XML with that message, which parseWindowsChannelReply reads.
import type { ProbeContext } from '../probe.js';
import type { EventlogReader, Gap, ReadResult, ResolvedEventlogOptions, WindowsChannel } from './options.js';
import type { EventLevel, EventRecord } from '../common/event-record.js';
import { excerpt } from '../common/event-record.js';
import { logClearedLines, psQuote } from '../common/windows-log-cleared.js';
import { clearsSince, KEYWORD_AUDIT_FAILURE, KEYWORD_AUDIT_SUCCESS, parseWindowsChannelReply, type WindowsChannelReply } from '../common/windows-event-xml.js';

const SCRIPT_TIMEOUT_MS = 30_000;

const LEVEL_TERMS: Record<EventLevel, string> = {
  critical: 'Level=1',
  error: 'Level=2',
  warning: 'Level=3',
  info: 'Level=0 or Level=4', // 0 = LogAlways: what many classic providers write as "Information"
  verbose: 'Level=5',
  audit_failure: `band(Keywords,${KEYWORD_AUDIT_FAILURE})`,
  audit_success: `band(Keywords,${KEYWORD_AUDIT_SUCCESS})`,
};

const xpathQuote = (s: string): string => (s.includes("'") ? `"${s}"` : `'${s}'`);

/** The channel's filter as XPath terms joined by `and` (level, provider, event id). */
export function channelFilter(channel: WindowsChannel, defaultLevels: readonly EventLevel[]): string[] {
  const levels = channel.levels ?? defaultLevels;
  const terms = [`(${levels.map((l) => LEVEL_TERMS[l]).join(' or ')})`];
  if (channel.providers?.length) terms.push(`Provider[${channel.providers.map((p) => `@Name=${xpathQuote(p)}`).join(' or ')}]`);
  if (channel.eventIds?.length) terms.push(`(${channel.eventIds.map((id) => `EventID=${Math.trunc(id)}`).join(' or ')})`);
  return terms;
}

/**
 * A channel's checkpoint. `time` (unix ms, the Windows clock when the run that staged it began) says up to when
 * clear events have been looked for; checkpoints staged before it existed have none and keep working (record-id
 * checks only, until the next run stages a time).
 */
export interface WindowsCheckpoint {
  recordId: number;
  time?: number;
}

/**
 * The PowerShell 5.1 script for one channel. `after` undefined = first start: the newest `cap` events of the last
 * `maxAgeMs`, never the history. Otherwise the events after record `after`, oldest first; when the log was cleared
 * (a clear event newer than `since`, or record ids went back) or wrapped past `after` the script reads from the
 * oldest record instead (the caller reports the gap). It replies the record id it read after (`from`) and its
 * start time (`now`, taken before the clear query so the next run's query window joins this one without a hole).
 */
export function windowsChannelScript(
  channel: WindowsChannel,
  o: { levels: readonly EventLevel[]; after?: number; since?: number; cap: number; maxAgeMs: number; fullMessage: boolean },
): string {
  const filter = channelFilter(channel, o.levels).join(' and ');
  const first = o.after === undefined;
  const query = first
    ? `$xp = ${psQuote(`*[System[${filter} and TimeCreated[timediff(@SystemTime) <= ${Math.floor(o.maxAgeMs)}]]]`)}`
    : `$xp = ${psQuote(`*[System[${filter} and (EventRecordID > `)} + $from + ')]]'`;
  const message = o.fullMessage ? '$m' : "($m -split '\\r?\\n')[0]";
  return [
    "$ErrorActionPreference = 'Stop'",
    "$now = [DateTime]::UtcNow.ToString('o')",
    `$ch = ${psQuote(channel.name)}`,
    `$after = ${first ? -1 : Math.trunc(o.after ?? 0)}`,
    ...logClearedLines(channel.name, first ? undefined : o.since),
    // The range through Get-WinEvent -ListLog, which adds OldestRecordNumber and RecordCount from
    // EventLogSession.GetLogInformation to the log's EventLogConfiguration (PowerShell's GetEventCommand.cs,
    // ProcessListLog: the same lines since the Windows PowerShell sources were published, so 5.1 has them; its help,
    // Get-WinEvent Example 2, lists both). One cmdlet for everything the script reads; a missing channel or one the
    // agent may not open fails here (NoMatchingLogsFound, LogInfoUnavailable, -ErrorAction Stop).
    '$info = Get-WinEvent -ListLog $ch -ErrorAction Stop',
    '$oldest = $info.OldestRecordNumber; $count = $info.RecordCount; $from = $after',
    'if ($after -ge 0 -and $oldest -eq $null -and $hit) { $from = 0 }',
    'if ($after -ge 0 -and $oldest -ne $null -and ($hit -or ($oldest -gt $after + 1) -or ($oldest + $count - 1 -lt $after))) { $from = $oldest - 1 }',
    query,
    // After -ListLog succeeded, the non-terminating errors this read can write are per record (GetEventCommand.cs,
    // ReadEvents): a message that cannot be rendered (the event still comes, its Message "Cannot retrieve event
    // message text."), a record that cannot be read, and NoMatchingEventsFound when nothing matched. Under the
    // script's 'Stop' any of them would end the script, and a channel holding such a record would fail on every run;
    // an invalid query, access denied or a debug channel without -Oldest still throw (terminating errors). Message is
    // Get-WinEvent's own rendering: null when the provider's message file is missing.
    `$events = @(Get-WinEvent -LogName $ch -FilterXPath $xp -MaxEvents ${Math.trunc(o.cap)}${first ? '' : ' -Oldest'} -ErrorAction SilentlyContinue)`,
    `$items = @(foreach ($e in $events) { $m = $e.Message; if ($m -ne $null) { $m = ${message} }; @{ xml = $e.ToXml(); msg = $m } })`,
    '@{ oldest = $oldest; count = $count; from = $from; now = $now; clears = $clears; events = $items } | ConvertTo-Json -Depth 4 -Compress',
  ].join('\n');
}

/**
 * Where the channel's checkpoint goes after a read, and the gap to report. cleared: a clear event of this channel
 * newer than the checkpoint's time (caught even when the new log already grew past the old record id), or record
 * ids that went back; wrapped: the oldest record is beyond the checkpoint. After either, the records from the oldest
 * on were read (`reply.from`, the script's own word, wins over the rule repeated here).
 */
export function nextWindowsPosition(
  channel: string,
  checkpoint: WindowsCheckpoint | undefined,
  reply: WindowsChannelReply,
  cap: number,
): { next: WindowsCheckpoint; gap?: Gap } {
  const newest = reply.events.reduce((max, e) => Math.max(max, e.recordId ?? 0), 0);
  const empty = reply.oldest === null || !reply.count;
  const oldest = empty ? 0 : (reply.oldest as number);
  const last = empty ? 0 : oldest + (reply.count as number) - 1;
  const clears = checkpoint?.time === undefined ? [] : clearsSince(reply.clears, channel, checkpoint.time);
  // The next query window starts where this run's began, or after the newest clear seen (so none is reported twice).
  const times = [reply.now ?? checkpoint?.time, ...clears.map((c) => c.time)].filter((t): t is number => t !== undefined);
  const stamp = (recordId: number): WindowsCheckpoint => (times.length ? { recordId, time: Math.max(...times) } : { recordId });
  if (checkpoint === undefined) return { next: stamp(Math.max(newest, last)) }; // first start: seed the tail even with no match
  const after = checkpoint.recordId;
  let gap: Gap | undefined;
  let base = after;
  const clear = clears[clears.length - 1];
  if (clear) {
    const who = clear.by ? ` by ${clear.by}` : '';
    gap = {
      channel,
      reason: 'cleared',
      detail: `the log was cleared at ${new Date(clear.time).toISOString()}${who}: events after record ${after} up to then were lost; reading again from record ${oldest}`,
    };
    base = empty ? 0 : oldest - 1;
  } else if (last < after) {
    gap = { channel, reason: 'cleared', detail: `record ids went back from ${after} to ${last}: the log was cleared` };
    base = empty ? 0 : oldest - 1;
  } else if (!empty && oldest > after + 1) {
    gap = { channel, reason: 'wrapped', lost: oldest - after - 1, detail: `records ${after + 1}..${oldest - 1} were overwritten before they were read` };
    base = oldest - 1;
  }
  if (reply.from !== null) base = Math.max(0, reply.from);
  // A full batch: more may follow, so stop at the newest returned. Otherwise everything up to `last` was scanned.
  const next = reply.events.length >= cap ? Math.max(newest, base) : Math.max(newest, last, base);
  return gap ? { next: stamp(next), gap } : { next: stamp(next) };
}

async function readChannel(ctx: ProbeContext, channel: WindowsChannel, o: ResolvedEventlogOptions): Promise<ReadResult> {
  const key = `windows:${channel.name}`;
  const checkpoint = ctx.checkpoints.get<WindowsCheckpoint>(key);
  const after = checkpoint?.recordId;
  const cap = after === undefined ? o.firstStartMaxEvents : o.maxEventsPerRun;
  const script = windowsChannelScript(channel, {
    levels: o.levels,
    after,
    since: checkpoint?.time,
    cap,
    maxAgeMs: o.firstStartMaxAgeMs,
    fullMessage: o.fullMessage,
  });
  const raw = await (ctx.powershell as NonNullable<ProbeContext['powershell']>).run(script, { timeoutMs: SCRIPT_TIMEOUT_MS, signal: ctx.signal });
  const reply = parseWindowsChannelReply(raw, channel.name, o.fullMessage);
  const { next, gap } = nextWindowsPosition(channel.name, checkpoint, reply, cap);
  ctx.checkpoints.stage(key, next);
  const gaps: Gap[] = gap ? [gap] : [];
  if (reply.problems.count > 0) gaps.push({ channel: channel.name, reason: 'unparseable', lost: reply.problems.count, detail: reply.problems.excerpt ?? '' });
  const events: EventRecord[] = [...reply.events].sort((a, b) => (a.recordId ?? 0) - (b.recordId ?? 0));
  return { events, gaps };
}

export const readWindowsEventlog: EventlogReader = async (ctx, o) => {
  if (!ctx.powershell) throw new Error('eventlog: the PowerShell worker is not available');
  const result: ReadResult = { events: [], gaps: [] };
  for (const channel of o.windowsChannels) {
    try {
      const r = await readChannel(ctx, channel, o);
      result.events.push(...r.events);
      result.gaps.push(...r.gaps);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      // One unreadable channel (missing, access denied) must not hold back the others; its checkpoint stays.
      result.gaps.push({ channel: channel.name, reason: 'read_error', detail: excerpt(error instanceof Error ? error.message : String(error)) });
    }
  }
  return result;
};
