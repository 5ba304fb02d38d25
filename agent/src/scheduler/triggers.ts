// Where a probe's ticks come from: a node-cron expression or a fixed interval, behind a one-method interface so
// that tests can inject a manual trigger while the real node-cron path stays the default.
import cron from 'node-cron';
import type { Probe } from '../probes/probe.js';
import type { Timers } from '../base/timers.js';

/** A node-cron expression (a seconds field is allowed), or a fixed interval (`watchpost-agent run --every 30s`). */
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
    const result = cron.validateDetailed(schedule.cron);
    if (result.valid) return;
    const why = result.errors.map((e) => e.message).join('; ');
    throw new Error(`probe ${probe}: invalid cron expression ${JSON.stringify(schedule.cron)}: ${why}`);
  }
  if (!Number.isFinite(schedule.everyMs) || schedule.everyMs <= 0) {
    throw new Error(`probe ${probe}: invalid interval ${String(schedule.everyMs)} ms: expected a positive number`);
  }
}

/** node-cron for cron expressions, an interval timer otherwise. node-cron's own jitter and noOverlap are not used:
 *  the scheduler applies both itself so that cron and interval schedules behave alike and tests can drive them. */
export function defaultTriggers(timers: Timers, log: SchedulerLog): TriggerFactory {
  return (probe, schedule, fire) => {
    if ('everyMs' in schedule) {
      const handle = timers.setInterval(fire, schedule.everyMs);
      return { stop: () => timers.clearInterval(handle) };
    }
    const say = (m: string | Error): string => `${probe}: node-cron: ${m instanceof Error ? m.message : m}`;
    const logger = {
      info: (m: string) => log.info(say(m)),
      warn: (m: string) => log.warn(say(m)),
      error: (m: string | Error, err?: Error) => log.error(say(m), err ? { error: err.message } : undefined),
      debug: () => undefined,
    };
    const task = cron.createTask(schedule.cron, () => fire(), { name: `watchpost:${probe}`, logger });
    void Promise.resolve(task.start()).catch((err: unknown) => log.error(say(toError(err))));
    return { stop: () => void Promise.resolve(task.destroy()).catch((err: unknown) => log.error(say(toError(err)))) };
  };
}

/** The shortest gap between a schedule's next few ticks (cron: from node-cron's own calendar), to bound jitter. */
export function intervalMs(schedule: Schedule): number {
  if ('everyMs' in schedule) return schedule.everyMs;
  const task = cron.createTask(schedule.cron, () => undefined);
  try {
    const runs = task.getNextRuns(4).map((d) => d.getTime());
    const gaps = runs.slice(1).map((t, i) => t - runs[i]!);
    return gaps.length > 0 ? Math.min(...gaps) : Infinity;
  } finally {
    void task.destroy();
  }
}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
