import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DIABETES = fileURLToPath(new URL('../../examples/diabetes/diabetic-readmission.csv', import.meta.url));

/** A fresh folder for a test file's data and outputs. */
export function tempDir(prefix = 'sluice-train-'): string {
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

/** A seeded RNG (mulberry32) so generated data is the same on every run. */
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

export const SMALL_HEADER = ['age', 'color', 'score', 'label'];

/**
 * A small binary problem with known structure: `label` is "high" when age + a color effect +
 * noise is high. Columns: age (integer), color (text), score (float, pure noise), label.
 */
export function smallRows(n: number, seed = 1): unknown[][] {
  const r = rng(seed);
  const colors = ['red', 'green', 'blue'];
  const rows: unknown[][] = [];
  for (let i = 0; i < n; i++) {
    const age = 20 + Math.floor(r() * 60);
    const color = colors[Math.floor(r() * 3)]!;
    const z = (age - 50) / 15 + (color === 'red' ? 1 : color === 'blue' ? -1 : 0) + (r() - 0.5);
    rows.push([age, color, Math.round(r() * 1000) / 100, z > 0 ? 'high' : 'low']);
  }
  return rows;
}
