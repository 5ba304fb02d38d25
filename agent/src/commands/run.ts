// watchpost-agent run: collect and report until SIGINT/SIGTERM.
import { UsageError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { parseSize } from '../size.js';
import { createLogger, type LogLevel } from '../log.js';
import { loadIdentity, resolveStateDir } from '../state.js';
import { startAgent } from '../agent.js';
import { LockError, lockStateDir } from '../lock.js';
import { STATE_DIR_OPTION, type Command } from './command.js';

const MIN_EVERY_MS = 1_000;
/** Smaller than this, a spool would drop batches in normal operation (a minute of batches is tens of KiB, but
 *  an hour's outage must fit). */
const MIN_SPOOL_BYTES = 1024 * 1024;
const LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

function everyFlag(text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new UsageError(`--every: ${(error as Error).message}`);
  }
}

/** --spool-max-size, else WATCHPOST_SPOOL_MAX_BYTES, else the spool's default (undefined). */
function spoolMaxBytes(flag: string | undefined, env = process.env.WATCHPOST_SPOOL_MAX_BYTES): number | undefined {
  const [text, source] = flag !== undefined ? [flag, '--spool-max-size'] : [env, 'WATCHPOST_SPOOL_MAX_BYTES'];
  if (text === undefined) return undefined;
  let bytes: number;
  try {
    bytes = parseSize(text);
  } catch (error) {
    throw new UsageError(`${source}: ${(error as Error).message}`);
  }
  if (bytes < MIN_SPOOL_BYTES) throw new UsageError(`${source} must be at least 1MiB, got "${text}"`);
  return bytes;
}

export const run: Command = {
  usage: '[--state-dir DIR] [--every DURATION] [--spool-max-size SIZE] [--ledger FILE] [--log-level LEVEL]',
  summary: 'run: collect on schedule and report to the collector',
  options: { ...STATE_DIR_OPTION, every: { type: 'string' }, 'spool-max-size': { type: 'string' }, ledger: { type: 'string' }, 'log-level': { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const everyMs = typeof values.every === 'string' ? everyFlag(values.every) : undefined;
    if (everyMs !== undefined && everyMs < MIN_EVERY_MS) throw new UsageError(`--every must be at least 1s, got "${values.every}"`);
    const spoolBytes = spoolMaxBytes(values['spool-max-size'] as string | undefined);
    const level = (values['log-level'] ?? process.env.WATCHPOST_LOG_LEVEL ?? 'info') as LogLevel;
    if (!LEVELS.includes(level)) throw new UsageError(`--log-level: expected one of ${LEVELS.join(', ')}, got "${level}"`);
    // The delivery ledger (ledger.ts), opt-in: --ledger, else WATCHPOST_LEDGER; an empty value means none.
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
    const agent = startAgent({ identity, stateDir: dir, log, ...(everyMs ? { everyMs } : {}), ...(spoolBytes ? { spoolMaxBytes: spoolBytes } : {}), ...(ledgerFile ? { ledgerFile } : {}) });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    log.info('agent: stopping');
    await agent.stop();
    lock.release();
    return 0;
  },
};
