import { UsageError } from '../errors.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { singleId, withStore } from './context.js';

export const tenantAdd: Command = {
  usage: 'ID --name NAME [--config FILE]',
  summary: 'add a tenant (one MSP client)',
  options: { ...CONFIG_OPTION, name: { type: 'string' } },
  run: (input) =>
    withStore(input, (store) => {
      const id = singleId(input, 'tenant ID');
      if (typeof input.values.name !== 'string' || !input.values.name.trim()) throw new UsageError('--name is required');
      const tenant = store.tenants.add({ id, name: input.values.name.trim() });
      process.stdout.write(`tenant ${tenant.id} added\n`);
      return 0;
    }),
};
