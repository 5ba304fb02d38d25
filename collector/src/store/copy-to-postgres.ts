// Moving a SQLite installation's state to PostgreSQL: every row of every table, ids kept, in one PostgreSQL
// transaction, checked by counting each table on both sides before it commits.
//
// Contract:
//   - the source is opened as the store opens it (migrated to this collector's schema) and read inside one read
//     transaction: a consistent snapshot even if something still writes to the file (stop the collector first
//     anyway: what it writes after the snapshot stays behind);
//   - the target is migrated to this collector's schema and must hold no row but those its migrations seed
//     (refused otherwise, naming the table: a second run never merges two installations);
//   - tables are copied parents first (foreign keys), with the tables' own triggers off during the copy (the
//     copied rows already carry what the triggers would have written), in batches; identity sequences are moved
//     past the copied ids, and SQLite's implicit rowid goes into the `rowid` column PostgreSQL's schema gives the
//     tables the store orders by it;
//   - any error rolls the whole copy back: the target is as it was.
import Database from 'better-sqlite3';
import { openDatabase, openSqliteDatabase } from './db.js';
import { StoreError } from './errors.js';
import type { SqlDb } from './sql.js';

const BATCH_ROWS = 500;

export interface TableCount {
  table: string;
  rows: number;
}

export interface CopyReport {
  tables: TableCount[];
  /** The PostgreSQL schema's version after the copy. */
  version: number;
}

export interface CopyOptions {
  /** Called after each table is copied (progress). */
  onTable?: (count: TableCount) => void;
}

interface ColumnInfo {
  name: string;
}

/** Copies the store at `sqliteFile` into the PostgreSQL database at `postgresUrl`; see the file comment. */
export function copyToPostgres(sqliteFile: string, postgresUrl: string, options: CopyOptions = {}): CopyReport {
  const source = openSqliteDatabase(sqliteFile);
  let target: SqlDb | undefined;
  try {
    target = openDatabase(postgresUrl);
    return copy(source, target, options);
  } finally {
    target?.close();
    source.close();
  }
}

function copy(source: Database.Database, target: SqlDb, options: CopyOptions): CopyReport {
  const tables = copyOrder(source);
  const targetVersion = target.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number;
  const seeded = new Set<string>();
  for (const table of tables) {
    const rows = target.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    if (rows === 0) continue;
    if (!isSeededOnly(target, table)) {
      throw new StoreError('conflict', `the PostgreSQL database already holds data (table ${table}: ${rows} rows); copy into an empty database`);
    }
    seeded.add(table);
  }
  const identity = new Set(
    (
      target
        .prepare(`SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'`)
        .pluck()
        .all() as string[]
    ).map(String),
  );
  const read = source.transaction(() =>
    target.transaction(() => {
      const counts: TableCount[] = [];
      for (const table of [...seeded].reverse()) target.prepare(`DELETE FROM ${table}`).run();
      for (const table of tables) {
        const columns = (source.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(table) as ColumnInfo[]).map((c) => c.name);
        const withRowid = identity.has(`${table}.rowid`) && !columns.includes('rowid');
        const names = withRowid ? [...columns, 'rowid'] : columns;
        target.exec(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
        const select = source.prepare(`SELECT ${names.map(quote).join(', ')} FROM ${table} ORDER BY rowid`).raw(true);
        let batch: unknown[][] = [];
        let rows = 0;
        const flush = (): void => {
          if (batch.length === 0) return;
          const row = `(${names.map(() => '?').join(', ')})`;
          target.prepare(`INSERT INTO ${table} (${names.map(quote).join(', ')}) VALUES ${batch.map(() => row).join(', ')}`).run(batch.flat());
          rows += batch.length;
          batch = [];
        };
        for (const row of select.iterate() as Iterable<unknown[]>) {
          batch.push(row);
          if (batch.length === BATCH_ROWS) flush();
        }
        flush();
        target.exec(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
        for (const column of names.filter((n) => identity.has(`${table}.${n}`))) {
          target
            .prepare(`SELECT setval(pg_get_serial_sequence(?, ?), coalesce((SELECT max(${quote(column)}) FROM ${table}), 0) + 1, false)`)
            .get(table, column);
        }
        const there = target.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
        const here = source.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
        if (there !== here || rows !== here) {
          throw new StoreError('conflict', `table ${table}: ${here} rows in SQLite, ${there} in PostgreSQL after the copy; nothing was kept`);
        }
        const count = { table, rows: here };
        counts.push(count);
        options.onTable?.(count);
      }
      return counts;
    })(),
  );
  return { tables: read(), version: targetVersion };
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The store's tables, parents before children (foreign keys), schema_migrations left out (each side keeps its own). */
function copyOrder(db: Database.Database): string[] {
  const tables = (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY name")
      .pluck()
      .all() as string[]
  ).map(String);
  const parents = new Map(
    tables.map((t) => [t, new Set((db.prepare('SELECT "table" FROM pragma_foreign_key_list(?)').pluck().all(t) as string[]).filter((p) => p !== t))]),
  );
  const ordered: string[] = [];
  const visit = (table: string, path: Set<string>): void => {
    if (ordered.includes(table)) return;
    if (path.has(table)) throw new Error(`foreign keys form a cycle through ${table}`);
    path.add(table);
    for (const parent of parents.get(table) ?? []) visit(parent, path);
    path.delete(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table, new Set());
  return ordered;
}

/** Whether the rows of `table` are only what a fresh migration put there (compared with a fresh schema's rows). */
function isSeededOnly(target: SqlDb, table: string): boolean {
  // The seeded tables hold singleton rows (id = 1) the migrations insert; nothing else in a fresh database has rows.
  const id = target
    .prepare(`SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name = 'id'`)
    .pluck()
    .get(table);
  if (id !== 'bigint') return false;
  return (target.prepare(`SELECT count(*) FROM ${table} WHERE id <> 1`).pluck().get() as number) === 0;
}
