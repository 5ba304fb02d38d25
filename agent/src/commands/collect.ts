// watchpost-agent collect --once: one collection of every probe, printed; nothing is sent and no enrollment is
// needed. --json prints an object keyed by probe name, each a list of {measurement, tags, fields, time}.
import { hostname } from 'node:os';
import { UsageError } from '../base/errors.js';
import { createScheduler } from '../scheduler/scheduler.js';
import { probes as registry } from '../probes/index.js';
import { execRunner } from '../exec/runner.js';
import { createLogger, withPrefix } from '../base/log.js';
import { loadIdentity, resolveStateDir } from '../identity/state.js';
import { Int, type Sample } from '../sample.js';
import { STATE_DIR_OPTION, type Command } from './command.js';

const UNENROLLED_TENANT = 'unenrolled';

const jsonSample = (s: Sample) => ({ measurement: s.measurement, tags: s.tags, fields: s.fields, time: new Date(s.time).toISOString() });

/** A human line per sample, in line-protocol order: measurement,tags fields. */
function textSample(s: Sample): string {
  const tags = Object.entries(s.tags)
    .map(([k, v]) => `,${k}=${v}`)
    .join('');
  const fields = Object.entries(s.fields)
    .map(([k, v]) => `${k}=${v instanceof Int ? `${v.value}i` : typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${s.measurement}${tags} ${fields}`;
}

export const collect: Command = {
  usage: '--once [--json] [--state-dir DIR]',
  summary: 'collect every probe once and print the samples (sends nothing)',
  options: { ...STATE_DIR_OPTION, once: { type: 'boolean' }, json: { type: 'boolean' } },
  async run({ values, positionals }) {
    if (!values.once) throw new UsageError('--once is required (continuous collection is `run`)');
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    let tenant = UNENROLLED_TENANT;
    try {
      tenant = loadIdentity(resolveStateDir(values['state-dir'] as string | undefined))?.tenant ?? UNENROLLED_TENANT;
    } catch {
      // an unreadable identity does not stop a local collection
    }
    const log = createLogger({ level: 'warn' });
    const scheduler = createScheduler({
      probes: Object.values(registry).map((create) => create()),
      host: hostname(),
      tenant,
      runner: execRunner,
      log: withPrefix(log, 'collect'),
      onSamples: () => undefined,
    });
    const results = await scheduler.runOnce();
    let failed = 0;
    const out: Record<string, ReturnType<typeof jsonSample>[]> = {};
    for (const [name, result] of results) {
      if (result instanceof Error) {
        failed += 1;
        process.stderr.write(`${name}: ${result.message}\n`);
        out[name] = [];
      } else {
        out[name] = result.map(jsonSample);
        if (!values.json) for (const s of result) process.stdout.write(textSample(s) + '\n');
      }
    }
    if (values.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return failed ? 1 : 0;
  },
};
