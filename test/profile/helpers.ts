// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (histories, HTTP bodies, pandas output); a wrong shape fails its assertions
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { tempDir as makeTempDir } from '../support/data.js';

export { DIABETES, rng, writeCsv } from '../support/data.js';

/** A fresh folder for a test file's data. */
export function tempDir(prefix = 'sluice-profile-'): string {
  return makeTempDir(prefix);
}

/**
 * The reference values: `/usr/bin/python3 test/profile/pandas_stats.py DATA [TARGET] [BASELINE]`
 * (pandas, numpy and scipy from Debian; see the script for every formula).
 */
export function pandasStats(data: string, target = '', baseline?: string): any {
  const args = ['test/profile/pandas_stats.py', data, target, ...(baseline ? [baseline] : [])];
  return JSON.parse(execFileSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
}

/** Relative closeness for floating results computed by two different engines. */
export function expectClose(actual: number | null | undefined, expected: number | null | undefined, rel = 1e-9, label = ''): void {
  if (expected === null || expected === undefined || Number.isNaN(expected)) {
    expect(actual ?? null, label).toBeNull();
    return;
  }
  expect(actual, label).not.toBeNull();
  const tol = Math.max(rel * Math.abs(expected), 1e-12);
  expect(Math.abs((actual as number) - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}
