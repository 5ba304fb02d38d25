// What `run` does about an update in progress, from the marker (marker.ts) the swap left in the state directory:
//   new version, within bounds  count the start; confirm at the first Welcome (delete the marker, report
//                               `installed`); if the deadline passes first, swap back and restart;
//   new version, out of bounds  (deadline passed, or more than MAX_START_ATTEMPTS starts) swap back before the agent
//                               even starts, and restart;
//   old version with a marker   the new one was swapped back, or never confirmed: report `rolled_back`, remember
//                               the version as bad, remove the marker and the failed version's files.
// The rollback itself is reported by the old version, which is the one that runs afterwards: the new version may
// not live long enough (a crash loop) or may not have its pipeline yet (a rollback before the agent starts). The
// reason travels in update-refused.json, written before the swap back.
import type { Logger } from '../base/log.js';
import type { SampleDraft } from '../sample.js';
import type { TimerHandle, Timers } from '../base/timers.js';
import {
  MAX_START_ATTEMPTS,
  readMarker,
  readRemembered,
  remember,
  removeMarker,
  startupAction,
  writeMarker,
  writeRemembered,
  type StartupAction,
  type UpdateMarker,
} from './marker.js';
import { updateSample } from './report.js';
import type { Installation } from './swap.js';

export interface StartupDeps {
  /** Our version. */
  version: string;
  stateDir: string;
  installation: Installation | { unsupported: string };
  log: Logger;
  /** Hands a point to the agent's pipeline; called from started() on. */
  report(draft: SampleDraft): void;
  /** Stops the agent and exits with EXIT_RESTART, so that the service host starts what is installed now. */
  restart(reason: string): void;
  timers: Timers;
  now: () => number;
}

export interface Startup {
  /** At `run` start, before the agent starts. 'restart': swapped back already, exit with EXIT_RESTART now. */
  atStart(): 'continue' | 'restart';
  /** Once the agent runs: reports what atStart found, arms the deadline. */
  started(): void;
  /** The link's first Welcome (and every later one): confirms a pending update. */
  welcome(): void;
  /** Whether this process is an update's new version that has not confirmed: no other update starts meanwhile. */
  unconfirmed(): boolean;
  stop(): void;
}

const message = (error: unknown): string => (error as Error).message;

/** Pruning is housekeeping: a failure is logged, never in the way of the agent. */
function prune(deps: StartupDeps, keep: string | null): void {
  if ('unsupported' in deps.installation) return;
  try {
    deps.installation.prune(keep);
  } catch (error) {
    deps.log.warn('update: cannot remove old versions', { err: message(error) });
  }
}

