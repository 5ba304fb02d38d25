// scheduler/: runs the probes: this scheduler, where ticks come from (triggers.ts), and the central probe policy
// (central-policy.ts) that policy-swap.ts swaps in. Knows probes only by their contract; never imports delivery/.
//
// The agent's core. It wraps every probe with scheduling, jitter, a timeout, an overlap guard, error capture, the
// host/tenant tags and self-metrics, so that probes stay tiny (Telegraf's agent is the model). No probe is named
// here: the scheduler only knows the Probe contract.
import type { PowerShell, Probe, ProbeContext } from '../probes/probe.js';
import { throwawayCheckpoints, type CheckpointStore } from '../checkpoints/store.js';
import type { Runner } from '../exec/runner.js';
import { int, type Sample, type SampleDraft } from '../sample.js';
import { realTimers, type TimerHandle, type Timers } from '../base/timers.js';
import { defaultTriggers, intervalMs, toError, validateSchedule } from './triggers.js';
import type { Schedule, SchedulerLog, Trigger, TriggerFactory } from './triggers.js';

export type { Schedule, SchedulerLog, Trigger, TriggerFactory } from './triggers.js';
export { everySchedules, validateSchedule } from './triggers.js';

/** How long a run may take before the scheduler stops waiting for it and aborts its signal. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Upper bound of the random delay before each scheduled run: 10,000 agents on one cron must not hit the collector
 *  in the same second. */
export const DEFAULT_JITTER_MS = 5_000;
/** How long stop() waits for in-flight runs to deliver before it aborts them and returns. */
export const DEFAULT_STOP_GRACE_MS = 5_000;
/** A schedule's jitter is clamped to this share of its interval (for cron, the shortest gap between its next
 *  ticks), or the jittered run would still be holding the overlap guard when the next tick arrives. */
const MAX_JITTER_SHARE_OF_INTERVAL = 0.5;
const SKIPPED_MESSAGE = 'previous collection has not completed; skipped';

export interface ProbeStats {
  /** Runs started (including the one at start and runOnce), not counting skipped ticks. */
  runs: number;
  errors: number;
  timeouts: number;
  skippedOverlap: number;
  /** Samples delivered. */
  samples: number;
  /** Time from run start until the scheduler had a result (at most the timeout); null before the first run. */
  lastDurationMs: number | null;
  /** Unix ms of the last run's start; null before the first run. */
  lastRunAt: number | null;
  /** Message of the most recent failed or timed-out run; kept after later successes (the counters say how often). */
  lastError?: string;
}

export interface SchedulerOptions {
  probes: readonly Probe[];
  /** Per probe name; a probe without an entry uses its own `schedule` as a cron expression. */
  schedules?: Partial<Record<string, Schedule>>;
  timeoutMs?: number;
  /** Per probe name, overriding `timeoutMs`. */
  timeoutsMs?: Partial<Record<string, number>>;
  jitterMs?: number;
  stopGraceMs?: number;
  host: string;
  tenant: string;
  /** Called with each scheduled run's samples (never after stop() resolved), and the checkpoint values the run
   *  staged (to commit once those samples are settled). A failed or timed-out run delivers one
   *  `agent_probe_error` sample instead, so the failure is visible on the collector. Never called with nothing to
   *  deliver: a run with no samples and no staged values is skipped. Must not block; a throw is logged and does not
   *  affect the probe's counters. */
  onSamples(probe: string, samples: Sample[], staged: Record<string, unknown>): void;
  /** Per-run checkpoint sessions; default: throwaway (nothing is kept). */
  checkpoints?: CheckpointStore;
  /** The PowerShell worker handed to probes (Windows). */
  powershell?: PowerShell;
  log: SchedulerLog;
  runner: Runner;
  now?: () => number;
  /** Uniform in [0, 1), like Math.random. */
  random?: () => number;
  timers?: Timers;
  /** Defaults to croner for `cron` schedules and `timers.setInterval` for `everyMs` ones. */
  triggers?: TriggerFactory;
}

