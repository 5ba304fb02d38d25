// probes/shutdowns/: this probe and its parsers: Linux wtmp and Windows events (unexpected-shutdowns.ts), the macOS
// shutdown cause (shutdown-cause.ts); the event-log pieces it shares with eventlog are in ../common/.
//
// shutdowns: unexpected shutdowns (crash, power loss, hard reset), each reported once. Measurement `shutdowns`: one
// point per unexpected shutdown, time = when Windows logged it / when the next boot happened (the moment it became
// known; the exact moment of a power loss is not recorded anywhere reliable), tag kind, fields event_id, message.
// Windows: System log events 41 (Microsoft-Windows-Kernel-Power, "rebooted without cleanly shutting down first")
// and 6008 (EventLog, "The previous system shutdown at ... was unexpected"), through the PowerShell worker, after
// the record id checkpoint (restarting after a System log clear). Linux: boots in wtmp that no shutdown record closed (readable without root; no process).
// macOS: the kernel's "Previous shutdown cause: <n>" entry of each boot, from one `log show` with a predicate over
// the time since the last run; abnormal codes only (shutdown-cause.ts), fields cause and cause_text. Intel Macs
// only: Apple silicon Macs log no cause code, so there the probe finds nothing.
import { readFile } from 'node:fs/promises';
import { int, type SampleDraft } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { logClearedLines } from '../common/windows-log-cleared.js';
import {
  nextShutdownCheckpoint,
  parseWindowsShutdownReply,
  parseWtmpCrashes,
  readShutdownCheckpoint,
  type ShutdownCheckpoint,
  type UnexpectedShutdown,
} from './unexpected-shutdowns.js';
import { parseShutdownCauseLog, unexpectedShutdownsFromCauses } from './shutdown-cause.js';
import { formatUnifiedTime } from '../common/unified-log-ndjson.js';

const DEFAULT_SCHEDULE = '0 */5 * * * *'; // every 5 minutes
/** First run (no checkpoint): only what happened this recently, never the whole history. */
const FIRST_RUN_LOOKBACK_MS = 24 * 60 * 60_000;
const MAX_EVENTS = 100;
/** The Windows script and the macOS `log show` (the scheduler's default run timeout). */
const QUERY_TIMEOUT_MS = 30_000;
const WTMP_PATH = '/var/log/wtmp';
/** macOS: the kernel's boot messages reach the unified log when logd starts, possibly after an early agent run, so
 *  each run reads only up to this long ago; a cause is reported at most this much later. */
const LOG_SETTLE_MS = 60_000;
/** macOS: at most this much log per `log show`, so a first run or a catch-up after agent downtime walks forward in
 *  bounded steps instead of one query that could outlast the timeout (and then repeat forever). Not measured. */
const MAX_LOG_WINDOW_MS = 6 * 60 * 60_000;
/** Only the kernel entries that name a cause (the parser also checks the process). */
export const SHUTDOWN_CAUSE_PREDICATE = 'eventMessage CONTAINS "Previous shutdown cause"';

/**
 * Windows PowerShell 5.1. The System log's range comes from Get-WinEvent -ListLog (OldestRecordNumber and RecordCount,
 * which it adds from EventLogSession.GetLogInformation: PowerShell's GetEventCommand.cs, ProcessListLog). The read
 * runs with -ErrorAction SilentlyContinue: its non-terminating errors are NoMatchingEventsFound (an empty list) and
 * per-record ones such as a message Get-WinEvent cannot render (the event still comes, with "Cannot retrieve event
 * message text."), which must not fail the run; terminating errors (access denied, an invalid query) still throw.
 * After the record-id checkpoint; when the System log was cleared since (a 104 naming System newer than the
 * checkpoint's time, or record ids that went back) the ids restarted, so the whole new log is searched (from 0)
 * instead of skipping 41/6008 events until the ids pass the old value. Replies {now, last, rows}.
 */
export function windowsShutdownScript(after: ShutdownCheckpoint | undefined, lookbackMs = FIRST_RUN_LOOKBACK_MS): string {
  const since = after === undefined ? `TimeCreated[timediff(@SystemTime) <= ${lookbackMs}]` : 'EventRecordID > $($from)';
  const xpath =
    "*[System[((Provider[@Name='Microsoft-Windows-Kernel-Power'] and EventID=41) or (Provider[@Name='EventLog'] and EventID=6008))" + ` and ${since}]]`;
  return [
    "$now = [DateTime]::UtcNow.ToString('o')",
    `$after = ${after === undefined ? -1 : Math.trunc(after.recordId)}`,
    ...logClearedLines('System', after?.time),
    '$info = Get-WinEvent -ListLog System -ErrorAction Stop',
    '$last = $null; if ($info.OldestRecordNumber -ne $null) { $last = $info.OldestRecordNumber + $info.RecordCount - 1 }',
    '$from = $after',
    'if ($after -ge 0 -and ($hit -or ($last -ne $null -and $last -lt $after))) { $from = 0 }',
    `$events = @(Get-WinEvent -LogName System -FilterXPath "${xpath}" -MaxEvents ${MAX_EVENTS} -ErrorAction SilentlyContinue)`,
    '$rows = @($events | ForEach-Object { @{ id = $_.Id; record = $_.RecordId; provider = $_.ProviderName;',
    "  time = $_.TimeCreated.ToUniversalTime().ToString('o'); message = [string]$_.Message } })",
    'ConvertTo-Json -InputObject @{ now = $now; last = $last; rows = $rows } -Depth 4 -Compress',
  ].join('\n');
}

