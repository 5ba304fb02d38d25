import { CONFIG_OPTION, type Command } from './command.js';
import { singleId, withStore } from './context.js';

export const maintenanceDelete: Command = {
  usage: 'ID [--config FILE]',
  summary: 'delete a maintenance window (kept, marked deleted, for the record); it holds nothing from now on',
  options: { ...CONFIG_OPTION },
  run: (input) =>
    withStore(input, (store) => {
      const id = singleId(input, 'maintenance window ID', 'maintenance list');
      if (!store.maintenance.getWindow(id)) {
        process.stderr.write(`unknown maintenance window: ${id}\n`);
        return 1;
      }
      const deleted = store.maintenance.deleteWindow(id, Date.now());
      process.stdout.write(deleted ? `maintenance window ${id} deleted\n` : `maintenance window ${id} was already deleted\n`);
      return 0;
    }),
};
