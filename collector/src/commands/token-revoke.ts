import { CONFIG_OPTION, type Command } from './command.js';
import { singleId, withStore } from './context.js';

export const tokenRevoke: Command = {
  usage: 'ID [--config FILE]',
  summary: 'revoke an enrollment token (agents already enrolled with it keep working)',
  options: { ...CONFIG_OPTION },
  run: (input) =>
    withStore(input, (store) => {
      const id = singleId(input, 'token ID', 'token list');
      store.tokens.revoke(id);
      process.stdout.write(`token ${id} revoked\n`);
      return 0;
    }),
};
