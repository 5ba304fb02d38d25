// Shared setup for the store tests: a fresh temp dir per test, a controllable clock, and raw file reads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { isStoreError, openStore, type Store, type StoreErrorCode } from '../../../collector/src/store/index.js';
import Database from 'better-sqlite3';
import { BACKEND, freshPostgresDatabase } from '../../helpers/store-backend.js';
import { MIGRATIONS } from '../../../collector/src/store/migrations.js';
import { POSTGRES_MIGRATIONS } from '../../../collector/src/store/postgres/schema.js';
import { openPostgres } from '../../../collector/src/store/postgres/connection.js';
import type { SqlDb } from '../../../collector/src/store/sql.js';
import { postgresBinDir } from '../../../scripts/lib/postgres.js';

/** The migrations of the backend under test. */
export const BACKEND_MIGRATIONS: readonly string[] = BACKEND === 'postgres' ? POSTGRES_MIGRATIONS : MIGRATIONS;

/** A plain connection to a store's database, no migrations applied: for writing rows as an older collector did. */
export function rawDatabase(location: string): SqlDb {
  return BACKEND === 'postgres' ? openPostgres(location) : new Database(location);
}

export const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);
export const HOUR = 3_600_000;

export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export function clock(start = T0): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const dirs: string[] = [];
const stores: Store[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) {
    try {
      s.close();
    } catch {
      // already closed by the test
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * Where a fresh store lives: a database file in a fresh temp dir removed after the test, or, in the
 * store-postgres project, a new PostgreSQL database. Two open() of one location are two connections to it.
 */
export function tempDbPath(): string {
  if (BACKEND === 'postgres') return freshPostgresDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-store-'));
  dirs.push(dir);
  return join(dir, 'state.db');
}

/** openStore, with the store closed after the test. */
export function open(file: string, c: Clock = clock()): Store {
  const s = openStore(file === ':memory:' && BACKEND === 'postgres' ? freshPostgresDatabase() : file, { now: c.now });
  stores.push(s);
  return s;
}

/**
 * Every byte the database holds: SQLite's file plus its -wal and -shm, if present; PostgreSQL's data as pg_dump
 * writes it out.
 */
export function rawBytes(file: string): Buffer {
  if (BACKEND === 'postgres') {
    const dump = spawnSync(join(postgresBinDir(), 'pg_dump'), ['--data-only', file], { maxBuffer: 64 * 1024 * 1024 });
    if (dump.status !== 0) throw new Error(`pg_dump failed: ${dump.stderr}`);
    return dump.stdout;
  }
  const dir = join(file, '..');
  const base = file.slice(dir.length + 1);
  const parts = readdirSync(dir)
    .filter((n) => n.startsWith(base))
    .map((n) => readFileSync(join(dir, n)));
  return Buffer.concat(parts);
}

/** The StoreError code fn throws, so a table can list expected outcomes. */
export function codeOf(fn: () => unknown): StoreErrorCode | 'no error' | 'other error' {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return isStoreError(err) ? err.code : 'other error';
  }
}
