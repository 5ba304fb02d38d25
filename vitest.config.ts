import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Vitest's default is one worker per CPU less one: a single worker on the 2-core build machine, where most
    // of the long files wait on real processes (collectors, influxd, agents), not on the CPU. Two overlap them.
    maxWorkers: 2,
  },
});
