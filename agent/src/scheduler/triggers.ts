// Where a probe's ticks come from: a cron expression (croner) or a fixed interval, behind a one-method interface so
// that tests can inject a manual trigger while the real croner path stays the default.
//
// croner, not node-cron: node-cron computes every tick through Intl.DateTimeFormat even without a time zone, which
// loads ICU's date data into the agent (about 11 MB of RSS, 2 MB private, measured by scripts/bench/agent-footprint.ts);
// croner reads the local clock with Date's own getters unless given a time zone, which the agent never does.
import { Cron } from 'croner';
import type { Probe } from '../probes/probe.js';
import type { Timers } from '../base/timers.js';

/** A cron expression (a seconds field is allowed), or a fixed interval (`watchpost-agent run --every 30s`). */
export type Schedule = { cron: string } | { everyMs: number };

export interface SchedulerLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A source of ticks for one probe. Created by start(), stopped by stop(); `fire` may be called at any time in
 *  between and must not be called after stop(). */
export interface Trigger {
  stop(): void;
}
export type TriggerFactory = (probe: string, schedule: Schedule, fire: () => void) => Trigger;

/** The `--every` override: the same interval for every probe. */
export function everySchedules(probes: readonly Probe[], everyMs: number): Record<string, Schedule> {
  return Object.fromEntries(probes.map((p) => [p.name, { everyMs }]));
}

/** Throws naming the probe when its schedule cannot run: a bad cron expression or a non-positive interval. */
export function validateSchedule(probe: string, schedule: Schedule): void {
  if ('cron' in schedule) {
    try {
      new Cron(schedule.cron, { paused: true }).stop();
      return;
    } catch (error) {
      throw new Error(`probe ${probe}: invalid cron expression ${JSON.stringify(schedule.cron)}: ${toError(error).message}`, { cause: error });
    }
  }
  if (!Number.isFinite(schedule.everyMs) || schedule.everyMs <= 0) {
    throw new Error(`probe ${probe}: invalid interval ${String(schedule.everyMs)} ms: expected a positive number`);
  }
}

/** croner for cron expressions, an interval timer otherwise. croner's own overrun protection is not used: the
 *  scheduler applies jitter and the overlap guard itself so that cron and interval schedules behave alike and tests
 *  can drive them. Jobs are unnamed: croner keeps named jobs in a process-wide registry. */
export function defaultTriggers(timers: Timers, log: SchedulerLog): TriggerFactory {
  return (probe, schedule, fire) => {
    if ('everyMs' in schedule) {
      const handle = timers.setInterval(fire, schedule.everyMs);
      return { stop: () => timers.clearInterval(handle) };
    }
    const job = new Cron(schedule.cron, { catch: (err: unknown) => log.error(`${probe}: cron: ${toError(err).message}`) }, () => fire());
    return { stop: () => job.stop() };
  };
}

/** The shortest gap between a schedule's next few ticks (cron: from croner's own calendar), to bound jitter. */
export function intervalMs(schedule: Schedule): number {
  if ('everyMs' in schedule) return schedule.everyMs;
  const job = new Cron(schedule.cron, { paused: true });
  try {
    const runs = job.nextRuns(4).map((d) => d.getTime());
    const gaps = runs.slice(1).map((t, i) => t - runs[i]!);
    return gaps.length > 0 ? Math.min(...gaps) : Infinity;
  } finally {
    job.stop();
  }
}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
