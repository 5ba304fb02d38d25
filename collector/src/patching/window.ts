// Install windows in time: which one is open at a moment, the next to start, the last to end. One computation serves
// the planner (what a plan's window is) and the alert holds (a patch window is a maintenance window), so the two never
// disagree about where a window lies.
//
// A window starts at each time its cron names, read in its zone (croner), so "0 0 2 * * 6" is Saturday 02:00 local
// summer and winter; it lasts `durationMs` of elapsed time (a 4 h window over the spring-forward night ends at 06:00
// local). A start the spring-forward night skips (02:30 on that Sunday in Europe) runs at 03:00 local, as croner does.
import { Cron } from 'croner';
import type { WindowSpec } from './policy.js';

export interface Window {
  start: number;
  end: number;
}

/** Compiled crons by zone and text: a rules file names a handful, and the planner asks per agent. */
const crons = new Map<string, Cron>();
const MAX_CRONS = 1_000;

function cronOf(spec: WindowSpec): Cron {
  const key = `${spec.timezone}\u0000${spec.cron}`;
  let c = crons.get(key);
  if (!c) {
    if (crons.size >= MAX_CRONS) crons.clear();
    crons.set(key, (c = new Cron(spec.cron, { timezone: spec.timezone, paused: true })));
  }
  return c;
}

/** The window that starts first after `at` (strictly), or null when the cron never runs again. */
export function nextWindow(spec: WindowSpec, at: number): Window | null {
  const start = cronOf(spec).nextRun(new Date(at))?.getTime();
  return start === undefined ? null : { start, end: start + spec.durationMs };
}

/** The window whose start is the latest at or before `at`, open or not, or null. */
export function latestWindow(spec: WindowSpec, at: number): Window | null {
  const start = cronOf(spec)
    .previousRuns(1, new Date(at + 1))[0]
    ?.getTime();
  return start === undefined ? null : { start, end: start + spec.durationMs };
}

/** The window open at `at` ([start, end) holds it), or null. */
export function openWindow(spec: WindowSpec, at: number): Window | null {
  const w = latestWindow(spec, at);
  return w && at < w.end ? w : null;
}

/** The latest window that ended at or before `at`, or null. */
export function lastEndedWindow(spec: WindowSpec, at: number): Window | null {
  const w = latestWindow(spec, at);
  if (w === null) return null;
  if (w.end <= at) return w;
  return latestWindow(spec, w.start - 1);
}