export interface Scheduler {
  /** Runs every probe once now (no jitter), then on its schedule. Throws if called twice or after stop(). */
  start(): void;
  /** Stops the triggers, waits up to the stop grace for in-flight runs, then aborts what is left. Idempotent. */
  stop(): Promise<void>;
  /** Runs every probe once, concurrently, with timeout, guard and error capture; does not call onSamples. */
  runOnce(): Promise<Map<string, Sample[] | Error>>;
  /** A copy of the counters, keyed by probe name. */
  stats(): Record<string, ProbeStats>;
}

type Outcome =
  | { status: 'ok'; samples: Sample[]; staged: Record<string, unknown> }
  | { status: 'error' | 'timeout'; error: Error; samples: Sample[] }
  | { status: 'skipped'; error: Error };
type Settled = { status: 'ok'; drafts: unknown } | { status: 'error' | 'timeout'; error: Error };

interface Slot {
  probe: Probe;
  schedule: Schedule;
  timeoutMs: number;
  jitterMs: number;
  stats: ProbeStats;
  /** The overlap guard: taken when a run is accepted (before its jitter), released when the probe's promise settles. */
  busy: boolean;
  controller: AbortController | null;
  jitterTimer: TimerHandle | null;
  cancelJitter: (() => void) | null;
  trigger: Trigger | null;
}

/** Adds the host and tenant tags (overriding the probe's) and the run's start time where the probe set none. */
export function completeSamples(drafts: readonly SampleDraft[], host: string, tenant: string, startedAt: number): Sample[] {
  return drafts.map((d) => ({
    measurement: d.measurement,
    tags: { ...d.tags, host, tenant },
    fields: d.fields,
    time: d.time ?? startedAt,
  }));
}

/** The agent's own health per probe, as `agent_probe` points (the caller adds host/tenant/time as for any probe). */
export function probeStatsSamples(stats: Record<string, ProbeStats>): SampleDraft[] {
  return Object.entries(stats).map(([probe, s]) => ({
    measurement: 'agent_probe',
    tags: { probe },
    fields: {
      runs: int(s.runs),
      errors: int(s.errors),
      timeouts: int(s.timeouts),
      skipped_overlap: int(s.skippedOverlap),
      samples: int(s.samples),
      ...(s.lastDurationMs === null ? {} : { last_duration_ms: s.lastDurationMs }),
    },
  }));
}

/** ERROR_MESSAGE_MAX_CHARS keeps a runaway error text (a whole stack, a command's output) out of InfluxDB. */
const ERROR_MESSAGE_MAX_CHARS = 500;