export function createStartup(deps: StartupDeps): Startup {
  const { stateDir, log } = deps;
  /** The update's bookkeeping (files in the state directory) must never take the running agent down. */
  const guarded = (what: string, fn: () => void) => () => {
    try {
      fn();
    } catch (error) {
      log.error(`update: ${what} failed`, { err: message(error) });
    }
  };
  let action: StartupAction = { kind: 'none' };
  let confirmed = false;
  let deadlineTimer: TimerHandle | null = null;
  /** Why a needed swap back did not happen (reported from started()), else null. */
  let swapBackError: string | null = null;

  /** Remembers marker.to as bad and swaps back to marker.from; the error message when that could not be done. */
  const swapBack = (marker: UpdateMarker, reason: string): string | null => {
    const installation = deps.installation;
    if ('unsupported' in installation) return installation.unsupported;
    try {
      const entry = { version: marker.to, status: 'rolled_back' as const, offer: null, reason, at: new Date(deps.now()).toISOString() };
      writeRemembered(stateDir, remember(readRemembered(stateDir), entry));
      installation.swapBack(marker.previousPath);
    } catch (error) {
      return message(error);
    }
    log.warn(`update: ${marker.to} did not confirm; swapped back to ${marker.from}, restarting`, { reason });
    return null;
  };

  /** A rollback that could not be done: this version keeps running, and the marker goes (no loop of attempts). */
  const couldNotSwapBack = (marker: UpdateMarker, error: string) => {
    log.error(`update: cannot swap back to ${marker.from}; ${marker.to} keeps running`, { err: error });
    deps.report(updateSample('failed', marker.from, marker.to, `rollback failed: ${error}`));
    removeMarker(stateDir);
  };

  const onDeadline = (marker: UpdateMarker) => {
    deadlineTimer = null;
    if (confirmed) return;
    const error = swapBack(marker, `no session with the collector by the deadline ${marker.deadline}`);
    if (error) couldNotSwapBack(marker, error);
    else deps.restart(`update: ${marker.to} rolled back to ${marker.from}`);
  };

  /** The old version runs again: the new one was swapped back (its reason remembered) or never ran long enough. */
  const reportRolledBack = (marker: UpdateMarker) => {
    const remembered = readRemembered(stateDir).find((e) => e.status === 'rolled_back' && e.version === marker.to);
    const reason = remembered?.reason ?? `${marker.to} stopped before its first session with the collector`;
    if (!remembered) {
      writeRemembered(
        stateDir,
        remember(readRemembered(stateDir), { version: marker.to, status: 'rolled_back', offer: null, reason, at: new Date(deps.now()).toISOString() }),
      );
    }
    log.warn(`update: back on ${marker.from} after ${marker.to} was rolled back`, { reason });
    deps.report(updateSample('rolled_back', marker.from, marker.to, reason));
    removeMarker(stateDir);
    prune(deps, null); // the failed version's files
  };

  return {
    atStart() {
      let marker: UpdateMarker | null = null;
      try {
        marker = readMarker(stateDir);
      } catch (error) {
        log.error('update: unreadable update marker removed', { err: message(error) });
        guarded('removing the marker', () => removeMarker(stateDir))();
      }
      action = startupAction(marker, deps.version, deps.now());
      if (action.kind === 'pending') {
        try {
          writeMarker(stateDir, action.marker); // this start counts, even if it crashes before the deadline
        } catch (error) {
          log.error('update: cannot count this start in the update marker', { err: message(error) });
        }
        log.info(
          `update: running ${action.marker.to} (from ${action.marker.from}), start ${action.marker.attempts} of ${MAX_START_ATTEMPTS}; it confirms at its first session`,
          { deadline: action.marker.deadline },
        );
      } else if (action.kind === 'roll-back') {
        swapBackError = swapBack(action.marker, action.reason);
        if (!swapBackError) return 'restart';
      }
      return 'continue';
    },

    started: () =>
      guarded('the start-up check', () => {
        if (action.kind === 'pending') {
          const marker = action.marker;
          deadlineTimer = deps.timers.setTimeout(
            guarded('the rollback at the deadline', () => onDeadline(marker)),
            Math.max(0, action.deadlineMs - deps.now()),
          );
        } else if (action.kind === 'roll-back' && swapBackError) {
          couldNotSwapBack(action.marker, swapBackError);
        } else if (action.kind === 'rolled-back') {
          reportRolledBack(action.marker);
        } else if (action.kind === 'stale') {
          log.info(`update: removed a marker of an update from ${action.marker.from} to ${action.marker.to}; this is ${deps.version}`);
          removeMarker(stateDir);
        }
      })(),

    welcome: () =>
      guarded('the confirmation', () => {
        if (action.kind !== 'pending' || confirmed) return;
        confirmed = true;
        if (deadlineTimer !== null) deps.timers.clearTimeout(deadlineTimer);
        deadlineTimer = null;
        const marker = action.marker;
        removeMarker(stateDir);
        log.info(`update: ${marker.to} confirmed (first session with the collector); ${marker.from} kept for a manual rollback`);
        deps.report(updateSample('installed', marker.from, marker.to, 'first session with the collector'));
        prune(deps, marker.previousPath);
      })(),

    unconfirmed: () => action.kind === 'pending' && !confirmed,

    stop() {
      if (deadlineTimer !== null) deps.timers.clearTimeout(deadlineTimer);
      deadlineTimer = null;
    },
  };
}
