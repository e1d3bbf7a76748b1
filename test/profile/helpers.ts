import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

export const DIABETES = fileURLToPath(new URL('../../examples/diabetes/diabetic-readmission.csv', import.meta.url));

/** A fresh folder for a test file's data. */
export function tempDir(prefix = 'sluice-profile-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes rows as CSV (values with commas or quotes quoted; null as an empty field). */
export function writeCsv(dir: string, name: string, header: string[], rows: unknown[][]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const p = join(dir, name);
  writeFileSync(p, [header.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n');
  return p;
}

/** A small seeded RNG (mulberry32) so the generated data is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
