import { CONFIG_OPTION, type Command } from './command.js';
import { singleId, withStore } from './context.js';

export const apiKeyRevoke: Command = {
  usage: 'ID [--config FILE]',
  summary: 'revoke an API key (refused from the next request on)',
  options: { ...CONFIG_OPTION },
  run: (input) =>
    withStore(input, (store) => {
      const id = singleId(input, 'API key ID', 'api-key list');
      store.apiKeys.revoke(id);
      process.stdout.write(`API key ${id} revoked\n`);
      return 0;
    }),
};
