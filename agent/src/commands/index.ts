// The agent's commands: one map, one file per command.
import type { ParseArgsConfig } from 'node:util';
import { enroll } from './enroll.js';
import { run } from './run.js';
import { collect } from './collect.js';
import { status } from './status.js';

export interface CommandInput {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface Command {
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the exit code; throws UsageError for bad input (exit 2). */
  run(input: CommandInput): Promise<number>;
}

export const STATE_DIR_OPTION = { 'state-dir': { type: 'string' } } as const;

export const commands: Record<string, Command> = { enroll, run, collect, status };
