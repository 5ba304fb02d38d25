// Opening the store's database (a SQLite file, or PostgreSQL by URL) and bringing its schema up to date.
import { closeSync, chmodSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import { MIGRATIONS } from './migrations.js';
import { openPostgres, type PostgresOptions } from './postgres/connection.js';
import { POSTGRES_MIGRATIONS } from './postgres/schema.js';
import { dialectOf, type SqlDb } from './sql.js';

export type Db = SqlDb;

/** A store location that names PostgreSQL rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** `agentId` -> `agent_id`: a model's key as its column is named. */
type SnakeCase<K extends string> = K extends `${infer Head}${infer Tail}`
  ? `${Head extends Uppercase<Head> ? (Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`) : Head}${SnakeCase<Tail>}`
  : K;
/** A model's row as SQLite answers it: the same fields under their column names (agentId -> agent_id). */
export type RowOf<T> = { [K in keyof T as K extends string ? SnakeCase<K> : never]: T[K] };

/** How long a writer waits for another connection's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;
/** The database holds credential hashes: owner read/write only. */
export const DB_FILE_MODE = 0o600;

const MEMORY = ':memory:';

/**
 * Opens the store's database and applies pending migrations: PostgreSQL when `location` is a postgres:// URL
 * (its database must exist), else the SQLite file at `location` (created if needed, with mode 0600 before SQLite
 * touches it: SQLite gives its -wal/-shm files the database file's mode; an existing file is narrowed to 0600).
 */
export function openDatabase(location: string, options: PostgresOptions = {}): Db {
  return isPostgresUrl(location) ? openPostgresDatabase(location, options) : openSqliteDatabase(location);
}

/** The SQLite half of openDatabase, with better-sqlite3's own API (pragmas) for what only SQLite has. */
export function openSqliteDatabase(file: string): Database.Database {
  if (file !== MEMORY) restrictFileMode(file);
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // FULL: an enrollment acknowledged to an agent must survive a power cut, or the agent holds a credential
    // the collector has forgotten.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function openPostgresDatabase(url: string, options: PostgresOptions): Db {
  const db = openPostgres(url, options);
  try {
    migrate(db, POSTGRES_MIGRATIONS);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function restrictFileMode(file: string): void {
  closeSync(openSync(file, 'a', DB_FILE_MODE));
  chmodSync(file, DB_FILE_MODE);
}

export function appliedVersions(db: Db): number[] {
  const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
  return rows.map((r) => r.version);
}

/**
 * Applies every migration whose version (1-based index) is not yet recorded, all in one IMMEDIATE transaction:
 * the write lock is taken before the versions are read, so two collectors starting on the same database cannot
 * both apply a migration, and a failing migration leaves the schema as it was (PostgreSQL's DDL is
 * transactional too).
 */
export function migrate(db: Db, migrations: readonly string[] = MIGRATIONS, now: () => number = Date.now): void {
  // Inside the transaction, so a collector creates the table only once it holds the write lock: several starting
  // on an empty PostgreSQL database at once would otherwise race to create it.
  const apply = db.transaction(() => {
    db.exec(
      dialectOf(db) === 'postgres'
        ? 'CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)'
        : `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    applied_at INTEGER NOT NULL
  ) STRICT`,
    );
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    const done = new Set(appliedVersions(db));
    const newest = Math.max(0, ...done);
    if (newest > migrations.length) {
      throw new StoreError(
        'schema_too_new',
        `database schema version ${newest} is newer than this collector knows (${migrations.length}); upgrade the collector`,
      );
    }
    migrations.forEach((sql, i) => {
      const version = i + 1;
      if (done.has(version)) return;
      db.exec(sql);
      record.run(version, now());
    });
  });
  apply.immediate();
}
