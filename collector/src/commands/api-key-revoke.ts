import { idCommand } from './context.js';

export const apiKeyRevoke = idCommand('revoke an API key (refused from the next request on)', 'API key ID', 'api-key list', (store, id) => {
  store.apiKeys.revoke(id);
  process.stdout.write(`API key ${id} revoked\n`);
  return 0;
});
