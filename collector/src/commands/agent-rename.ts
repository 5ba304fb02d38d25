import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { UsageError } from '../errors.js';

export const agentRename: Command = {
  usage: 'ID NAME [--config FILE]',
  summary: "bind another hostname to an agent (its points, alerts and tickets); unique among the tenant's live agents",
  options: { ...CONFIG_OPTION },
  run: (input) =>
    withStore(input, (store) => {
      const [id, name, ...extra] = input.positionals;
      if (!id || !name || extra.length > 0) throw new UsageError('expected an agent ID (see `agents`) and the new hostname');
      const agent = store.agents.rename(id, name);
      process.stdout.write(`agent ${id} renamed to ${agent.hostname}\n`);
      process.stderr.write("a running collector on this data directory uses the new name from the agent's next connection\n");
      return 0;
    }),
};
