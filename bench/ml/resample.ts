/**
 * Grows a table to `n` rows for the scale benchmark: rows drawn with replacement (seeded), and
 * numeric cells jittered with Gaussian noise of 5% of the column's standard deviation so that
 * copies are not exact duplicates and numeric columns get many distinct values.
 */
import { Rng } from '../../src/ml/random.js';
import type { Table } from './loadCsv.js';

export function resample(table: Table, n: number, targetName: string, seed = 0): Table {
  const rng = new Rng(seed);
  const m = table.columns[0]!.length;
  const pick = Uint32Array.from({ length: n }, () => rng.int(m));
  const columns = table.header.map((name, j) => {
    const col = table.columns[j]!;
    const numeric = name !== targetName && col.every((v) => v === '' || Number.isFinite(Number(v)));
    if (!numeric) return Array.from(pick, (r) => col[r]!);
    const x = col.map(Number);
    const mean = x.reduce((a, b) => a + b, 0) / m;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / m);
    return Array.from(pick, (r) => (x[r]! + 0.05 * sd * rng.normal()).toPrecision(6));
  });
  return { header: table.header, columns };
}
