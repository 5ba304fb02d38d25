// Settings of the eventlog probe and the contract of its per-OS readers. There is no agent config file yet: the
// collector's policy will fill EventlogOptions; until then the named defaults below apply.
import type { ProbeContext } from '../probe.js';
import type { EventLevel, EventRecord } from '../common/event-record.js';

/** Levels kept by default: what an MSP acts on. */
export const DEFAULT_LEVELS: readonly EventLevel[] = ['critical', 'error', 'warning'];
/** First start (no checkpoint): only events of the last 24 h, at most this many per channel — never the history. */
export const DEFAULT_FIRST_START_MAX_AGE_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_FIRST_START_MAX_EVENTS = 200;
/** Per channel and run: a backlog after downtime trickles in at this rate instead of one huge batch. */
export const DEFAULT_MAX_EVENTS_PER_RUN = 500;

export interface WindowsChannel {
  /** Channel name as Get-WinEvent -LogName takes it: System, Application, Microsoft-Windows-Sysmon/Operational, ... */
  name: string;
  /** Levels kept (default: the probe's `levels`). `audit_failure`/`audit_success` select Security audit keywords. */
  levels?: EventLevel[];
  /** Only these providers (exact names), when given. */
  providers?: string[];
  /** Only these event ids, when given. Windows allows about 20 terms per XPath query in total: keep lists short. */
  eventIds?: number[];
}

/**
 * Default Windows channels. Security: audit failures only (failed logons 4625, access denied): they are what an MSP
 * investigates; successes are tens of thousands a day on a domain controller and belong in a SIEM, not here.
 * Reading Security needs LocalSystem or "Event Log Readers", which the agent service has.
 */
export const DEFAULT_WINDOWS_CHANNELS: readonly WindowsChannel[] = [
  { name: 'System' },
  { name: 'Application' },
  { name: 'Security', levels: ['audit_failure'] },
];

export interface EventlogOptions {
  /** Windows only (default DEFAULT_WINDOWS_CHANNELS). */
  windowsChannels?: WindowsChannel[];
  /** Levels kept for journald, the unified log and Windows channels without their own list. */
  levels?: EventLevel[];
  firstStartMaxAgeMs?: number;
  firstStartMaxEvents?: number;
  maxEventsPerRun?: number;
  /** Keep the whole message instead of its first line (still capped at MAX_MESSAGE_CHARS). */
  fullMessage?: boolean;
  /** journald: read this journal directory (`journalctl --directory`) instead of the system journal (tests, containers). */
  journalDirectory?: string;
  /** journald: read these journal files (`journalctl --file`). */
  journalFiles?: string[];
  platform?: NodeJS.Platform;
}

export type ResolvedEventlogOptions = Required<Omit<EventlogOptions, 'journalDirectory' | 'journalFiles' | 'platform'>> &
  Pick<EventlogOptions, 'journalDirectory' | 'journalFiles'>;

/**
 * Why events were not collected. cleared: the log was cleared (record ids went backwards); wrapped: the oldest
 * records were overwritten before they were read; cursor_lost: the journald cursor or the position's entry no longer
 * exists (vacuumed); unparseable: output that could not be read (counted, with an excerpt); read_error: the channel
 * could not be read this run (its checkpoint did not move, so nothing is lost yet).
 */
export type GapReason = 'cleared' | 'wrapped' | 'cursor_lost' | 'unparseable' | 'read_error';

export interface Gap {
  channel: string;
  reason: GapReason;
  /** Records known to be lost, when the source says how many. */
  lost?: number;
  detail: string;
}

export interface ReadResult {
  events: EventRecord[];
  gaps: Gap[];
}

/** One OS's reader: reads what is new since its checkpoints and stages the new positions through ctx.checkpoints. */
export type EventlogReader = (ctx: ProbeContext, options: ResolvedEventlogOptions) => Promise<ReadResult>;

export function resolveOptions(options: EventlogOptions): ResolvedEventlogOptions {
  const positive = (v: number | undefined, fallback: number) => (v !== undefined && Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback);
  return {
    windowsChannels: options.windowsChannels ?? DEFAULT_WINDOWS_CHANNELS.map((c) => ({ ...c })),
    levels: options.levels ?? [...DEFAULT_LEVELS],
    firstStartMaxAgeMs: positive(options.firstStartMaxAgeMs, DEFAULT_FIRST_START_MAX_AGE_MS),
    firstStartMaxEvents: positive(options.firstStartMaxEvents, DEFAULT_FIRST_START_MAX_EVENTS),
    maxEventsPerRun: positive(options.maxEventsPerRun, DEFAULT_MAX_EVENTS_PER_RUN),
    fullMessage: options.fullMessage ?? false,
    journalDirectory: options.journalDirectory,
    journalFiles: options.journalFiles,
  };
}
