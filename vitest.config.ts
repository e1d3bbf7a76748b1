import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/setup/systemDeps.ts'],
    reporters: ['default'],
    // A focused test (`it.only`) left in a file would silently run that file's other tests no more.
    allowOnly: false,
  },
});
