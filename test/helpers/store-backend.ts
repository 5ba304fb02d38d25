// Which store backend a test runs against. The store suite runs twice (vitest.config.ts): on SQLite, and in the
// store-postgres project, where WATCHPOST_TEST_STORE=postgres and the global setup's PostgreSQL serves a fresh
// database to every store a test opens.
import { inject } from 'vitest';
import { openPostgres } from '../../collector/src/store/postgres/connection.js';
import type { SqlDb } from '../../collector/src/store/sql.js';

export type Backend = 'sqlite' | 'postgres';
export const BACKEND: Backend = process.env.WATCHPOST_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

let created = 0;
const admins = new Map<string, SqlDb>();

/** A new, empty PostgreSQL database on the run's server, by URL (synchronous, as the store is). */
export function freshPostgresDatabase(server = inject('postgresUrl')): string {
  const name = `wp_${process.pid}_${++created}_${Date.now().toString(36)}`;
  let admin = admins.get(server);
  if (!admin) admins.set(server, (admin = openPostgres(server)));
  admin.exec(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}
