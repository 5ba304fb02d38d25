// What every command needs: the validated config and, for the state commands, the store.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config/config.js';
import { openStore, type Store } from '../store/index.js';
import { CONFIG_OPTION, type Command, type CommandInput } from './command.js';
import { UsageError } from '../errors.js';
import { createTransitions } from '../alerting/influx-outbox-feed.js';
import { allTransitions, type Transitions } from '../alerting/transitions.js';
import { deskTransitions } from '../desks/desk-outbox-feed.js';
import type { DeskSet } from '../desks/desks-file.js';

export const STORE_FILE = 'watchpost.db';

export function configFrom(input: CommandInput): Config {
  const file = input.values.config;
  return loadConfig(typeof file === 'string' ? { file } : {});
}

/** Where the store lives: store.url (PostgreSQL), else the SQLite file in dataDir. */
export function storeLocation(config: Config): string {
  return config.store.url || join(config.dataDir, STORE_FILE);
}

export function openStoreFor(config: Config): Store {
  if (config.store.url) return openStore(config.store.url);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return openStore(storeLocation(config));
}

/** Runs fn with the store open and closes it whatever happens. */
export async function withStore<T>(input: CommandInput, fn: (store: Store, config: Config) => T | Promise<T>): Promise<T> {
  const config = configFrom(input);
  const store = openStoreFor(config);
  try {
    return await fn(store, config);
  } finally {
    store.close();
  }
}

/** The single ID a command takes as its argument, or a UsageError saying where to find one. */
export function singleId(input: CommandInput, what: string, hint = ''): string {
  const [id, ...extra] = input.positionals;
  if (!id || extra.length > 0) throw new UsageError(`expected exactly one ${what}${hint ? ` (see \`${hint}\`)` : ''}`);
  return id;
}

/**
 * A command that acts on one stored thing named by its ID (`ID [--config FILE]`): the store is opened around `act`,
 * which returns the exit code; `what` and `hint` say, in a usage error, what the ID is and which command lists them.
 */
export function idCommand(summary: string, what: string, hint: string, act: (store: Store, id: string) => number): Command {
  return {
    usage: 'ID [--config FILE]',
    summary,
    options: { ...CONFIG_OPTION },
    run: (input) => withStore(input, (store) => act(store, singleId(input, what, hint))),
  };
}

/**
 * Where a command's ticket changes go, as `serve` sends them: the InfluxDB outbox and the desk outbox of the desks
 * the tenant routes to. A running `serve` delivers both; nothing is sent from the command's own process.
 */
export function storeTransitions(store: Store, desks: DeskSet): Transitions {
  return allTransitions(
    createTransitions(store.influxOutbox),
    deskTransitions(
      store.deskOutbox,
      () => desks,
      () => {},
    ),
  );
}
