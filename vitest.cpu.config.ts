import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npx vitest run --config vitest.cpu.config.ts [FILES]`: the suite as `npm test` runs it, writing
 * the CPU time of each test file to test-artifacts/cpu-per-file.jsonl (test/setup/cpuPerFile.ts),
 * the measure that a machine shared with other work does not distort as it does wall time.
 */
export default mergeConfig(base, defineConfig({ test: { setupFiles: ['./test/setup/cpuPerFile.ts'] } }));
