import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

  it('no test skips itself: a missing dependency (s3rver, PostgreSQL, Redis, Chromium) fails its file', () => {
    const skipping = /\b(?:it|test|describe|suite)\.(?:skip|todo|skipIf|runIf)\b|\b(?:ctx|context|t)\.skip\(/;
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== 'fixtures') walk(p);
        } else if (/\.ts$/.test(e.name) && p !== join('test', 'tiers.test.ts')) {
          readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (skipping.test(line)) offenders.push(`${p}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk('test');
    expect(offenders).toEqual([]);
  });
});
