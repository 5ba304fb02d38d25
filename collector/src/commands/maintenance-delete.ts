import { idCommand } from './context.js';

export const maintenanceDelete = idCommand(
  'delete a maintenance window (kept, marked deleted, for the record); it holds nothing from now on',
  'maintenance window ID',
  'maintenance list',
  (store, id) => {
    if (!store.maintenance.getWindow(id)) {
      process.stderr.write(`unknown maintenance window: ${id}\n`);
      return 1;
    }
    const deleted = store.maintenance.deleteWindow(id, Date.now());
    process.stdout.write(deleted ? `maintenance window ${id} deleted\n` : `maintenance window ${id} was already deleted\n`);
    return 0;
  },
);
