// watchdog/: restarts an agent that stopped doing its job: these checks, the event-loop watch (by systemd where it
// runs the agent: systemd-watch.ts; else a worker thread: loop.ts) and the trip's report through the pipeline at the
// next start (report.ts).
//
// The agent's watchdog: restarts the agent, through its service host, when it is no longer doing its job
// and a fresh process would be:
//   memory       its RSS stayed above the limit (default 150 MB) on MEMORY_CHECKS checks in a row (one spike, a big
//                inventory parsed, is not a leak);
//   ack_stalled  batches sat in flight on an open session with no answer from the collector for ackStallMs;
//   stalled      its event loop did not turn for loopStallMs (seen by systemd when its unit has WatchdogSec=, fed
//                by pings from the event loop: systemd-watch.ts; anywhere else by a worker thread: loop.ts).
// On a trip it writes watchdog.json into the state directory (the next start reports it: report.ts), logs
// it and calls `restart`, which stops the agent and exits with EXIT_RESTART (base/exit-codes.ts); a loop stall cannot
// stop anything gracefully, so the worker or systemd kills the process instead. The service host (systemd Restart=always,
// launchd KeepAlive, WinSW onfailure) starts it again.
//
// The checks are one pure function (watchdogStep) over readings the caller injects (clock, RSS, delivery), so tests
// step through timelines without waiting.
import { join } from 'node:path';
import type { Logger } from '../base/log.js';
import { writeJsonAtomic } from '../identity/state.js';
import { realTimers, type TimerHandle, type Timers } from '../base/timers.js';
import { execRunner } from '../exec/runner.js';
import { startLoopWatch, type LoopWatch } from './loop.js';
import { serviceWatchdogMs, startSystemdWatch } from './systemd-watch.js';

/** 150 MB (decimal, as `run --max-rss 150MB` means): the agent sits near 90 MB on Linux (README, Agent footprint). */
export const DEFAULT_MAX_RSS_BYTES = 150 * 1000 * 1000;
/** Consecutive checks above the limit before it counts: a minute at the default period. */
export const MEMORY_CHECKS = 3;
export const CHECK_MS = 20_000;
/** A short ack limit (tests, impatient operators) is checked this many times per limit, but never more often than
 *  MIN_CHECK_MS. */
const CHECKS_PER_ACK_LIMIT = 4;
const MIN_CHECK_MS = 100;
/** With batches in flight, the collector answers each within seconds (an Ack, or Error UNAVAILABLE while its
 *  database is down); ten minutes of nothing is a session that is open on our side only. */
export const ACK_STALL_MS = 10 * 60_000;
/** A probe's synchronous work takes milliseconds; a minute without a turn of the event loop is a hang. */
export const LOOP_STALL_MS = 60_000;
/** A gap between two checks longer than this many periods means the process or the machine was not running
 *  (suspend, a VM paused, the wall clock stepped): the ack clock starts again instead of counting the gap. */
const GAP_CHECKS = 3;
export const WATCHDOG_FILE = 'watchdog.json';

export type WatchdogReason = 'memory' | 'stalled' | 'ack_stalled';
export const WATCHDOG_REASONS: readonly WatchdogReason[] = ['memory', 'stalled', 'ack_stalled'];

/** watchdog.json: what tripped, written just before the exit. The loop worker writes the same shape. */
export interface WatchdogTrip {
  reason: WatchdogReason;
  rss_bytes: number;
  detail: string;
  /** ISO 8601. */
  time: string;
}

export interface WatchdogLimits {
  maxRssBytes: number;
  memoryChecks: number;
  /** Default: CHECK_MS, or a quarter of a shorter ackStallMs. */
  checkMs: number;
  /** 0: no ack check. */
  ackStallMs: number;
  /** 0: no loop watch (no worker thread; under systemd, its watch ended). */
  loopStallMs: number;
}

export const DEFAULT_WATCHDOG_LIMITS: WatchdogLimits = {
  maxRssBytes: DEFAULT_MAX_RSS_BYTES,
  memoryChecks: MEMORY_CHECKS,
  checkMs: CHECK_MS,
  ackStallMs: ACK_STALL_MS,
  loopStallMs: LOOP_STALL_MS,
};

/** The link's side of delivery (Link.deliveryProgress()). */
export interface DeliveryProgress {
  /** A session is open (Welcome received); false while the link is connecting or backing off to reconnect. */
  connected: boolean;
  /** Batches sent on this session and not answered yet. */
  inFlight: number;
  /** Batch answers (Ack or Error naming a seq) received so far; any change is progress. */
  answers: number;
}

export interface WatchdogState {
  /** Consecutive checks above the memory limit. */
  overChecks: number;
  /** Since when batches are in flight with no answer (null: nothing waiting), and the answer count then. */
  waitingSince: number | null;
  answers: number;
  lastCheckAt: number | null;
}

export const INITIAL_WATCHDOG_STATE: WatchdogState = { overChecks: 0, waitingSince: null, answers: 0, lastCheckAt: null };

export interface Reading {
  now: number;
  rssBytes: number;
  delivery: DeliveryProgress;
}

