import { defineConfig, mergeConfig } from 'vitest/config';
import { SLOW_TESTS } from './test/tiers.js';
import base from './vitest.config.js';

/**
 * `npm run test:fast`: every test that needs no browser, wall-clock training or killed processes
 * (test/tiers.ts). Test files share their worker's modules (`isolate: false`): each worker imports
 * Sluice once instead of once per file. On the quiet 2-core machine (Dec 4, 4 workers) this took
 * 210 s wall and 405 CPU-s for 1,493 tests, all green, against 490 CPU-s isolated. With the CLI
 * tests running the built CLI in their own process (test/support/runCliInProcess.ts): 317 CPU-s
 * for 1,504 tests, all green (Dec 4 20:33-20:50 UTC, load average 20-26 from other work, so its
 * 1,033 s wall says nothing; main moved meanwhile). On the quiet machine at 21:17 and 21:20 UTC
 * (main at 52d2767, 1,510 tests): 155 s wall, 295 CPU-s (one test failed, endpointWorkers'
 * first load, not reproduced since) and 187 s wall, 307 CPU-s, all green. The full suite (`npm test`, CI) keeps every
 * file in its own module graph.
 */
export default mergeConfig(base, defineConfig({ test: { exclude: Object.keys(SLOW_TESTS), isolate: false } }));
