import { idCommand } from './context.js';

export const silenceExpire = idCommand('end a silence now', 'silence ID', 'silence list', (store, id) => {
  if (!store.maintenance.getSilence(id)) {
    process.stderr.write(`unknown silence: ${id}\n`);
    return 1;
  }
  const expired = store.maintenance.expireSilence(id, Date.now());
  process.stdout.write(expired ? `silence ${id} expired\n` : `silence ${id} was already expired\n`);
  return 0;
});
