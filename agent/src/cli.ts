// watchpost-agent: the executable's entry point (bundled into the single executable). An explicit map of
// commands; usage errors exit 2 naming the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { commands } from './commands/index.js';
import { UsageError } from './base/errors.js';
import { DurationError } from './base/duration.js';
import { AGENT_VERSION } from './version.js';

const USAGE = `usage: watchpost-agent <command> [options]

commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${(name + ' ' + c.usage).padEnd(58)} ${c.summary}`)
  .join('\n')}
  --version                                                  print the version

The state directory defaults to WATCHPOST_STATE_DIR, else the platform's service state location.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    const verbose = rest.includes('--verbose');
    process.stdout.write(`watchpost-agent ${AGENT_VERSION}${verbose ? ` (node ${process.versions.node}, ${process.platform}-${process.arch})` : ''}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`watchpost-agent: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options as ParseArgsConfig['options'], allowPositionals: true, strict: true });
    return await command.run({ values, positionals });
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof DurationError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`watchpost-agent ${name}: ${(error as Error).message}\n`);
    if (usage) process.stderr.write(`usage: watchpost-agent ${name} ${command.usage}\n`);
    return usage ? 2 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`watchpost-agent: ${error.stack ?? error.message}\n`);
    process.exitCode = 1;
  },
);
