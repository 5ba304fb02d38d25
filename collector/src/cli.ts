// watchpost-collector: one entry point, an explicit map of commands. Usage errors exit 2 naming the problem.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DurationError } from './config/duration.js';
import { commands } from './commands/index.js';
import type { Command } from './commands/command.js';
import { COLLECTOR_VERSION } from './version.js';

import { ConfigError, UsageError } from './errors.js';

const USAGE = `usage: watchpost-collector <command> [options]

commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${(name + ' ' + c.usage).padEnd(52)} ${c.summary}`)
  .join('\n')}

Every setting can also come from the environment (WATCHPOST_LISTEN, WATCHPOST_INFLUX_URL, WATCHPOST_INFLUX_DB,
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

export async function main(argv: string[]): Promise<number> {
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
