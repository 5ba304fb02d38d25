// The shape of a command; the map of commands is index.ts. A mirror kept on purpose: collector/src/commands/command.ts
// is its twin (agent and collector never import each other, and each CLI parses its own flags the same way).
import type { ParseArgsConfig } from 'node:util';

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
