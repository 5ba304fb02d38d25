// The hold check: is a ticket for this host and rule held back right now by a maintenance window or a silence,
// and until when. Pure: the windows and silences are passed in (the engine caches them, see store.maintenance
// version()).
import { CronExpressionParser } from 'cron-parser';
import type { MaintenanceWindow, Silence } from '../store/index.js';

export interface HoldTarget {
  tenant: string;
  host: string;
  /** The host's site, when the rules file gives it one (site-scoped windows match only then). */
  site?: string;
  ruleId: string;
  /** The agent, for holds placed on one agent (HoldSource); windows and silences match by hostname. */
  agentId?: string;
}

export interface Hold {
  /** antivirus_update: a Defender signature update the collector asked for before ticketing old definitions (antivirus/). */
  kind: 'maintenance' | 'silence' | 'antivirus_update';
  id: string;
  /** When this hold ends (exclusive), unix ms. */
  until: number;
  /** The window's reason or the silence's comment. */
  reason: string;
}

/**
 * Holds another part of the collector places on one agent's alerts of a rule for a while, beside maintenance windows
 * and silences (the antivirus manager holds old-definitions alerts while a signature update it asked for is under
 * way). Asked at each firing and at each tick for held alerts, so answers must be cheap. Its holds end when what they
 * wait for happened, so no maintenance_exit_grace follows them (alert-path.ts).
 */
export interface HoldSource {
  at(target: HoldTarget, at: number): Hold | null;
  /** When an alert this source held is ticketed after all: a line for the ticket saying what was tried, or null. */
  releaseNote(target: HoldTarget, at: number): string | null;
}

/**
 * The end of the window's stretch covering `at`, or null when it does not cover `at` (scope aside).
 *
 * One-off: [startsAt, endsAt). Recurring: the latest occurrence starting at or before `at` (and not before
 * startsAt) covers [occurrence, occurrence + durationMs), cut at endsAt when the window has one: nothing holds
 * after endsAt. Occurrences are read in the window's time zone, so "0 22 * * 6" is 22:00 local summer and
 * winter; the duration is elapsed time (a 4 h window over the spring-forward night ends at 03:00 local). A local
 * time skipped by a DST change (02:30 on the spring-forward day) has no occurrence that day, as in cron.
 */
export function windowCoverage(window: MaintenanceWindow, at: number): number | null {
  if (window.deletedAt !== null || at < window.startsAt) return null;
  const end = window.endsAt ?? Infinity;
  if (at >= end) return null;
  if (!window.recurrence) return end;
  const occurrence = latestOccurrence(window.recurrence.cron, window.recurrence.timezone, at);
  if (occurrence === null || occurrence < window.startsAt) return null;
  const until = Math.min(occurrence + window.recurrence.durationMs, end);
  return at < until ? until : null;
}

/** The latest occurrence of `cron` at or before `at` (cron-parser's prev() is strictly before its start). */
function latestOccurrence(cron: string, timezone: string, at: number): number | null {
  try {
    return CronExpressionParser.parse(cron, { currentDate: at + 1, tz: timezone })
      .prev()
      .getTime();
  } catch {
    return null; // no occurrence within cron-parser's search limit: nothing to hold
  }
}

function windowMatches(window: MaintenanceWindow, target: HoldTarget): boolean {
  if (window.tenant !== target.tenant) return false;
  if (window.host !== null) return window.host === target.host;
  if (window.site !== null) return window.site === target.site;
  return true;
}

function silenceCoverage(silence: Silence, target: HoldTarget, at: number): number | null {
  if (silence.tenant !== target.tenant || silence.expiredAt !== null) return null;
  if ((silence.host !== null && silence.host !== target.host) || (silence.ruleId !== null && silence.ruleId !== target.ruleId)) return null;
  return silence.startsAt <= at && at < silence.endsAt ? silence.endsAt : null;
}

/**
 * The hold covering target at `at` that lasts longest, or null. A window scoped to a site matches hosts of that
 * site; to a host, that host; to neither, the whole tenant. A silence matches when its host and rule are null or
 * equal. Deleted windows and expired silences never match. On a tie the first in the lists (windows before
 * silences) wins.
 */
export function holdAt(target: HoldTarget, at: number, windows: readonly MaintenanceWindow[], silences: readonly Silence[]): Hold | null {
  let best: Hold | null = null;
  for (const w of windows) {
    const until = windowMatches(w, target) ? windowCoverage(w, at) : null;
    if (until !== null && (best === null || until > best.until)) best = { kind: 'maintenance', id: w.id, until, reason: w.reason };
  }
  for (const s of silences) {
    const until = silenceCoverage(s, target, at);
    if (until !== null && (best === null || until > best.until)) best = { kind: 'silence', id: s.id, until, reason: s.comment };
  }
  return best;
}
