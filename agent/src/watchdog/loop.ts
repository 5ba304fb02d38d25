// The loop watch where no service manager keeps it (Windows, macOS, Linux without the systemd unit; under systemd,
// systemd-watch.ts): a timer in the agent's own event loop cannot see that loop stop (a synchronous hang, an endless
// loop in a parser), so a worker thread watches a heartbeat the main thread writes into shared memory. Its Node
// environment costs about 10 MB of private memory (README, "Agent footprint"). When the main thread has not beaten
// for the limit, the worker writes watchdog.json (reason `stalled`) and kills the whole process with SIGKILL
// (process.kill from a worker signals the process, not the thread); the main thread cannot stop gracefully, it is
// not running. On Windows the kill is TerminateProcess with exit code 1, which WinSW's onfailure restarts like any
// failure; systemd and launchd restart a killed process too.
//
// The worker's code is a string run with `eval: true`: the single executable has no files beside it and its bundle
// is minified with keepNames, so neither a worker file nor a function's source text would survive the build. It
// uses only Node built-ins and must stay plain JavaScript (CommonJS).
import { Worker } from 'node:worker_threads';
import type { Logger } from '../base/log.js';

/** Heartbeats (and worker polls) per limit: a stall is seen between 3/4 of the limit and the limit plus a poll. */
const POLLS_PER_LIMIT = 4;
const MAX_POLL_MS = 1_000;
const MIN_POLL_MS = 10;
/** Polls the worker itself may miss before it assumes it was not running (suspend, a paused VM) and gives the main
 *  thread a fresh limit instead of killing it for time nobody ran. */
const GAP_POLLS = 4;
/** A small heap for the worker: it allocates almost nothing, and its isolate counts against the agent's RSS. */
const WORKER_HEAP_MB = 16;

/** Int32 cells of the shared buffer. */
const BEAT = 0;
const STOP = 1;

export const WORKER_SOURCE = `'use strict';
const { workerData } = require('node:worker_threads');
const { renameSync, rmSync, writeFileSync, writeSync } = require('node:fs');
const { shared, limitMs, pollMs, file } = workerData;
const cells = new Int32Array(shared);
let seen = Atomics.load(cells, ${BEAT});
let since = performance.now();
let lastPoll = since;
for (;;) {
  Atomics.wait(cells, ${STOP}, 0, pollMs);
  if (Atomics.load(cells, ${STOP}) !== 0) break;
  const now = performance.now();
  const beat = Atomics.load(cells, ${BEAT});
  if (beat !== seen || now - lastPoll > pollMs * ${GAP_POLLS}) {
    seen = beat;
    since = now;
  }
  lastPoll = now;
  if (now - since < limitMs) continue;
  const trip = {
    reason: 'stalled',
    rss_bytes: process.memoryUsage.rss(),
    detail: 'event loop blocked for ' + Math.round(now - since) + ' ms (limit ' + limitMs + ' ms)',
    time: new Date().toISOString(),
  };
  const temp = file + '.' + process.pid + '.loop.tmp';
  try {
    writeFileSync(temp, JSON.stringify(trip, null, 2) + '\\n', { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    try { rmSync(temp, { force: true }); } catch {}
  }
  // process.stderr would go through the blocked main thread: write to fd 2 directly.
  try { writeSync(2, trip.time + ' error watchdog: ' + trip.detail + '; killing the agent for a restart\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}
`;

export interface LoopWatchOptions {
  /** watchdog.json's path. */
  file: string;
  limitMs: number;
  log: Logger;
}

export interface LoopWatch {
  /** Ends the heartbeat and the worker. Idempotent. */
  stop(): void;
}

export function startLoopWatch(options: LoopWatchOptions): LoopWatch {
  const { file, limitMs, log } = options;
  const cells = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const pollMs = Math.max(MIN_POLL_MS, Math.min(MAX_POLL_MS, Math.floor(limitMs / POLLS_PER_LIMIT)));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { shared: cells.buffer, limitMs, pollMs, file },
    execArgv: [], // not the parent's loaders or inspector flags: the worker needs nothing but built-ins
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 1 },
  });
  worker.unref(); // never what keeps the agent alive
  worker.on('error', (error) => log.error('watchdog: the loop watch failed; a hung event loop will not be detected', { err: error.message }));
  const heartbeat = setInterval(() => Atomics.add(cells, BEAT, 1), pollMs);
  heartbeat.unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
      Atomics.store(cells, STOP, 1);
      Atomics.notify(cells, STOP);
    },
  };
}
