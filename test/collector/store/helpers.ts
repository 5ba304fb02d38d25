// Shared setup for the store tests: a fresh temp dir per test, a controllable clock, and raw file reads.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { isStoreError, openStore, type Store, type StoreErrorCode } from '../../../collector/src/store/index.js';

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

/** A path for a database file in a fresh temp dir removed after the test. */
export function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-store-'));
  dirs.push(dir);
  return join(dir, 'state.db');
}

/** openStore, with the store closed after the test. */
export function open(file: string, c: Clock = clock()): Store {
  const s = openStore(file, { now: c.now });
  stores.push(s);
  return s;
}

/** Every byte SQLite has written for this database: the file plus its -wal and -shm, if present. */
export function rawBytes(file: string): Buffer {
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
