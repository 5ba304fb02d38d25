// The plan the collector sent, kept and run: validated (plan.ts; a refused plan installs nothing and is reported as a
// patch_run point with `refused`), persisted in the state directory so that an agent restarted before or inside the
// window still runs it, run at the window's start (at once when inside it) through runPatchPlan, its results handed
// to the agent's pipeline before any reboot, and its id recorded as completed so that it never runs twice.
//
// What the collector may send (proto PatchPlan): the agent's current plan after each Welcome and whenever it changes.
//  1. The plan held (waiting or running), or a completed one, again: ignored (a reconnect re-sends it).
//  2. Another plan while one waits: it replaces the waiting one. While one runs: it waits for that run's end.
//  3. The empty plan (plan_id ''): the collector has none for this agent now; a waiting plan is dropped, a running one
//     finishes (an install is never cut short by a policy change).
//  4. A new plan for a window in which a run already ended: the items that run attempted are left out (an item that
//     failed is retried in the next window, not again in this one), and a plan with nothing else is not run. The
//     collector's view lags the agent's (a patches listing taken during the run can reach it before the run's results),
//     so this is decided here, where the run happened.
// Files: <stateDir>/patching/plan.json (the accepted plan, until its run ends), completed.json (the last
// COMPLETED_KEPT plan ids) and attempted.json (the items each of the last ATTEMPTED_KEPT windows' runs attempted). A
// run the agent's stop cut short is reported but recorded neither as completed nor as attempted: the next start inside
// the window runs it again (items already installed then report not_applicable).
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../base/log.js';
import { realTimers, type TimerHandle, type Timers } from '../base/timers.js';
import { int, type FieldValue, type SampleDraft } from '../sample.js';
import type { Installer } from './installer.js';
import { validatePlan, type PatchPlan } from './plan.js';
import { runPatchPlan } from './run.js';

export const PATCHING_DIR = 'patching';
/** Completed plan ids kept: one plan per window, so weeks of nightly windows. */
export const COMPLETED_KEPT = 64;
/** Windows whose attempted items are kept: a window's plans are all received inside it, so a few suffice. */
export const ATTEMPTED_KEPT = 16;
/** The longest single wait for a window; the clock is read again after each (a suspended laptop, a clock change). */
const WAIT_SLICE_MS = 60_000;
/** At the agent's stop, how long a running install gets to be killed and reported. */
const STOP_WAIT_MS = 15_000;

export interface PlanKeeperDeps {
  stateDir: string;
  log: Logger;
  /** This machine's installers, created when a run starts. */
  installers(): Promise<readonly Installer[]>;
  /** Into the agent's pipeline: returns once the samples are in the spool (fsynced). */
  report(samples: SampleDraft[]): void;
  now?: () => number;
  timers?: Timers;
}

export interface PlanKeeper {
  /** Resumes the persisted plan, if any. */
  start(): void;
  /** A plan from the collector (the wire message mapped to plain fields: planFromWire). */
  receive(input: unknown): void;
  /** Stops waiting, cuts a running install short (reported), returns once the run is over. */
  stop(): Promise<void>;
}

/** The wire PatchPlan (proto field names in camelCase) as the object validatePlan reads; '' plan id: no plan. */
export function planFromWire(m: {
  planId?: string | null;
  windowStartMs?: number | null;
  windowEndMs?: number | null;
  reboot?: { mode?: string | null; warnMinutes?: number | null; message?: string | null } | null;
  items?: { id?: string | null; manager?: string | null; title?: string | null }[] | null;
}): unknown {
  const r = m.reboot ?? {};
  return {
    planId: m.planId ?? '',
    windowStart: m.windowStartMs ?? 0,
    windowEnd: m.windowEndMs ?? 0,
    reboot: r.mode === 'warn' ? { mode: 'warn', warnMinutes: r.warnMinutes ?? 0, message: r.message ?? '' } : { mode: r.mode ?? '' },
    items: (m.items ?? []).map((i) => ({ id: i.id ?? '', manager: i.manager ?? '', title: i.title ?? '' })),
  };
}