/** What a failed or timed-out run delivers instead of samples: visible on the collector, per probe. */
export function probeErrorSample(probe: string, kind: 'error' | 'timeout', error: Error): SampleDraft {
  return { measurement: 'agent_probe_error', tags: { probe, kind }, fields: { message: error.message.slice(0, ERROR_MESSAGE_MAX_CHARS) } };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number of ms, got ${value}`);
  return value;
}

function createSlots(options: SchedulerOptions): Slot[] {
  const jitterMs = options.jitterMs ?? DEFAULT_JITTER_MS;
  if (!Number.isFinite(jitterMs) || jitterMs < 0) throw new Error(`jitterMs: expected >= 0, got ${jitterMs}`);
  const names = new Set<string>();
  const slots = options.probes.map((probe): Slot => {
    if (names.has(probe.name)) throw new Error(`probe ${probe.name}: registered twice`);
    names.add(probe.name);
    const schedule = options.schedules?.[probe.name] ?? { cron: probe.schedule };
    validateSchedule(probe.name, schedule);
    const timeout = options.timeoutsMs?.[probe.name] ?? probe.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const jitter = Math.min(jitterMs, intervalMs(schedule) * MAX_JITTER_SHARE_OF_INTERVAL);
    return {
      probe,
      schedule,
      timeoutMs: positive(`probe ${probe.name}: timeout`, timeout),
      jitterMs: jitter,
      stats: { runs: 0, errors: 0, timeouts: 0, skippedOverlap: 0, samples: 0, lastDurationMs: null, lastRunAt: null },
      busy: false,
      controller: null,
      jitterTimer: null,
      cancelJitter: null,
      trigger: null,
    };
  });
  for (const name of Object.keys(options.schedules ?? {})) {
    if (!names.has(name)) options.log.warn(`schedules.${name}: no such probe; ignored`);
  }
  return slots;
}

/** Calls the probe; a synchronous throw becomes a rejection like an async one. */
function invoke(probe: Probe, ctx: Parameters<Probe['collect']>[0]): Promise<unknown> {
  return new Promise((resolve) => resolve(probe.collect(ctx)));
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const slots = createSlots(options);
  const { host, tenant, log, runner } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const timers = options.timers ?? realTimers;
  const triggers = options.triggers ?? defaultTriggers(timers, log);
  const stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  const inFlight = new Set<Promise<void>>();
  const checkpointStore = options.checkpoints ?? throwawayCheckpoints();
  let state: 'idle' | 'running' | 'stopped' = 'idle';
  let closed = false;

  /** Stops waiting at the timeout (and aborts the run's signal); the probe's promise may still be pending. */
  function settleWithin(collecting: Promise<unknown>, slot: Slot, controller: AbortController): Promise<Settled> {
    return new Promise((resolve) => {
      const timer = timers.setTimeout(() => {
        const error = new Error(`timed out after ${slot.timeoutMs} ms`);
        controller.abort(error);
        resolve({ status: 'timeout', error });
      }, slot.timeoutMs);
      const finish = (result: Settled): void => {
        timers.clearTimeout(timer);
        resolve(result); // a no-op when the timeout already resolved
      };
      collecting.then(
        (drafts) => finish({ status: 'ok', drafts }),
        (err: unknown) => finish({ status: 'error', error: toError(err) }),
      );
    });
  }

  // Decision: after a timeout the guard stays held until the probe's promise settles, because (1) a hung probe (a
  // stuck PowerShell) is then skipped, and counted, on every tick instead of piling up parallel copies, and (2) the
  // Probe contract promises collect() is never called concurrently with itself. Late samples are discarded: the
  // run was already counted as a timeout.
  async function execute(slot: Slot): Promise<Outcome> {
    const startedAt = now();
    slot.stats.runs += 1;
    slot.stats.lastRunAt = startedAt;
    const controller = new AbortController();
    slot.controller = controller;
    const session = checkpointStore.session(slot.probe.name);
    const ctx: ProbeContext = {
      signal: controller.signal,
      runner,
      now,
      checkpoints: session,
      ...(options.powershell ? { powershell: options.powershell } : {}),
    };
    const collecting = invoke(slot.probe, ctx);
    const release = (): void => {
      slot.busy = false;
      slot.controller = null;
    };
    collecting.then(release, release);
    const settled = await settleWithin(collecting, slot, controller);
    slot.stats.lastDurationMs = now() - startedAt;
    return record(slot, settled, startedAt, session.staged());
  }

  function record(slot: Slot, settled: Settled, startedAt: number, staged: Record<string, unknown>): Outcome {
    const name = slot.probe.name;
    if (settled.status === 'ok' && Array.isArray(settled.drafts)) {
      const samples = completeSamples(settled.drafts as SampleDraft[], host, tenant, startedAt);
      slot.stats.samples += samples.length;
      return { status: 'ok', samples, staged };
    }
    const failed =
      settled.status === 'ok' ? { status: 'error' as const, error: new Error(`returned ${typeof settled.drafts} instead of a list of samples`) } : settled;
    const outcome: Outcome = { ...failed, samples: completeSamples([probeErrorSample(name, failed.status, failed.error)], host, tenant, startedAt) };
    if (outcome.status === 'timeout') slot.stats.timeouts += 1;
    else slot.stats.errors += 1;
    slot.stats.lastError = outcome.error.message;
    const say = outcome.status === 'timeout' ? log.warn : log.error;
    say.call(log, `${name}: ${outcome.error.message}`, { probe: name });
    return outcome;
  }

  /** Resolves true after the delay, or false if stop() cancels it first. */
  function wait(slot: Slot, delayMs: number): Promise<boolean> {
    if (delayMs <= 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      slot.cancelJitter = () => resolve(false);
      slot.jitterTimer = timers.setTimeout(() => resolve(true), delayMs);
    }).finally(() => {
      slot.jitterTimer = null;
      slot.cancelJitter = null;
    });
  }

  async function attempt(slot: Slot, delayMs: number): Promise<Outcome> {
    const name = slot.probe.name;
    if (slot.busy) {
      slot.stats.skippedOverlap += 1;
      log.warn(`${name}: ${SKIPPED_MESSAGE}`, { probe: name });
      return { status: 'skipped', error: new Error(SKIPPED_MESSAGE) };
    }
    slot.busy = true;
    if (!(await wait(slot, delayMs))) {
      slot.busy = false;
      return { status: 'skipped', error: new Error('scheduler stopped') };
    }
    return execute(slot);
  }

  function deliver(slot: Slot, outcome: Outcome): void {
    if (outcome.status === 'skipped' || closed) return;
    const staged = outcome.status === 'ok' ? outcome.staged : {};
    if (outcome.samples.length === 0 && Object.keys(staged).length === 0) return;
    try {
      options.onSamples(slot.probe.name, outcome.samples, staged);
    } catch (err) {
      log.error(`${slot.probe.name}: onSamples failed: ${toError(err).message}`, { probe: slot.probe.name });
    }
  }

  function tick(slot: Slot, delayMs: number): void {
    if (state !== 'running') return;
    const run = attempt(slot, delayMs).then((outcome) => deliver(slot, outcome));
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  }

  function start(): void {
    if (state !== 'idle') throw new Error(`scheduler cannot start: it is ${state}`);
    state = 'running';
    for (const slot of slots) {
      // The first run has no jitter: agent starts are already spread by boot times, and whoever just started
      // `watchpost-agent run` expects data at once.
      tick(slot, 0);
      slot.trigger = triggers(slot.probe.name, slot.schedule, () => tick(slot, Math.floor(random() * slot.jitterMs)));
    }
  }

  function graceElapsed(): { promise: Promise<void>; cancel(): void } {
    let handle: TimerHandle = null;
    const promise = new Promise<void>((resolve) => (handle = timers.setTimeout(resolve, stopGraceMs)));
    return { promise, cancel: () => timers.clearTimeout(handle) };
  }

  async function stop(): Promise<void> {
    if (state === 'stopped') return;
    state = 'stopped';
    for (const slot of slots) {
      slot.trigger?.stop();
      slot.trigger = null;
      if (slot.jitterTimer !== null) timers.clearTimeout(slot.jitterTimer);
      slot.cancelJitter?.();
    }
    const grace = graceElapsed();
    await Promise.race([Promise.allSettled([...inFlight]), grace.promise]);
    grace.cancel();
    closed = true;
    for (const slot of slots) slot.controller?.abort(new Error('agent stopping'));
  }

  async function runOnce(): Promise<Map<string, Sample[] | Error>> {
    const results = await Promise.all(
      slots.map(async (slot) => {
        const outcome = await attempt(slot, 0);
        return [slot.probe.name, outcome.status === 'ok' ? outcome.samples : outcome.error] as const;
      }),
    );
    return new Map(results);
  }

  function stats(): Record<string, ProbeStats> {
    return Object.fromEntries(slots.map((s) => [s.probe.name, { ...s.stats }]));
  }

  return { start, stop, runOnce, stats };
}
