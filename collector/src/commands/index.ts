// The collector's commands: one map, one file per command.
import type { Command } from './command.js';
import { serve } from './serve.js';
import { tenantAdd } from './tenant-add.js';
import { tokenCreate } from './token-create.js';
import { agents } from './agents.js';

export const commands: Record<string, Command> = {
  serve,
  'tenant add': tenantAdd,
  'token create': tokenCreate,
  agents,
};
