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
 * file in its own module graph. That failure was a worker of `--workers 2` listening before its model
 * was loaded (fixed: serve.ts). Then (Dec 4 evening): the partition conformance file on tables
 * (14 -> 8.5 CPU-s), PostgreSQL clusters copied from one initdb, trainChampion's model trained once
 * per process, the fast tier's long files in LONGEST_FIRST. `/usr/bin/time -f '%e %U %S' npm run
 * test:fast` with dist/ current (a stale one adds the build, ~19 CPU-s): 22:18 UTC at f755b5a,
 * load average 10-14, 1,514 tests, 234 s wall, 214 CPU-s; 23:11 UTC at 71b77ad, load 17-19, 194
 * files, 1,553 tests, all green, 408 s wall (not comparable), 215 CPU-s; 23:22 UTC at 0ffaad1, load
 * 9-13 as at 22:18: 195 files, 1,565 tests, all green, 197 s wall, 199 CPU-s (173 user + 26 sys).
 * On the quiet machine (Dec 4 23:55 UTC, main at 69ea72a, load average 0.1 at the start): 197
 * files, 1,572 tests, all green, **99.8 s wall**, 191 CPU-s (166 user + 25 sys); the full suite
 * right after: 216 files, 1,648 tests, all green, 265.6 s wall, 492 CPU-s.
 */
export default mergeConfig(base, defineConfig({ test: { exclude: Object.keys(SLOW_TESTS), isolate: false } }));