export interface ShutdownsProbeOptions {
  platform?: NodeJS.Platform;
  wtmpPath?: string;
}

const sample = (s: UnexpectedShutdown): SampleDraft => ({
  measurement: 'shutdowns',
  time: s.time,
  // kind is a tag (three values): a 41 and a 6008 logged in the same millisecond must stay two points.
  tags: { kind: s.kind },
  fields: {
    message: s.message,
    ...(s.eventId === undefined ? {} : { event_id: int(s.eventId) }),
    ...(s.recordId === undefined ? {} : { record_id: int(s.recordId) }),
    ...(s.bootTime === undefined ? {} : { boot_time: int(s.bootTime / 1000) }),
    ...(s.cause === undefined ? {} : { cause: int(s.cause), cause_text: s.causeText ?? '' }),
  },
});

type Reader = (ctx: ProbeContext) => Promise<SampleDraft[]>;

/**
 * macOS: the log window of this run, [startMs, endMs) in whole seconds (`log show` takes seconds). It starts where
 * the last acked run ended (first run: 24 h ago) and ends LOG_SETTLE_MS ago or MAX_LOG_WINDOW_MS after its start.
 */
export function shutdownLogWindow(checkpointMs: number | undefined, nowMs: number): { startMs: number; endMs: number } {
  const second = (ms: number) => Math.floor(ms / 1000) * 1000;
  const startMs = checkpointMs ?? second(nowMs - FIRST_RUN_LOOKBACK_MS);
  return { startMs, endMs: Math.min(second(nowMs - LOG_SETTLE_MS), startMs + MAX_LOG_WINDOW_MS) };
}

const readers: Partial<Record<NodeJS.Platform, (o: ShutdownsProbeOptions) => Reader>> = {
  win32: () => async (ctx) => {
    if (!ctx.powershell) throw new Error('shutdowns: no PowerShell worker');
    // 'record' held a bare record id before the time was kept: readShutdownCheckpoint takes both.
    const after = readShutdownCheckpoint(ctx.checkpoints.get('record'));
    const reply = parseWindowsShutdownReply(await ctx.powershell.run(windowsShutdownScript(after), { timeoutMs: QUERY_TIMEOUT_MS, signal: ctx.signal }));
    const next = nextShutdownCheckpoint(after, reply);
    if (next) ctx.checkpoints.stage('record', next);
    return reply.events.map(sample);
  },
  linux: (o) => async (ctx) => {
    const data = await readFile(o.wtmpPath ?? WTMP_PATH).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Buffer.alloc(0); // no wtmp (a container): nothing to detect
      throw error;
    });
    const after = ctx.checkpoints.get<number>('boot_ms') ?? ctx.now() - FIRST_RUN_LOOKBACK_MS;
    const found = parseWtmpCrashes(data).filter((c) => c.time > after);
    if (found.length > 0) ctx.checkpoints.stage('boot_ms', Math.max(...found.map((c) => c.time)));
    return found.map(sample);
  },
  darwin: () => async (ctx) => {
    const { startMs, endMs } = shutdownLogWindow(ctx.checkpoints.get<number>('log_ms'), ctx.now());
    if (endMs <= startMs) return [];
    // No --style: the default style, the one real captures exist of. Default-type entries need no --info.
    const args = ['show', '--start', formatUnifiedTime(startMs), '--end', formatUnifiedTime(endMs), '--predicate', SHUTDOWN_CAUSE_PREDICATE];
    const { stdout } = await ctx.runner('log', args, { timeoutMs: QUERY_TIMEOUT_MS, signal: ctx.signal });
    // The window is half-open so an entry in the boundary second belongs to exactly one run.
    const found = parseShutdownCauseLog(stdout).filter((e) => e.time >= startMs && e.time < endMs);
    ctx.checkpoints.stage('log_ms', endMs);
    return unexpectedShutdownsFromCauses(found).map(sample);
  },
};

export function createShutdownsProbe(options: ShutdownsProbeOptions = {}): Probe {
  const read = readers[options.platform ?? process.platform]?.(options);
  return {
    name: 'shutdowns',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      return read ? read(ctx) : []; // other platforms: nothing to read
    },
  };
}
