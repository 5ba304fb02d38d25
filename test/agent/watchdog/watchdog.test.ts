// The watchdog's memory and ack checks: the pure step as timelines, then startWatchdog on a manual clock with an
// injected RSS reading and restart (no waiting, no worker thread: loopStallMs 0; the loop watch has its own test).
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACK_STALL_MS,
  CHECK_MS,
  DEFAULT_MAX_RSS_BYTES,
  INITIAL_WATCHDOG_STATE,
  MEMORY_CHECKS,
  WATCHDOG_FILE,
  startWatchdog,
  watchdogStep,
  type DeliveryProgress,
  type WatchdogState,
  type WatchdogTrip,
} from '../../../agent/src/watchdog/watchdog.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { recordingLogger } from '../helpers/recording-log.js';

const MB = 1e6;
const LIMITS = { maxRssBytes: 150 * MB, memoryChecks: 3, checkMs: 20_000, ackStallMs: 600_000 };
const IDLE: DeliveryProgress = { connected: true, inFlight: 0, answers: 0 };

interface Row {
  rss?: number;
  delivery?: DeliveryProgress;
  /** When this reading is taken (default: one check period after the previous row). The checks in between, every
   *  period, see what the previous row showed, unless `jump` (the process did not run in between). */
  at?: number;
  jump?: true;
}

/** Runs readings through the step; returns, per row, what tripped at or before it (since the previous row). */
function timeline(rows: Row[]): (string | null)[] {
  let state: WatchdogState = INITIAL_WATCHDOG_STATE;
  let now = 0;
  let last: Row | undefined;
  const check = (at: number, row: Row): string | null => {
    const step = watchdogStep(state, { now: at, rssBytes: row.rss ?? 100 * MB, delivery: row.delivery ?? IDLE }, LIMITS);
    state = step.state;
    return step.trip?.reason ?? null;
  };
  return rows.map((row) => {
    const at = row.at ?? now + LIMITS.checkMs;
    let trip: string | null = null;
    if (last && !row.jump) for (let t = now + LIMITS.checkMs; t < at; t += LIMITS.checkMs) trip ??= check(t, last);
    trip ??= check(at, row);
    [now, last] = [at, row];
    return trip;
  });
}

describe('watchdogStep: memory', () => {
  it('one spike above the limit is not a trip; three checks in a row are', () => {
    expect(timeline([{ rss: 180 * MB }, { rss: 100 * MB }, { rss: 180 * MB }, { rss: 170 * MB }, { rss: 90 * MB }])).toEqual([null, null, null, null, null]);
    expect(timeline([{ rss: 180 * MB }, { rss: 151 * MB }, { rss: 160 * MB }])).toEqual([null, null, 'memory']);
  });

  it('at the limit is not above it', () => {
    expect(timeline([{ rss: 150 * MB }, { rss: 150 * MB }, { rss: 150 * MB }, { rss: 150 * MB }])).toEqual([null, null, null, null]);
  });

  it('says what it saw', () => {
    let state = INITIAL_WATCHDOG_STATE;
    let trip = null;
    for (let i = 0; i < 3; i++) ({ state, trip } = watchdogStep(state, { now: i * 20_000, rssBytes: 162_345_678, delivery: IDLE }, LIMITS));
    expect(trip).toEqual({ reason: 'memory', detail: 'RSS 162.3 MB above the 150.0 MB limit on 3 checks in a row' });
  });
});

