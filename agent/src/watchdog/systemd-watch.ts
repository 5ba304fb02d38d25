// The loop watch where systemd can keep it: the unit that service/systemd.ts writes has WatchdogSec=, so systemd
// starts the agent with NOTIFY_SOCKET and WATCHDOG_USEC and kills it (WatchdogSignal=SIGKILL) when no `WATCHDOG=1`
// keep-alive arrives within the limit. The agent sends one from a timer of its own event loop, so a blocked loop
// stops the pings: the same watch as loop.ts's worker thread, without the worker's V8 isolate (about 10 MB of
// private memory; README, "Agent footprint").
//
// Node has no AF_UNIX datagram socket (dgram speaks UDP only), so the keep-alive goes through systemd-notify(1), the
// sender systemd ships for shell scripts, started by the allow-listed runner. As root it sends with the agent's PID
// (its parent) in the socket credentials; without that privilege it sends with its own and waits until systemd has
// processed the message (systemd 246 and later), which NotifyAccess=all in the unit accepts too. One ping costs
// about 1.5 ms of the agent's CPU (the spawn) and 4 ms of systemd-notify's (README, "Agent footprint").
//
// The agent's limit (WATCHPOST_LOOP_STALL, default 60 s) stays the one setting: when it differs from the unit's
// WatchdogSec=, the first ping also sends `WATCHDOG_USEC=` (sd_notify(3): the watchdog limit changed at run time;
// 0 ends systemd's watch, which is what `off` asks for).
//
// What systemd's kill leaves behind: nothing of the agent runs to write watchdog.json. The unit's ExecStopPost=
// creates SERVICE_KILL_FILE in the state directory when systemd reports SERVICE_RESULT=watchdog, and the next start
// turns it into the usual `stalled` trip (report.ts). The agent's RSS at that moment is not known: the trip says 0.
import type { Logger } from '../base/log.js';
import { realTimers, type Timers } from '../base/timers.js';
import type { Runner } from '../exec/runner.js';

/** Pings per limit, as loop.ts polls: a stall is seen between 3/4 of the limit and the limit. */
const PINGS_PER_LIMIT = 4;
/** systemd-notify waits up to 5 s for systemd to take the message; a ping that takes longer has failed. */
const PING_TIMEOUT_MS = 10_000;
export const NOTIFY_COMMAND = 'systemd-notify';
/** Created by the unit's ExecStopPost= (service/systemd.ts) after systemd's watchdog killed the agent. */
export const SERVICE_KILL_FILE = 'watchdog-timeout';

/**
 * systemd's keep-alive limit for this process in ms, or null when no service manager expects pings from it: as
 * sd_watchdog_enabled(3) decides, WATCHDOG_USEC is set and WATCHDOG_PID is unset or this process (a command the
 * agent starts inherits both, and must not think it is watched), and NOTIFY_SOCKET names where to send. Pure.
 */
export function serviceWatchdogMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.NOTIFY_SOCKET || !env.WATCHDOG_USEC || !Number.isSafeInteger(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return usec / 1000;
}

export interface PingPlan {
  /** Between two pings. */
  intervalMs: number;
  /** systemd-notify's arguments for the first ping: WATCHDOG=1, and WATCHDOG_USEC= when the agent's limit differs. */
  first: string[];
  /** The limit systemd enforces once it took the first ping; 0: none. */
  limitMs: number;
}

/** How to ping for the agent's loop limit (0: off) under the unit's. Pure. Pings keep the unit's pace even when the
 *  agent asked for a longer limit or none: a systemd that cannot change its limit at run time (older ones ignore
 *  WATCHDOG_USEC=) still gets a ping in time, and never kills a healthy agent. */
export function pingPlan(unitMs: number, loopStallMs: number): PingPlan {
  const first = ['WATCHDOG=1'];
  if (loopStallMs !== unitMs) first.push(`WATCHDOG_USEC=${Math.round(loopStallMs * 1000)}`);
  const paceMs = loopStallMs > 0 ? Math.min(loopStallMs, unitMs) : unitMs;
  return { intervalMs: Math.max(1, Math.floor(paceMs / PINGS_PER_LIMIT)), first, limitMs: loopStallMs };
}

export interface SystemdWatchOptions {
  /** WATCHDOG_USEC in ms (serviceWatchdogMs). */
  unitMs: number;
  /** The agent's limit; 0: off. */
  loopStallMs: number;
  runner: Runner;
  log: Logger;
  timers?: Timers;
}

export interface SystemdWatch {
  readonly plan: PingPlan;
  /** Ends the pings (systemd then kills the process at its limit unless it exits first). Idempotent. */
  stop(): void;
}

/** Pings now and every plan.intervalMs from this event loop; a ping still running is not doubled. */
export function startSystemdWatch(options: SystemdWatchOptions): SystemdWatch {
  const { runner, log } = options;
  const timers = options.timers ?? realTimers;
  const plan = pingPlan(options.unitMs, options.loopStallMs);
  let args = plan.first;
  let inFlight = false;
  let failing = false;
  const ping = () => {
    if (inFlight) return;
    inFlight = true;
    runner(NOTIFY_COMMAND, args, { timeoutMs: PING_TIMEOUT_MS }).then(
      () => {
        inFlight = false;
        args = ['WATCHDOG=1'];
        if (failing) log.info('watchdog: systemd-notify works again');
        failing = false;
      },
      (error: Error) => {
        inFlight = false;
        if (!failing) log.error('watchdog: systemd-notify failed: systemd will restart the agent at its watchdog limit', { err: error.message });
        failing = true;
      },
    );
  };
  ping();
  const interval = timers.setInterval(ping, plan.intervalMs);
  (interval as { unref?: () => void }).unref?.(); // never what keeps the agent alive
  let stopped = false;
  return {
    plan,
    stop() {
      if (stopped) return;
      stopped = true;
      timers.clearInterval(interval);
    },
  };
}
