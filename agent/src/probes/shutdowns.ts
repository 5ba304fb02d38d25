// shutdowns: unexpected shutdowns (crash, power loss, hard reset), each reported once. Measurement `shutdowns`: one
// point per unexpected shutdown, time = when Windows logged it / when the next boot happened (the moment it became
// known; the exact moment of a power loss is not recorded anywhere reliable), tag kind, fields event_id, message.
// Windows: System log events 41 (Microsoft-Windows-Kernel-Power, "rebooted without cleanly shutting down first")
// and 6008 (EventLog, "The previous system shutdown at ... was unexpected"), through the PowerShell worker, after
// the record id checkpoint (restarting after a System log clear). Linux: boots in wtmp that no shutdown record closed (readable without root; no process).
// macOS: not implemented: the unified log's "Previous shutdown cause" would be the source, but no real capture of it
// could be found to test a parser against, so the probe returns nothing there.
import { readFile } from 'node:fs/promises';
import { int, type SampleDraft } from '../sample.js';
import type { Probe, ProbeContext } from './probe.js';
import { logClearedLines } from './windows-log-cleared.js';
import { nextShutdownCheckpoint, parseWindowsShutdownReply, parseWtmpCrashes, readShutdownCheckpoint, type ShutdownCheckpoint, type UnexpectedShutdown } from './parse/shutdowns.js';

const DEFAULT_SCHEDULE = '0 */5 * * * *'; // every 5 minutes
/** First run (no checkpoint): only what happened this recently, never the whole history. */
const FIRST_RUN_LOOKBACK_MS = 24 * 60 * 60_000;
const MAX_EVENTS = 100;
const SCRIPT_TIMEOUT_MS = 30_000;
const WTMP_PATH = '/var/log/wtmp';

/**
 * Windows PowerShell 5.1. Get-WinEvent throws NoMatchingEventsFound when nothing matches: that is an empty list.
 * After the record-id checkpoint; when the System log was cleared since (a 104 naming System newer than the
 * checkpoint's time, or record ids that went back) the ids restarted, so the whole new log is searched (from 0)
 * instead of skipping 41/6008 events until the ids pass the old value. Replies {now, last, rows}.
 */
export function windowsShutdownScript(after: ShutdownCheckpoint | undefined, lookbackMs = FIRST_RUN_LOOKBACK_MS): string {
  const since = after === undefined ? `TimeCreated[timediff(@SystemTime) <= ${lookbackMs}]` : 'EventRecordID > $($from)';
  const xpath =
    "*[System[((Provider[@Name='Microsoft-Windows-Kernel-Power'] and EventID=41) or (Provider[@Name='EventLog'] and EventID=6008))" +
    ` and ${since}]]`;
  return [
    "$now = [DateTime]::UtcNow.ToString('o')",
    `$after = ${after === undefined ? -1 : Math.trunc(after.recordId)}`,
    ...logClearedLines('System', after?.time),
    "$info = [System.Diagnostics.Eventing.Reader.EventLogSession]::GlobalSession.GetLogInformation('System', [System.Diagnostics.Eventing.Reader.PathType]::LogName)",
    '$last = $null; if ($info.OldestRecordNumber -ne $null) { $last = $info.OldestRecordNumber + $info.RecordCount - 1 }',
    '$from = $after',
    'if ($after -ge 0 -and ($hit -or ($last -ne $null -and $last -lt $after))) { $from = 0 }',
    `try { $events = @(Get-WinEvent -LogName System -FilterXPath "${xpath}" -MaxEvents ${MAX_EVENTS} -ErrorAction Stop) }`,
    "catch { if ($_.FullyQualifiedErrorId -like 'NoMatchingEventsFound*') { $events = @() } else { throw } }",
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
  },
});

type Reader = (ctx: ProbeContext) => Promise<SampleDraft[]>;

const readers: Partial<Record<NodeJS.Platform, (o: ShutdownsProbeOptions) => Reader>> = {
  win32: () => async (ctx) => {
    if (!ctx.powershell) throw new Error('shutdowns: no PowerShell worker');
    // 'record' held a bare record id before the time was kept: readShutdownCheckpoint takes both.
    const after = readShutdownCheckpoint(ctx.checkpoints.get('record'));
    const reply = parseWindowsShutdownReply(await ctx.powershell.run(windowsShutdownScript(after), { timeoutMs: SCRIPT_TIMEOUT_MS, signal: ctx.signal }));
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
};

export function createShutdownsProbe(options: ShutdownsProbeOptions = {}): Probe {
  const read = readers[options.platform ?? process.platform]?.(options);
  return {
    name: 'shutdowns',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      return read ? read(ctx) : []; // macOS: not implemented (see above)
    },
  };
}
