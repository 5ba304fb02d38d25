// The admin's rename of an agent (POST /api/v1/agents/:id/rename): the store's refusals as HTTP answers.
import { isStoreError, type Agent, type Store } from '../store/index.js';
import { httpErrors } from '../errors.js';

/** Renames in the store; 404 unknown agent, 400 invalid hostname (naming the problem), 409 taken (naming the holder). */
export function renameAgent(store: Store, agentId: string, hostname: string): Agent {
  try {
    return store.agents.rename(agentId, hostname);
  } catch (error) {
    if (isStoreError(error, 'agent_unknown')) throw httpErrors.agentUnknown(agentId);
    if (isStoreError(error, 'invalid_argument')) throw httpErrors.invalidArgument(error.message);
    if (isStoreError(error, 'conflict')) throw httpErrors.hostnameTaken(error.message);
    throw error;
  }
}
