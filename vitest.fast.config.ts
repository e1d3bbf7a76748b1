import { defineConfig, mergeConfig } from 'vitest/config';
import { SLOW_TESTS } from './test/tiers.js';
import base from './vitest.config.js';

/** `npm run test:fast`: every test that needs no browser, wall-clock training or killed processes (test/tiers.ts). */
export default mergeConfig(base, defineConfig({ test: { exclude: Object.keys(SLOW_TESTS) } }));
