// watchpost-collector: one entry point, an explicit map of commands. Usage errors exit 2 naming the problem.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DurationError } from './config/duration.js';
import { commands } from './commands/index.js';
import type { Command } from './commands/command.js';
import { COLLECTOR_VERSION } from './version.js';

import { ConfigError, UsageError } from './errors.js';

const USAGE = `usage: watchpost-collector [--config FILE] <command> [options]

commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${(name + ' ' + c.usage).padEnd(52)} ${c.summary}`)
  .join('\n')}

--config FILE (-c FILE) goes before or after the command. Every setting can also come from the environment (WATCHPOST_LISTEN, WATCHPOST_INFLUX_URL, WATCHPOST_INFLUX_DB,
WATCHPOST_DATA_DIR, WATCHPOST_ADMIN_KEY, ...): see the README.`;

/** "tenant add" and "token create" are two words: find the longest command name the argv starts with. */
function findCommand(argv: string[]): { name: string; command: Command; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = commands[name];
    if (command) return { name, command, rest: argv.slice(words) };
  }
  return undefined;
}

/**
 * `--config FILE` (`-c FILE`, `--config=FILE`) before the command, taken off the front of argv so the command
 * parses it as its own: `watchpost-collector --config f tickets` is `watchpost-collector tickets --config f`.
 */
function leadingConfig(argv: string[]): { config?: string; rest: string[] } | { error: string } {
  const first = argv[0];
  if (first === '--config' || first === '-c') {
    const file = argv[1];
    if (file === undefined || file.startsWith('-')) return { error: `${first} needs a file` };
    return { config: file, rest: argv.slice(2) };
  }
  if (first?.startsWith('--config=')) {
    const file = first.slice('--config='.length);
    return file === '' ? { error: '--config needs a file' } : { config: file, rest: argv.slice(1) };
  }
  return { rest: argv };
}

const givesConfig = (args: string[]): boolean => args.some((a) => a === '--config' || a === '-c' || a.startsWith('--config=') || /^-c./.test(a));

export async function main(argv: string[]): Promise<number> {
  const leading = leadingConfig(argv);
  if ('error' in leading) {
    process.stderr.write(`watchpost-collector: ${leading.error}\n\n${USAGE}\n`);
    return 2;
  }
  if (leading.config !== undefined) return withLeadingConfig(leading.config, leading.rest);
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(`watchpost-collector ${COLLECTOR_VERSION}\n`);
    return 0;
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(USAGE + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    process.stderr.write(`watchpost-collector: unknown command "${argv[0]}"\n\n${USAGE}\n`);
    return 2;
  }
  return runCommand(found);
}

/** A command after a leading --config: the file is handed to it as its own flag; given in both places is refused. */
async function withLeadingConfig(config: string, argv: string[]): Promise<number> {
  const found = argv.length > 0 ? findCommand(argv) : undefined;
  if (!found) {
    process.stderr.write(`watchpost-collector: ${argv.length === 0 ? 'no command after --config FILE' : `unknown command "${argv[0]}"`}\n\n${USAGE}\n`);
    return 2;
  }
  if (givesConfig(found.rest)) {
    process.stderr.write(`watchpost-collector ${found.name}: --config given both before and after the command; give it once\n`);
    return 2;
  }
  return runCommand({ ...found, rest: ['--config', config, ...found.rest] });
}

async function runCommand(found: { name: string; command: Command; rest: string[] }): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: found.rest,
      options: found.command.options as ParseArgsConfig['options'],
      allowPositionals: true,
      strict: true,
    });
    return await found.command.run({ values, positionals });
  } catch (error) {
    const usage =
      error instanceof UsageError ||
      error instanceof ConfigError ||
      error instanceof DurationError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`watchpost-collector ${found.name}: ${(error as Error).message}\n`);
    if (usage) process.stderr.write(`usage: watchpost-collector ${found.name} ${found.command.usage}\n`);
    return usage ? 2 : 1;
  }
}
