// The collector's commands: one map, one file per command.
import type { ParseArgsConfig } from 'node:util';
import { serve } from './serve.js';
import { tenantAdd } from './tenant-add.js';
import { tokenCreate } from './token-create.js';
import { agents } from './agents.js';

export interface CommandInput {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface Command {
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the exit code. Throws UsageError/ConfigError for bad input (exit 2). */
  run(input: CommandInput): Promise<number>;
}

export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const;

export const commands: Record<string, Command> = {
  serve,
  'tenant add': tenantAdd,
  'token create': tokenCreate,
  agents,
};
