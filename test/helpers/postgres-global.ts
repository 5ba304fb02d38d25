// Vitest global setup of the store-postgres project: one real PostgreSQL for the whole run, its URL provided to
// the test files (inject('postgresUrl')), which each create their own databases on it.
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../../scripts/lib/postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresUrl', server.url);
  return () => server.destroy();
}
