// watchpost-agent run: collect and report until SIGINT/SIGTERM.
import { UsageError } from '../base/errors.js';
import { parseDuration } from '../base/duration.js';
import { parseSize } from '../base/size.js';
import { createLogger, type LogLevel } from '../base/log.js';
import { loadIdentity, resolveStateDir } from '../identity/state.js';
import { startAgent } from '../agent.js';
import { EXIT_RESTART } from '../base/exit-codes.js';
import { LockError, lockStateDir } from '../identity/lock.js';
import { createRunUpdater } from '../update/run-updater.js';
import { STATE_DIR_OPTION, type Command } from './command.js';

const MIN_EVERY_MS = 1_000;
/** Smaller than this, a spool would drop batches in normal operation (a minute of batches is tens of KiB, but
 *  an hour's outage must fit). */
const MIN_SPOOL_BYTES = 1024 * 1024;
/** Below this an idle Node process alone would trip the watchdog's memory check (it holds about 45 MB). */
const MIN_MAX_RSS_BYTES = 64 * 1024 * 1024;
/** After a watchdog trip, how long the graceful stop may take before the process exits anyway. */
const RESTART_STOP_GRACE_MS = 30_000;
const LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

function everyFlag(text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new UsageError(`--every: ${(error as Error).message}`);
  }
}

/** A watchdog duration from the environment (WATCHPOST_ACK_STALL, WATCHPOST_LOOP_STALL); `off` or 0s: no check. */
function stallSetting(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  if (text.trim().toLowerCase() === 'off') return 0;
  try {
    return parseDuration(text);
  } catch (error) {
    throw new UsageError(`${name}: ${(error as Error).message}`);
  }
}

/** A size from its flag, else its environment variable, else undefined (the default applies); at least `min`. */
function sizeSetting(flag: string | undefined, [flagName, envName]: [string, string], min: number, minText: string): number | undefined {
  const [text, source] = flag !== undefined ? [flag, `--${flagName}`] : [process.env[envName], envName];
  if (text === undefined) return undefined;
  let bytes: number;
  try {
    bytes = parseSize(text);
  } catch (error) {
    throw new UsageError(`${source}: ${(error as Error).message}`);
  }
  if (bytes < min) throw new UsageError(`${source} must be at least ${minText}, got "${text}"`);
  return bytes;
}

export const run: Command = {
  usage: '[--state-dir DIR] [--every DURATION] [--spool-max-size SIZE] [--max-rss SIZE] [--ledger FILE] [--log-level LEVEL]',
  summary: 'run: collect on schedule and report to the collector',
  options: {
    ...STATE_DIR_OPTION,
    every: { type: 'string' },
    'spool-max-size': { type: 'string' },
    'max-rss': { type: 'string' },
    ledger: { type: 'string' },
    'log-level': { type: 'string' },
  },
  async run({ values, positionals }) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const everyMs = typeof values.every === 'string' ? everyFlag(values.every) : undefined;
    if (everyMs !== undefined && everyMs < MIN_EVERY_MS) throw new UsageError(`--every must be at least 1s, got "${values.every}"`);
    const spoolBytes = sizeSetting(values['spool-max-size'] as string | undefined, ['spool-max-size', 'WATCHPOST_SPOOL_MAX_BYTES'], MIN_SPOOL_BYTES, '1MiB');
    // The watchdog's memory limit (watchdog/watchdog.ts): --max-rss, else WATCHPOST_MAX_RSS, else 150MB.
    const maxRssBytes = sizeSetting(values['max-rss'] as string | undefined, ['max-rss', 'WATCHPOST_MAX_RSS'], MIN_MAX_RSS_BYTES, '64MiB');
    const [ackStallMs, loopStallMs] = [stallSetting('WATCHPOST_ACK_STALL'), stallSetting('WATCHPOST_LOOP_STALL')];
    const level = (values['log-level'] ?? process.env.WATCHPOST_LOG_LEVEL ?? 'info') as LogLevel;
    if (!LEVELS.includes(level)) throw new UsageError(`--log-level: expected one of ${LEVELS.join(', ')}, got "${level}"`);
    // The delivery ledger (delivery/ledger.ts), opt-in: --ledger, else WATCHPOST_LEDGER; an empty value means none.
    const ledgerFile = (values.ledger as string | undefined) ?? process.env.WATCHPOST_LEDGER;
    if (values.ledger === '') throw new UsageError('--ledger: expected a file name');
    const dir = resolveStateDir(values['state-dir'] as string | undefined);
    const identity = loadIdentity(dir);
    if (!identity) {
      process.stderr.write(`watchpost-agent run: not enrolled (no identity in ${dir}); run: watchpost-agent enroll --server URL --token TOKEN\n`);
      return 1;
    }
    let lock: { release(): void };
    try {
      lock = lockStateDir(dir);
    } catch (error) {
      if (!(error instanceof LockError)) throw error;
      process.stderr.write(`watchpost-agent run: ${error.message}\n`);
      return 1;
    }
    const log = createLogger({ level });
    let requestRestart = () => {};
    const stopRequested = new Promise<'signal' | 'restart'>((resolve) => {
      process.once('SIGINT', () => resolve('signal'));
      process.once('SIGTERM', () => resolve('signal'));
      requestRestart = () => resolve('restart');
    });
    const watchdog = { restart: () => requestRestart(), maxRssBytes, ackStallMs, loopStallMs }; // undefined: the default
    // Self-update (update/): an update in progress is looked at first, so that a crash loop of a new version is
    // counted (and swapped back) before the agent starts; it reports through the agent, whose link brings offers.
    const updater = createRunUpdater({
      identity,
      stateDir: dir,
      log,
      report: (draft) => {
        try {
          agent.report([draft]);
        } catch (error) {
          log.warn('update: report not spooled', { err: (error as Error).message }); // the agent is stopping
        }
      },
      restart: (reason) => (log.info(`agent: restart requested: ${reason}`), requestRestart()),
    });
    if (updater.atStart() === 'restart') {
      lock.release();
      return EXIT_RESTART;
    }
    const agent = startAgent({
      identity,
      stateDir: dir,
      log,
      watchdog,
      link: updater.linkHooks,
      ...(everyMs ? { everyMs } : {}),
      ...(spoolBytes ? { spoolMaxBytes: spoolBytes } : {}),
      ...(ledgerFile ? { ledgerFile } : {}),
    });
    updater.started();
    const why = await stopRequested;
    log.info(why === 'restart' ? 'agent: stopping for a restart' : 'agent: stopping');
    updater.stop();
    // A process in trouble may not stop cleanly: the service host gets its restart code either way.
    if (why === 'restart') setTimeout(() => process.exit(EXIT_RESTART), RESTART_STOP_GRACE_MS).unref();
    await agent.stop();
    lock.release();
    return why === 'restart' ? EXIT_RESTART : 0;
  },
};
