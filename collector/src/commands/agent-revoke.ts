import { CONFIG_OPTION, type Command } from './command.js';
import { singleId, withStore } from './context.js';
import { REVOCATION_POLL_MS } from '../agent-link/revocation-watcher.js';

export const agentRevoke: Command = {
  usage: 'ID [--config FILE]',
  summary: 'revoke an agent credential; a running collector disconnects the agent',
  options: { ...CONFIG_OPTION },
  run: (input) =>
    withStore(input, (store) => {
      const id = singleId(input, 'agent ID', 'agents');
      store.agents.revoke(id);
      process.stdout.write(`agent ${id} revoked\n`);
      process.stderr.write(`a running collector on this data directory disconnects it within ${REVOCATION_POLL_MS / 1000} s; it must enroll again\n`);
      return 0;
    }),
};
