import { rng, tempDir as makeTempDir } from '../support/data.js';

export { DIABETES, rng, writeCsv } from '../support/data.js';

/** A fresh folder for a test file's data and outputs. */
export function tempDir(prefix = 'sluice-train-'): string {
  return makeTempDir(prefix);
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
