import { CONFIG_OPTION, type Command } from './command.js';
import { singleId, withStore } from './context.js';

export const silenceExpire: Command = {
  usage: 'ID [--config FILE]',
  summary: 'end a silence now',
  options: { ...CONFIG_OPTION },
  run: (input) =>
    withStore(input, (store) => {
      const id = singleId(input, 'silence ID', 'silence list');
      if (!store.maintenance.getSilence(id)) {
        process.stderr.write(`unknown silence: ${id}\n`);
        return 1;
      }
      const expired = store.maintenance.expireSilence(id, Date.now());
      process.stdout.write(expired ? `silence ${id} expired\n` : `silence ${id} was already expired\n`);
      return 0;
    }),
};
