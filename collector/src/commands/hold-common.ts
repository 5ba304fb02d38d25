// What the maintenance and silence commands share (and others that take the same flags): who the CLI acts as, the
// tenant a command is about, and refusals as usage errors naming the flag (the parser and the store name body fields:
// `end`, `recurrence.cron`, ...).
import { userInfo } from 'node:os';
import { HoldInputError } from '../alerting/hold-input.js';
import { UsageError } from '../errors.js';
import { isStoreError, type Store } from '../store/index.js';
import type { CommandInput } from './command.js';

/** Field (REST body key or store input key) -> flag. */
const FLAGS: Record<string, string> = {
  startsAt: 'start',
  endsAt: 'end',
  ruleId: 'rule',
  'recurrence.cron': 'cron',
  'recurrence.timezone': 'timezone',
  'recurrence.durationMs': 'duration',
};

/** Recorded as createdBy: the OS user running the CLI. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli'; // no passwd entry for this uid (some containers)
  }
}

/** Runs fn; a bad field becomes a UsageError naming its flag (exit 2). Other errors pass through. */
export function flagErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    const field = error instanceof HoldInputError ? error.field : isStoreError(error, 'invalid_argument') ? /^([\w.]+):/.exec(error.message)?.[1] : undefined;
    if (field === undefined) throw error;
    const detail = (error as Error).message.slice(field.length + 1).trim();
    throw new UsageError(`--${FLAGS[field] ?? field}: ${detail}`);
  }
}

/** The string value of a flag, or undefined. */
export const flag = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function noPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}

/** parseArgs options for flags that take a string. */
export const stringOptions = (flags: readonly string[]) => Object.fromEntries(flags.map((f) => [f, { type: 'string' as const }]));

/** The add commands' flags (no positionals): each as a string or undefined, the required ones refused when missing. */
export function addFlags<R extends string>(
  input: CommandInput,
  flags: readonly string[],
  required: readonly R[],
): Record<string, string | undefined> & Record<R, string> {
  noPositionals(input.positionals);
  const v = Object.fromEntries(flags.map((f) => [f, flag(input.values[f])]));
  for (const f of required) if (!v[f]) throw new UsageError(`--${f} is required`);
  return v as Record<string, string | undefined> & Record<R, string>;
}

/** 14400000 -> "4h"; the largest unit that divides evenly. */
export function shortDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The tenant a command is about: `--tenant` given and known to the store, else a UsageError saying which. */
export function knownTenant(store: Pick<Store, 'tenants'>, tenant: string | undefined): string {
  if (!tenant) throw new UsageError('--tenant: required');
  if (!store.tenants.get(tenant)) throw new UsageError(`unknown tenant: ${tenant} (see \`tenant list\`)`);
  return tenant;
}
