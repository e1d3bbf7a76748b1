import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/setup/longestFirst.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // At least four workers: most tests wait on child processes, servers and disks. On a 2-core
    // machine (1,476 tests, Dec 3) two workers took 738 s and three 647 s; with 1,569 tests (Dec 4,
    // quiet, all green) three took 520 s and four, with the measured LONGEST_FIRST, 385 s. One
    // worker (Vitest's default there) about twice as long as two.
    maxWorkers: Math.max(4, availableParallelism() - 1),
    globalSetup: ['test/setup/systemDeps.ts'],
    // The built CLI that tests run in their own process (test/support/runCliInProcess.ts) is
    // loaded by Node as `sluice` loads it, not transformed by Vite.
    server: { deps: { external: [new RegExp(`^${resolve('dist').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`)] } },
    // The longest files first (test/tiers.ts LONGEST_FIRST), so the suite does not end on one of them.
    sequence: { sequencer: LongestFirst },
    reporters: ['default'],
    // A focused test (`it.only`) left in a file would silently run that file's other tests no more.
    allowOnly: false,
  },
});
