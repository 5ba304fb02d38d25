// The previous run's watchdog trip, reported by the next start: watchdog.json (written just before the exit, see
// watchdog.ts) becomes one `agent_watchdog` sample sent through the normal pipeline (batcher, spool, link), and
// the file is removed only once the collector acked the batch carrying it. Until then every start reports it
// again, at the trip's own time, so a repeat rewrites the same point instead of adding one.
//
// measurement agent_watchdog, tag reason (memory | stalled | ack_stalled), fields rss_bytes (integer), detail
// (what was seen) and message (one line for the MSP's ticket: the collector's `event` rules show `message`).
// A kill by systemd's watchdog leaves a marker instead of watchdog.json (systemd-watch.ts): it is turned into one
// first, so it is reported the same way.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../base/log.js';
import type { Batcher } from '../delivery/batcher.js';
import { int, type Sample, type SampleDraft } from '../sample.js';
import { writeJsonAtomic } from '../identity/state.js';
import { LOOP_STALL_MS, WATCHDOG_REASONS, seconds, watchdogFile, type WatchdogTrip } from './watchdog.js';
import { SERVICE_KILL_FILE, serviceWatchdogMs } from './systemd-watch.js';

export const WATCHDOG_MEASUREMENT = 'agent_watchdog';

/** A trip read back from watchdog.json, or why it cannot be used. Pure. */
export function parseTrip(text: string): WatchdogTrip | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: (error as Error).message };
  }
  const t = value as Partial<WatchdogTrip> | null;
  if (typeof t !== 'object' || t === null) return { error: 'not an object' };
  if (!WATCHDOG_REASONS.includes(t.reason as WatchdogTrip['reason'])) return { error: `reason: expected one of ${WATCHDOG_REASONS.join(', ')}` };
  if (typeof t.rss_bytes !== 'number' || !(t.rss_bytes >= 0)) return { error: 'rss_bytes: expected a number of bytes' };
  if (typeof t.detail !== 'string') return { error: 'detail: expected text' };
  if (typeof t.time !== 'string' || Number.isNaN(Date.parse(t.time))) return { error: 'time: expected an ISO 8601 time' };
  return { reason: t.reason!, rss_bytes: t.rss_bytes, detail: t.detail, time: t.time };
}

export function watchdogSample(trip: WatchdogTrip): SampleDraft {
  return {
    measurement: WATCHDOG_MEASUREMENT,
    tags: { reason: trip.reason },
    fields: { rss_bytes: int(trip.rss_bytes), detail: trip.detail, message: `agent restarted by its watchdog: ${trip.reason} (${trip.detail})` },
    time: Date.parse(trip.time),
  };
}

/**
 * The trip systemd's watchdog kill left: the marker SERVICE_KILL_FILE (its time is the file's) becomes watchdog.json
 * with reason `stalled`, replacing an older trip (whose report is in the spool already), and the marker goes.
 * `limitMs` is the limit systemd enforced, for the detail.
 */
export function adoptServiceKill(stateDir: string, limitMs: number | null, log: Logger): void {
  const marker = join(stateDir, SERVICE_KILL_FILE);
  let time: Date;
  try {
    time = statSync(marker).mtime;
  } catch {
    return; // no kill
  }
  const trip: WatchdogTrip = {
    reason: 'stalled',
    rss_bytes: 0, // nothing of the agent ran to read it
    detail: `no keep-alive from the event loop${limitMs ? ` for ${seconds(limitMs)}` : ''}: systemd's watchdog killed the agent`,
    time: time.toISOString(),
  };
  try {
    writeJsonAtomic(watchdogFile(stateDir), trip);
    rmSync(marker, { force: true });
  } catch (error) {
    log.warn(`watchdog: cannot record systemd's watchdog kill in watchdog.json`, { err: (error as Error).message });
  }
}

export interface PreviousTrip {
  readonly trip: WatchdogTrip;
  /** Hands the report to the agent's batcher (host, tenant added by `complete`) and flushes it. Call once. */
  report(batcher: Pick<Batcher, 'add' | 'flush'>, complete: (drafts: SampleDraft[]) => Sample[]): void;
  /** The batcher's onBatch, with the seq the batch got: remembers the one carrying the report. */
  batched(seq: number, samples: readonly Sample[]): void;
  /** The link's onAck: the report's batch acked removes watchdog.json (unless a newer trip replaced it). */
  acked(seq: number): void;
}

/** The trip the previous run left, logged; null when there is none. A damaged file is logged and removed: it
 *  would never become a valid report. `loopStallMs` is the loop limit of this run (the previous run's, unless the
 *  setting changed), for the detail of a systemd kill. */
export function previousTrip(stateDir: string, log: Logger, loopStallMs = LOOP_STALL_MS): PreviousTrip | null {
  const file = watchdogFile(stateDir);
  adoptServiceKill(stateDir, loopStallMs || serviceWatchdogMs(process.env, process.pid), log);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('watchdog: cannot read watchdog.json', { err: (error as Error).message });
    return null;
  }
  const trip = parseTrip(text);
  if ('error' in trip) {
    log.warn('watchdog: damaged watchdog.json removed', { err: trip.error });
    rmSync(file, { force: true });
    return null;
  }
  log.warn('agent: restarted by its watchdog', { reason: trip.reason, detail: trip.detail, at: trip.time });
  let sample: Sample | null = null;
  let reportSeq: number | null = null;
  return {
    trip,
    report(batcher, complete) {
      sample = complete([watchdogSample(trip)])[0]!;
      batcher.add([sample]);
      batcher.flush();
    },
    batched(seq, samples) {
      if (sample && samples.includes(sample)) reportSeq = seq;
    },
    acked(seq) {
      if (seq !== reportSeq) return;
      reportSeq = null;
      // A trip of this run (its restart drains the link, acks still arrive) must not be removed with the old one.
      let current: string;
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        return;
      }
      const now = parseTrip(current);
      if ('error' in now || now.time !== trip.time || now.reason !== trip.reason) return;
      rmSync(file, { force: true });
      log.info('watchdog: the restart report was acked; watchdog.json removed');
    },
  };
}
