import { UsageError } from '../errors.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';

export const apiKeyCreate: Command = {
  usage: '--name NAME [--config FILE]',
  summary: 'create an admin API key (printed once, on stdout only; stored hashed)',
  options: { ...CONFIG_OPTION, name: { type: 'string' } },
  run: (input) =>
    withStore(input, (store) => {
      if (typeof input.values.name !== 'string' || !input.values.name.trim()) throw new UsageError('--name is required');
      if (input.positionals.length > 0) throw new UsageError(`unexpected argument "${input.positionals[0]}"`);
      const created = store.apiKeys.create({ name: input.values.name });
      process.stdout.write(created.key + '\n');
      process.stderr.write(`API key ${created.id} (${input.values.name.trim()}) created; it is shown only now\n`);
      return 0;
    }),
};
