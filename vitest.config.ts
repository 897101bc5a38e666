import { defineConfig } from 'vitest/config';

// The same suite runs twice: on embedded PGlite and on a real PostgreSQL 15 server that the
// postgres project's global setup starts by itself.
const shared = {
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'pglite', env: { LIANXIN_TEST_DB: 'pglite' } } },
      { test: { ...shared, name: 'postgres', env: { LIANXIN_TEST_DB: 'postgres' }, globalSetup: ['test/global-setup-postgres.ts'] } },
    ],
  },
});