/** The patch_run point of a refused plan: nothing installed, every item not started, and why in `refused`. */
export function refusalSample(input: unknown, reason: string, time: number): SampleDraft {
  const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const items = Array.isArray(o.items) ? o.items.length : 0;
  const seconds = (v: unknown) => int(Number.isSafeInteger(v) ? Math.floor((v as number) / 1000) : 0);
  const fields: Record<string, FieldValue> = {
    plan_id: typeof o.planId === 'string' ? o.planId.slice(0, 64) : '',
    window_start: seconds(o.windowStart),
    window_end: seconds(o.windowEnd),
    approved: int(items),
    installed: int(0),
    failed: int(0),
    not_applicable: int(0),
    not_started: int(items),
    reboot_required: false,
    rebooted: false,
    duration_seconds: 0,
    refused: reason.slice(0, 300),
  };
  return { measurement: 'patch_run', fields, time };
}

export function createPlanKeeper(deps: PlanKeeperDeps): PlanKeeper {
  const { log } = deps;
  const now = deps.now ?? Date.now;
  const timers = deps.timers ?? realTimers;
  const dir = join(deps.stateDir, PATCHING_DIR);
  const planFile = join(dir, 'plan.json');
  const completedFile = join(dir, 'completed.json');
  const completed: string[] = readCompleted(completedFile, log);
  const attemptedFile = join(dir, 'attempted.json');
  const attempted: AttemptedWindow[] = readAttempted(attemptedFile, log);
  const stopping = new AbortController();
  let waiting: PatchPlan | null = null;
  let waitTimer: TimerHandle | null = null;
  let running: { plan: PatchPlan; done: Promise<void> } | null = null;
  /** A plan received while one runs: held (in memory: the collector sends it again at the next Welcome). */
  let next: PatchPlan | null = null;

  const hold = (plan: PatchPlan): void => {
    waiting = plan;
    writeJsonDurably(planFile, plan);
    wait();
  };

  const drop = (): void => {
    if (waitTimer !== null) timers.clearTimeout(waitTimer);
    waitTimer = null;
    waiting = null;
    rmSync(planFile, { force: true });
  };

  const wait = (): void => {
    if (waitTimer !== null) timers.clearTimeout(waitTimer);
    waitTimer = null;
    if (!waiting || running || stopping.signal.aborted) return;
    const left = waiting.windowStart - now();
    if (left > 0) {
      waitTimer = timers.setTimeout(wait, Math.min(left, WAIT_SLICE_MS));
      return;
    }
    const plan = withoutAttempted(waiting);
    waiting = null;
    if (plan.items.length === 0) {
      log.info(`patching: plan ${plan.planId} holds only items this window's run already attempted; not run`);
      recordCompleted(plan.planId);
      rmSync(planFile, { force: true });
      return;
    }
    running = { plan, done: run(plan) };
  };

  /** The plan without the items a run in the same window already attempted (rule 4). */
  const withoutAttempted = (plan: PatchPlan): PatchPlan => {
    const tried = attempted.find((w) => w.windowStart === plan.windowStart && w.windowEnd === plan.windowEnd);
    if (!tried) return plan;
    const items = plan.items.filter((i) => !tried.items.includes(itemKey(i)));
    if (items.length < plan.items.length)
      log.info(`patching: plan ${plan.planId}: ${plan.items.length - items.length} item(s) already attempted in this window left out`);
    return { ...plan, items };
  };

  const recordAttempted = (plan: PatchPlan): void => {
    let window = attempted.find((w) => w.windowStart === plan.windowStart && w.windowEnd === plan.windowEnd);
    if (!window) attempted.push((window = { windowStart: plan.windowStart, windowEnd: plan.windowEnd, items: [] }));
    for (const item of plan.items) if (!window.items.includes(itemKey(item))) window.items.push(itemKey(item));
    attempted.splice(0, Math.max(0, attempted.length - ATTEMPTED_KEPT));
    writeJsonDurably(attemptedFile, attempted);
  };

  const run = async (plan: PatchPlan): Promise<void> => {
    let recorded = false;
    const deliver = (samples: SampleDraft[]) => {
      deps.report(samples);
      // Before the reboot the run asks for next: a plan that rebooted the machine must not run again after it.
      if (!recorded && !stopping.signal.aborted) {
        recorded = true;
        recordAttempted(plan);
        recordCompleted(plan.planId);
      }
    };
    try {
      log.info(`patching: running plan ${plan.planId}`, { items: plan.items.length });
      const installers = await deps.installers();
      await runPatchPlan(plan, { installers, log, now, timers, signal: stopping.signal, deliver });
    } catch (error) {
      log.error(`patching: plan ${plan.planId} failed to run`, { error: (error as Error).message });
      if (!stopping.signal.aborted) recordCompleted(plan.planId);
    } finally {
      running = null;
      if (!stopping.signal.aborted) {
        rmSync(planFile, { force: true });
        const queued = next;
        next = null;
        if (queued && !completed.includes(queued.planId)) hold(queued);
      }
    }
  };

  const recordCompleted = (planId: string): void => {
    completed.push(planId);
    completed.splice(0, Math.max(0, completed.length - COMPLETED_KEPT));
    writeJsonDurably(completedFile, completed);
  };

  const accept = (plan: PatchPlan): void => {
    if (completed.includes(plan.planId) || running?.plan.planId === plan.planId || waiting?.planId === plan.planId) return;
    if (running) {
      next = plan;
      log.info(`patching: plan ${plan.planId} waits for the running plan ${running.plan.planId}`);
      return;
    }
    log.info(`patching: plan ${plan.planId} accepted`, { items: plan.items.length, windowStart: new Date(plan.windowStart).toISOString() });
    hold(plan);
  };

  return {
    start() {
      let text: string;
      try {
        text = readFileSync(planFile, 'utf8');
      } catch {
        return; // no plan held
      }
      try {
        const plan = validatePlan(JSON.parse(text));
        if (completed.includes(plan.planId)) return rmSync(planFile, { force: true });
        log.info(`patching: resuming plan ${plan.planId}`);
        waiting = plan;
        wait();
      } catch (error) {
        log.warn('patching: the saved plan is unreadable; dropped', { error: (error as Error).message });
        rmSync(planFile, { force: true });
      }
    },

    receive(input) {
      if (stopping.signal.aborted) return;
      const o = input as { planId?: unknown };
      if (o.planId === '') {
        next = null;
        if (waiting) log.info(`patching: plan ${waiting.planId} withdrawn by the collector`);
        if (waiting) drop();
        return;
      }
      let plan: PatchPlan;
      try {
        plan = validatePlan(input);
      } catch (error) {
        const reason = (error as Error).message;
        log.warn(`patching: plan refused: ${reason}`);
        deps.report([refusalSample(input, reason, now())]);
        return;
      }
      try {
        accept(plan);
      } catch (error) {
        log.error(`patching: plan ${plan.planId} could not be kept`, { error: (error as Error).message });
      }
    },

    async stop() {
      stopping.abort(new Error('the agent is stopping'));
      if (waitTimer !== null) timers.clearTimeout(waitTimer);
      const done = running?.done;
      if (!done) return;
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
    },
  };
}

interface AttemptedWindow {
  windowStart: number;
  windowEnd: number;
  /** itemKey of each item a completed run of this window attempted. */
  items: string[];
}

const itemKey = (item: { manager: string; id: string }): string => `${item.manager}:${item.id}`;

function readAttempted(file: string, log: Logger): AttemptedWindow[] {
  try {
    const windows: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!Array.isArray(windows)) return [];
    return windows
      .filter((w): w is AttemptedWindow => {
        const o = w as Partial<AttemptedWindow> | null;
        return (
          Number.isSafeInteger(o?.windowStart) && Number.isSafeInteger(o?.windowEnd) && Array.isArray(o?.items) && o.items.every((i) => typeof i === 'string')
        );
      })
      .slice(-ATTEMPTED_KEPT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('patching: attempted items unreadable; starting a new list', { file });
    return [];
  }
}

function readCompleted(file: string, log: Logger): string[] {
  try {
    const ids: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string').slice(-COMPLETED_KEPT) : [];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('patching: completed plans unreadable; starting a new list', { file });
    return [];
  }
}

/** JSON written to a temp file, fsynced, renamed over `file`: a crash or power cut leaves the old or the new. */
function writeJsonDurably(file: string, value: unknown): void {
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(value) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}
