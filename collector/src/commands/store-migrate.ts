// watchpost-collector store migrate --to postgres://...: moves this installation's state (the SQLite file in
// dataDir) into an empty PostgreSQL database, so several collectors can share it (store/copy-to-postgres.ts says
// what is copied and how it is checked). Stop the collector first; afterwards set store.url (or
// WATCHPOST_STORE_URL) to the same URL and start the collectors. The SQLite file is left as it was.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { copyToPostgres, isPostgresUrl } from '../store/index.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { configFrom, STORE_FILE } from './context.js';
import { printJson } from './table.js';

/** The URL with its password replaced, for messages. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the given URL';
  }
}

export const storeMigrate: Command = {
  usage: '--to postgres://USER:PASSWORD@HOST:PORT/DB [--json] [--config FILE]',
  summary: "copy this installation's state from its SQLite file into an empty PostgreSQL database (checked by counting every table)",
  options: { ...CONFIG_OPTION, to: { type: 'string' }, json: { type: 'boolean' } },
  run: async (input) => {
    const config = configFrom(input);
    const to = input.values.to;
    if (typeof to !== 'string' || !isPostgresUrl(to))
      throw new UsageError('--to takes the PostgreSQL URL to copy into (postgres://USER:PASSWORD@HOST:PORT/DB)');
    const file = join(config.dataDir, STORE_FILE);
    if (!existsSync(file)) throw new UsageError(`no SQLite store at ${file} (dataDir ${config.dataDir}): nothing to copy`);
    const report = copyToPostgres(file, to, {
      onTable: input.values.json ? undefined : ({ table, rows }) => process.stderr.write(`${table}: ${rows} rows\n`),
    });
    const rows = report.tables.reduce((sum, t) => sum + t.rows, 0);
    if (input.values.json) {
      printJson({ from: file, to: redactedUrl(to), ...report, rows });
      return 0;
    }
    process.stdout.write(`copied ${rows} rows in ${report.tables.length} tables from ${file} to ${redactedUrl(to)}; every table's count matches\n`);
    process.stdout.write(`now set store.url (or WATCHPOST_STORE_URL) to that URL on every collector; ${file} is left as it was\n`);
    return 0;
  },
};
