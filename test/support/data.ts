import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIABETES = fileURLToPath(new URL('../../examples/diabetes/diabetic-readmission.csv', import.meta.url));

/** `n` records of the diabetes data from record `from` on, as CSV with its header. */
export function diabetesCsv(n: number, from = 0): string {
  const lines = readFileSync(DIABETES, 'utf8').split('\n');
  return [lines[0], ...lines.slice(1 + from, 1 + from + n)].join('\n') + '\n';
}

/** A fresh folder for a test file's data. */
export function tempDir(prefix = 'sluice-test-'): string {
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
