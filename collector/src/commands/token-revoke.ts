import { idCommand } from './context.js';

export const tokenRevoke = idCommand('revoke an enrollment token (agents already enrolled with it keep working)', 'token ID', 'token list', (store, id) => {
  store.tokens.revoke(id);
  process.stdout.write(`token ${id} revoked\n`);
  return 0;
});