export type StepTrip = { reason: Exclude<WatchdogReason, 'stalled'>; detail: string };

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
/** A limit or a duration seen, for logs and trip details. */
export const seconds = (ms: number): string => (ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms)} ms`);

/** One check: the next state, and what tripped (memory first: a process short of memory is also slow to ack). */
export function watchdogStep(
  state: WatchdogState,
  reading: Reading,
  limits: Omit<WatchdogLimits, 'loopStallMs'>,
): { state: WatchdogState; trip: StepTrip | null } {
  const { now, rssBytes, delivery } = reading;
  const overChecks = rssBytes > limits.maxRssBytes ? state.overChecks + 1 : 0;
  const gap = state.lastCheckAt !== null && now - state.lastCheckAt > GAP_CHECKS * limits.checkMs;
  let waitingSince: number | null;
  if (!delivery.connected || delivery.inFlight === 0)
    waitingSince = null; // reconnecting or idle: nothing owed
  else if (gap || state.waitingSince === null || delivery.answers !== state.answers) waitingSince = now;
  else waitingSince = state.waitingSince;
  const next: WatchdogState = { overChecks, waitingSince, answers: delivery.answers, lastCheckAt: now };
  if (overChecks >= limits.memoryChecks) {
    return {
      state: next,
      trip: { reason: 'memory', detail: `RSS ${mb(rssBytes)} above the ${mb(limits.maxRssBytes)} limit on ${overChecks} checks in a row` },
    };
  }
  if (limits.ackStallMs > 0 && waitingSince !== null && now - waitingSince >= limits.ackStallMs) {
    const detail = `no answer from the collector for ${seconds(now - waitingSince)} with ${delivery.inFlight} batch${delivery.inFlight === 1 ? '' : 'es'} in flight on an open session (limit ${seconds(limits.ackStallMs)})`;
    return { state: next, trip: { reason: 'ack_stalled', detail } };
  }
  return { state: next, trip: null };
}

export interface WatchdogOptions extends Partial<WatchdogLimits> {
  stateDir: string;
  log: Logger;
  delivery(): DeliveryProgress;
  /** Called once, after watchdog.json is written: stop the agent and exit with EXIT_RESTART. */
  restart(trip: WatchdogTrip): void;
  readRss?: () => number;
  now?: () => number;
  timers?: Timers;
}

export interface Watchdog {
  /** Ends the checks and the loop watch. Idempotent. */
  stop(): void;
}

export const watchdogFile = (stateDir: string): string => join(stateDir, WATCHDOG_FILE);

export function startWatchdog(options: WatchdogOptions): Watchdog {
  const { log } = options;
  const given = definedOnly(options);
  const ackStallMs = given.ackStallMs ?? ACK_STALL_MS;
  const checkMs = ackStallMs > 0 ? Math.min(CHECK_MS, Math.max(MIN_CHECK_MS, Math.floor(ackStallMs / CHECKS_PER_ACK_LIMIT))) : CHECK_MS;
  const limits: WatchdogLimits = { ...DEFAULT_WATCHDOG_LIMITS, checkMs, ...given };
  const timers = options.timers ?? realTimers;
  const now = options.now ?? Date.now;
  const readRss = options.readRss ?? (() => process.memoryUsage.rss());
  let state = INITIAL_WATCHDOG_STATE;
  let tripped = false;

  const check = () => {
    if (tripped) return;
    const rssBytes = readRss();
    const step = watchdogStep(state, { now: now(), rssBytes, delivery: options.delivery() }, limits);
    state = step.state;
    if (!step.trip) return;
    tripped = true;
    const trip: WatchdogTrip = { ...step.trip, rss_bytes: rssBytes, time: new Date(now()).toISOString() };
    try {
      writeJsonAtomic(watchdogFile(options.stateDir), trip);
    } catch (error) {
      log.error('watchdog: cannot write watchdog.json; restarting anyway', { err: (error as Error).message });
    }
    log.error(`watchdog: ${trip.detail}; restarting the agent`, { reason: trip.reason });
    options.restart(trip);
  };
  const interval: TimerHandle = timers.setInterval(check, limits.checkMs);
  const loop = startLoopWatching(limits.loopStallMs, options);
  log.info('watchdog: started', {
    maxRss: mb(limits.maxRssBytes),
    ackStall: limits.ackStallMs ? seconds(limits.ackStallMs) : 'off',
    loopStall: limits.loopStallMs ? seconds(limits.loopStallMs) + (loop?.by === 'systemd' ? ' (systemd WatchdogSec)' : '') : 'off',
  });
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      timers.clearInterval(interval);
      loop?.stop();
    },
  };
}

/** The loop watch: systemd's where it expects keep-alive pings from this process (even with the limit off: the
 *  first ping then ends its watch), else the worker thread, else none. */
function startLoopWatching(limitMs: number, options: WatchdogOptions): (LoopWatch & { by: 'systemd' | 'worker' }) | null {
  const unitMs = serviceWatchdogMs(process.env, process.pid);
  if (unitMs !== null) {
    const watch = startSystemdWatch({ unitMs, loopStallMs: limitMs, runner: execRunner, log: options.log, timers: options.timers });
    return { by: 'systemd', stop: () => watch.stop() };
  }
  if (limitMs === 0) return null;
  const watch = startLoopWatch({ file: watchdogFile(options.stateDir), limitMs, log: options.log });
  return { by: 'worker', stop: () => watch.stop() };
}

/** The limits given, without keys set to undefined (which would override a default). */
function definedOnly(options: Partial<WatchdogLimits>): Partial<WatchdogLimits> {
  const keys: (keyof WatchdogLimits)[] = ['maxRssBytes', 'memoryChecks', 'checkMs', 'ackStallMs', 'loopStallMs'];
  return Object.fromEntries(keys.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
}
