import { UsageError } from '../errors.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';

export const apiKeyRevoke: Command = {
  usage: 'ID [--config FILE]',
  summary: 'revoke an admin API key (refused from the next request on)',
  options: { ...CONFIG_OPTION },
  run: (input) =>
    withStore(input, (store) => {
      const [id, ...extra] = input.positionals;
      if (!id || extra.length > 0) throw new UsageError('expected exactly one API key ID (see `api-key list`)');
      store.apiKeys.revoke(id);
      process.stdout.write(`API key ${id} revoked\n`);
      return 0;
    }),
};