describe('watchdogStep: acks', () => {
  const waiting = (inFlight: number, answers: number): DeliveryProgress => ({ connected: true, inFlight, answers });
  const reconnecting = (inFlight: number, answers: number): DeliveryProgress => ({ connected: false, inFlight, answers });
  const min = (m: number) => m * 60_000;

  it('batches in flight on an open session with no answer for the limit: a stall', () => {
    // First seen waiting at 1 min; the limit (10 min) is reached at 11 min.
    expect(
      timeline([
        { at: min(0), delivery: IDLE },
        { at: min(1), delivery: waiting(2, 5) },
        { at: min(6), delivery: waiting(4, 5) },
        { at: min(10.9), delivery: waiting(4, 5) },
        { at: min(11), delivery: waiting(4, 5) },
      ]),
    ).toEqual([null, null, null, null, 'ack_stalled']);
  });

  it('any answer (an Ack, or Error UNAVAILABLE while the collector cannot store) restarts the clock', () => {
    expect(
      timeline([
        { at: min(0), delivery: waiting(1, 0) },
        { at: min(9), delivery: waiting(1, 1) },
        { at: min(18), delivery: waiting(1, 2) },
        { at: min(27), delivery: waiting(1, 2) },
        { at: min(28), delivery: waiting(1, 2) },
      ]),
    ).toEqual([null, null, null, null, 'ack_stalled']);
  });

  it('while the link reconnects nothing is owed, however long it takes', () => {
    expect(
      timeline([
        { at: min(0), delivery: waiting(3, 0) },
        { at: min(5), delivery: reconnecting(0, 0) },
        { at: min(30), delivery: reconnecting(0, 0) },
        { at: min(60), delivery: reconnecting(0, 0) },
        { at: min(61), delivery: waiting(3, 0) }, // a new session: its clock starts now
        { at: min(70), delivery: waiting(3, 0) },
        { at: min(71), delivery: waiting(3, 0) },
      ]),
    ).toEqual([null, null, null, null, null, null, 'ack_stalled']);
  });

  it('an idle agent (nothing in flight) is not stalled, and a batch sent after an hour idle gets the full limit', () => {
    expect(
      timeline([
        { at: min(0), delivery: waiting(1, 7) },
        { at: min(1), delivery: IDLE },
        { at: min(61), delivery: IDLE },
        { at: min(62), delivery: waiting(1, 7) }, // the last answer was an hour ago; the wait starts now
        { at: min(71), delivery: waiting(1, 7) },
        { at: min(72), delivery: waiting(1, 7) },
      ]),
    ).toEqual([null, null, null, null, null, 'ack_stalled']);
  });

  it('a gap between checks (suspend, a paused VM) restarts the clock instead of counting the time nobody ran', () => {
    expect(
      timeline([
        { at: min(0), delivery: waiting(1, 0) },
        { at: min(120), delivery: waiting(1, 0), jump: true }, // 2 h later, the same batch still in flight: not a stall yet
        { at: min(121), delivery: waiting(1, 0) },
        { at: min(130), delivery: waiting(1, 0) },
      ]),
    ).toEqual([null, null, null, 'ack_stalled']);
  });

  it('ackStallMs 0 turns the check off', () => {
    let state = INITIAL_WATCHDOG_STATE;
    const trips = [0, 1, 100].map((m) => {
      const step = watchdogStep(state, { now: min(m), rssBytes: 0, delivery: waiting(1, 0) }, { ...LIMITS, ackStallMs: 0 });
      state = step.state;
      return step.trip;
    });
    expect(trips).toEqual([null, null, null]);
  });

  it('memory is reported first when both trip', () => {
    const state: WatchdogState = { overChecks: 2, waitingSince: 0, answers: 0, lastCheckAt: min(10) - LIMITS.checkMs };
    expect(watchdogStep(state, { now: min(10), rssBytes: 200 * MB, delivery: waiting(1, 0) }, LIMITS).trip?.reason).toBe('memory');
    expect(watchdogStep({ ...state, overChecks: 0 }, { now: min(10), rssBytes: 200 * MB, delivery: waiting(1, 0) }, LIMITS).trip?.reason).toBe('ack_stalled');
  });
});

describe('startWatchdog', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const stateDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-watchdog-'));
    dirs.push(dir);
    return dir;
  };

  function setup(rss: number[], delivery: DeliveryProgress = IDLE, limits: { ackStallMs?: number } = {}) {
    const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    const dir = stateDir();
    const restarts: WatchdogTrip[] = [];
    const log = recordingLogger();
    let reading = 0;
    const watchdog = startWatchdog({
      stateDir: dir,
      log,
      loopStallMs: 0,
      ...limits,
      delivery: () => delivery,
      restart: (trip) => restarts.push(trip),
      readRss: () => rss[Math.min(reading++, rss.length - 1)]!,
      now: clock.now,
      timers: clock,
    });
    return { clock, dir, restarts, log, watchdog, file: join(dir, WATCHDOG_FILE) };
  }

  it('defaults: 150 MB, 3 checks 20 s apart, 10 min without an answer, a minute of blocked loop', () => {
    expect([DEFAULT_MAX_RSS_BYTES, MEMORY_CHECKS, CHECK_MS, ACK_STALL_MS]).toEqual([150_000_000, 3, 20_000, 600_000]);
  });

  it('RSS above the limit on three checks: watchdog.json written, logged, restart called once', async () => {
    const { clock, restarts, log, file, watchdog } = setup([160 * MB, 90 * MB, 170 * MB, 171 * MB, 172 * MB]);
    await clock.advance(4 * CHECK_MS);
    expect(restarts).toEqual([]);
    expect(existsSync(file)).toBe(false);
    await clock.advance(CHECK_MS);
    const expected: WatchdogTrip = {
      reason: 'memory',
      rss_bytes: 172 * MB,
      detail: 'RSS 172.0 MB above the 150.0 MB limit on 3 checks in a row',
      time: '2026-11-22T10:01:40.000Z',
    };
    expect(restarts).toEqual([expected]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(expected);
    expect(log.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([`watchdog: ${expected.detail}; restarting the agent`]);
    await clock.advance(10 * CHECK_MS); // still above: no second trip while the agent stops
    expect(restarts).toHaveLength(1);
    watchdog.stop();
    expect(clock.timerCount).toBe(0);
  });

  it('a stalled session trips ack_stalled; a short limit is checked four times per limit', async () => {
    const { clock, restarts } = setup([50 * MB], { connected: true, inFlight: 2, answers: 3 }, { ackStallMs: 2_000 });
    await clock.advance(2_000); // first seen waiting at 500 ms
    expect(restarts).toEqual([]);
    await clock.advance(500);
    expect(restarts.map((t) => [t.reason, t.detail])).toEqual([
      ['ack_stalled', 'no answer from the collector for 2000 ms with 2 batches in flight on an open session (limit 2000 ms)'],
    ]);
  });

  it('stop ends the checks', async () => {
    const { clock, restarts, watchdog } = setup([500 * MB]);
    watchdog.stop();
    await clock.advance(10 * CHECK_MS);
    expect(restarts).toEqual([]);
  });
});
