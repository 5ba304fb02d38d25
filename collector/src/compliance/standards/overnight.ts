// powered_on_overnight: the host stays on overnight, so the nightly maintenance (patches, backups, scans) can reach it.
// Judged from the collector's connection history (store/sessions.ts), not from a point: a night counts when the agent
// was connected for at least min_coverage of the tenant's window (local time in the tenant's zone, so a DST night's
// window is as long as it really is), and the host passes with at least `nights` of the last `of` complete windows.
// Servers always; workstations only when the tenant's contract asks (`workstations: true`).
//
// Unknown while fewer than `of` windows lie after what is known: the agent's enrollment or the start of the history,
// whichever is later. A night before either is not a night off, and guessing it either way would be wrong.
import { DateTime } from 'luxon';
import type { HostView, Judgement, Standard } from '../contract.js';
import { windowText, type ComplianceThresholds } from '../thresholds.js';
import { DAY_MS, day } from './fields.js';

/** The measurement the evidence names: the connection history, which is SQLite's, not InfluxDB's. */
export const SESSIONS_EVIDENCE = 'agent_sessions';

export interface Night {
  from: number;
  to: number;
}

/** How much connection history the standard reads back from `now`: `of` nights, a window crossing midnight, DST. */
export const overnightHistoryMs = (t: Pick<ComplianceThresholds, 'overnightOf'>): number => (t.overnightOf + 2) * DAY_MS;

/**
 * The last `count` windows that ended by `now`, newest first. A window on local day D starts at D + from minutes and
 * ends at D + to minutes (the next day when to <= from); a local time that does not exist (spring forward) moves to
 * the first one that does, as luxon resolves it.
 */
export function lastWindows(window: { from: number; to: number }, zone: string, now: number, count: number): Night[] {
  const crosses = window.to <= window.from;
  const at = (d: DateTime, minutes: number) => d.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 }).toMillis();
  const nights: Night[] = [];
  for (let d = DateTime.fromMillis(now, { zone }).startOf('day'); nights.length < count; d = d.minus({ days: 1 })) {
    const night = { from: at(d, window.from), to: at(crosses ? d.plus({ days: 1 }) : d, window.to) };
    if (night.to <= now) nights.push(night);
  }
  return nights;
}

/** Connected time within the night: the overlap of each session with it (an open one runs to `now`). */
export function connectedWithin(sessions: HostView['sessions'], night: Night, now: number): number {
  let ms = 0;
  for (const s of sessions) ms += Math.max(0, Math.min(s.to ?? now, night.to) - Math.max(s.from, night.from));
  return ms;
}

export const poweredOnOvernight: Standard = {
  id: 'powered_on_overnight',
  title: 'Powered on overnight',
  reads: [],
  appliesTo: (host, t) => host.role === 'server' || t.overnightWorkstations,
  evaluate(host, t, now): Judgement {
    const where = `window ${windowText(t.overnightWindow)} ${host.zone}`;
    const nights = lastWindows(t.overnightWindow, host.zone, now, t.overnightOf);
    const known = host.sessionsKnownFrom;
    if (known === null) return { verdict: 'unknown', reason: 'no connection history recorded yet' };
    const covered = nights.filter((n) => n.from >= known).length;
    if (covered < t.overnightOf) {
      return {
        verdict: 'unknown',
        reason: `${covered} of the last ${t.overnightOf} nights (${where}) lie after the connection history of this host begins on ${day(known)}`,
      };
    }
    const on = nights.filter((n) => connectedWithin(host.sessions, n, now) >= t.overnightMinCoverage * (n.to - n.from)).length;
    const reason = `connected overnight on ${on} of the last ${t.overnightOf} nights (${where})`;
    const evidence = { measurement: SESSIONS_EVIDENCE, time: nights[0]!.to, fields: { nights_on: on, nights: t.overnightOf } };
    return on >= t.overnightNights
      ? { verdict: 'pass', reason, evidence }
      : { verdict: 'fail', reason: `${reason}; at least ${t.overnightNights} required`, evidence };
  },
};
