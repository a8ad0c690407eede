import { defineConfig } from 'vitest/config';

// Tests live in test/; property tests use fixed seeds, so a run is reproducible and CI is stable.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real PostgreSQL server per run for the concurrency suites (test/oracle/server).
    globalSetup: ['test/oracle/server/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
