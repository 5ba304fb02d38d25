import { chmodSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { appliedVersions, migrate, openDatabase, openSqliteDatabase } from '../../../collector/src/store/db.js';
import { MIGRATIONS } from '../../../collector/src/store/migrations.js';
import { isStoreError, openStore } from '../../../collector/src/store/index.js';
import { clock, open, tempDbPath, T0 } from './helpers.js';

describe('openDatabase and migrations', () => {
  it('applies every migration once and records its version', () => {
    const file = tempDbPath();
    const db = openDatabase(file);
    const rows = db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all();
    expect(rows).toHaveLength(MIGRATIONS.length);
    expect(appliedVersions(db)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['agents', 'enrollment_tokens', 'schema_migrations', 'tenants']));
    db.close();
  });

  it('is idempotent on reopen: nothing re-applied, data kept', () => {
    const file = tempDbPath();
    const first = open(file);
    first.tenants.add({ id: 'acme', name: 'Acme' });
    first.close();
    const db = openDatabase(file);
    const before = db.prepare('SELECT version, applied_at FROM schema_migrations').all();
    db.close();
    const second = open(file, clock(T0 + 1000));
    expect(second.tenants.get('acme')?.name).toBe('Acme');
    second.close();
    const again = openDatabase(file);
    expect(again.prepare('SELECT version, applied_at FROM schema_migrations').all()).toEqual(before);
    again.close();
  });

  it('applies only an appended migration on an existing database', () => {
    const file = tempDbPath();
    openDatabase(file).close();
    const db = new Database(file);
    const extended = [...MIGRATIONS, 'CREATE TABLE later_feature (x INTEGER) STRICT'];
    migrate(db, extended, () => T0);
    migrate(db, extended, () => T0 + 1);
    expect(appliedVersions(db)).toEqual(extended.map((_, i) => i + 1));
    const last = db.prepare('SELECT applied_at FROM schema_migrations WHERE version = ?').pluck().get(extended.length);
    expect(last).toBe(T0);
    db.close();
  });

  it('rolls back every pending migration when one fails', () => {
    const db = new Database(tempDbPath());
    const broken = [...MIGRATIONS, 'CREATE TABLE ok_one (x INTEGER)', 'THIS IS NOT SQL'];
    expect(() => migrate(db, broken)).toThrow();
    // Nothing is left, not even the table of versions (created inside the same transaction).
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('tenants', 'ok_one', 'schema_migrations')").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a database migrated by a newer collector', () => {
    const file = tempDbPath();
    const db = openDatabase(file);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(MIGRATIONS.length + 1, T0);
    db.close();
    let caught: unknown;
    try {
      openStore(file);
    } catch (err) {
      caught = err;
    }
    expect(isStoreError(caught, 'schema_too_new')).toBe(true);
  });

  it('turns on WAL, foreign keys and a busy timeout', () => {
    const db = openSqliteDatabase(tempDbPath());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    expect(() =>
      db
        .prepare(
          "INSERT INTO agents (id, tenant, secret_hash, hostname, os, arch, agent_version, enrolled_at) VALUES ('a', 'nope', x'00', 'h', 'o', 'a', 'v', 0)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('creates the database and its WAL with mode 0600', () => {
    const file = tempDbPath();
    const store = open(file);
    store.tenants.add({ id: 'acme', name: 'Acme' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
  });

  it('narrows an existing database file to 0600', () => {
    const file = tempDbPath();
    openDatabase(file).close();
    chmodSync(file, 0o644);
    open(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('works in memory', () => {
    const store = open(':memory:');
    store.tenants.add({ id: 'acme', name: 'Acme' });
    expect(store.tenants.list().map((t) => t.id)).toEqual(['acme']);
  });
});
