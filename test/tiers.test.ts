import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LONGEST_FIRST, SLOW_TESTS } from './tiers.js';

describe('test tiers', () => {
  it('every file left out of the fast tier exists, with its reason', () => {
    for (const [file, why] of Object.entries(SLOW_TESTS)) {
      expect(existsSync(file), file).toBe(true);
      expect(why.length, file).toBeGreaterThan(10);
    }
  });

  it('every file the suite starts first exists, once', () => {
    for (const file of LONGEST_FIRST) expect(existsSync(file), file).toBe(true);
    expect(new Set(LONGEST_FIRST).size).toBe(LONGEST_FIRST.length);
  });

  it('npm run test:fast runs the fast config; npm test runs everything', () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    expect(scripts['test:fast']).toBe('vitest run --config vitest.fast.config.ts');
    expect(scripts.test).toBe('vitest run');
  });
});
