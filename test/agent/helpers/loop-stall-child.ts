// A child process for the loop watch's test (test/agent/watchdog/loop.test.ts), run with tsx:
//   loop-stall-child.ts FILE LIMIT_MS block     start the watch, then block the event loop forever
//   loop-stall-child.ts FILE LIMIT_MS stopped   start and stop the watch, block for 5 limits, exit 0
//   loop-stall-child.ts FILE LIMIT_MS healthy   start the watch, keep the loop turning for 5 limits, stop, exit 0
import { startLoopWatch } from '../../../agent/src/watchdog/loop.js';
import { createLogger } from '../../../agent/src/base/log.js';

const [file, limit, mode] = process.argv.slice(2);
const limitMs = Number(limit);
const watch = startLoopWatch({ file: file!, limitMs, log: createLogger() });

/** Burns the CPU without yielding to the event loop. */
function spin(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // nothing: the point is that no timer or I/O callback can run
  }
}

// A few heartbeats first, so the worker has seen the main thread alive before it stops.
setTimeout(() => {
  process.stdout.write(`${mode}\n`);
  if (mode === 'block') spin(Number.POSITIVE_INFINITY);
  else if (mode === 'stopped') {
    watch.stop();
    spin(5 * limitMs);
    process.exitCode = 0;
  } else {
    const until = Date.now() + 5 * limitMs;
    const tick = () => (Date.now() < until ? setTimeout(tick, 10) : watch.stop());
    tick();
  }
}, limitMs / 2);
