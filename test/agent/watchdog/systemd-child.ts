// A child process for systemd-watch.test.ts, run with tsx under NOTIFY_SOCKET and WATCHDOG_USEC (as systemd starts
// the agent):
//   systemd-child.ts STATE_DIR LOOP_STALL_MS block
// starts the agent's watchdog (memory and ack checks off the test's way), prints one JSON line with its threads' names
// (Node 24 names them, 20 does not: the test counts them) before and after the start, lets the event loop turn for a
// while (pings go out), prints "block" and then blocks the event loop for good. What kills it is the test's business
// (systemd's, in production).
import { readFileSync, readdirSync } from 'node:fs';
import { createLogger } from '../../../agent/src/base/log.js';
import { startWatchdog } from '../../../agent/src/watchdog/watchdog.js';

const [stateDir, loopStall] = process.argv.slice(2);
const threadNames = () => readdirSync('/proc/self/task').map((task) => readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim());

const before = threadNames();
startWatchdog({
  stateDir: stateDir!,
  log: createLogger(),
  delivery: () => ({ connected: false, inFlight: 0, answers: 0 }),
  restart: () => process.exit(75),
  loopStallMs: Number(loopStall),
});
// A worker thread, had one been started, exists once its constructor returned; give it time to show up all the same.
setTimeout(() => {
  process.stdout.write(JSON.stringify({ pid: process.pid, before, after: threadNames() }) + '\n');
  setTimeout(() => {
    process.stdout.write('block\n');
    for (;;) {
      // nothing: no timer runs, so no ping either
    }
  }, Number(loopStall));
}, 300);
