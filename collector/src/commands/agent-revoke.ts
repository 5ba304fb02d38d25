import { idCommand } from './context.js';
import { REVOCATION_POLL_MS } from '../agent-link/revocation-watcher.js';

export const agentRevoke = idCommand('revoke an agent credential; a running collector disconnects the agent', 'agent ID', 'agents', (store, id) => {
  store.agents.revoke(id);
  process.stdout.write(`agent ${id} revoked\n`);
  process.stderr.write(`a running collector on this data directory disconnects it within ${REVOCATION_POLL_MS / 1000} s; it must enroll again\n`);
  return 0;
});
