import { configDefaults, defineConfig } from 'vitest/config';

/** The store's shared suite: what runs against both backends (the rest of test/collector/store is SQLite's own). */
export const STORE_SUITE = [
  'test/collector/store/agents-live.test.ts',
  'test/collector/store/agents.test.ts',
  'test/collector/store/alert-states.test.ts',
  'test/collector/store/api-keys.test.ts',
  'test/collector/store/collectors.test.ts',
  'test/collector/store/compliance-waivers.test.ts',
  'test/collector/store/desk-outbox.test.ts',
  'test/collector/store/influx-outbox.test.ts',
  'test/collector/store/maintenance.test.ts',
  'test/collector/store/report-deliveries.test.ts',
  'test/collector/store/revocations.test.ts',
  'test/collector/store/sessions.test.ts',
  'test/collector/store/tenants.test.ts',
  'test/collector/store/tickets.test.ts',
  'test/collector/store/tokens.test.ts',
];

/** Files of the store-postgres project alone (several collectors on one PostgreSQL database): the sqlite project leaves them out. */
export const POSTGRES_ONLY = ['test/collector/store/postgres-concurrency.test.ts', 'test/collector/desks/desk-outbox-drain-shared.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Vitest's default is one worker per CPU less one: a single worker on the 2-core build machine, where most
    // of the long files wait on real processes (collectors, influxd, agents), not on the CPU. Two overlap them.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...POSTGRES_ONLY] } },
      {
        extends: true,
        test: {
          name: 'store-postgres',
          include: [...STORE_SUITE, ...POSTGRES_ONLY],
          env: { WATCHPOST_TEST_STORE: 'postgres' },
          globalSetup: ['test/helpers/postgres-global.ts'],
        },
      },
    ],
  },
});
