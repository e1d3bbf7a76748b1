/**
 * A tiny CSV reader for the benchmark only (the seed data has no quoting). Every column but the
 * target is numeric if all its non-empty values parse as numbers, else categorical (levels in
 * order of first appearance). Empty cells are missing.
 */
import { readFileSync } from 'node:fs';
import type { Feature, Frame, Target } from '../../src/ml/frame.js';

export interface Table {
  header: string[];
  columns: string[][];
}

export function readCsv(path: string): Table {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const header = lines[0]!.split(',');
  const columns = header.map(() => [] as string[]);
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(',');
    for (let j = 0; j < header.length; j++) columns[j]!.push(cells[j] ?? '');
  }
  return { header, columns };
}

export function toFrame(table: Table, targetName: string): { frame: Frame; target: Target } {
  const ti = table.header.indexOf(targetName);
  if (ti < 0) throw new Error(`no column ${targetName}`);
  const features: Feature[] = [];
  table.header.forEach((name, j) => {
    if (j === ti) return;
    const col = table.columns[j]!;
    const numeric = col.every((v) => v === '' || Number.isFinite(Number(v)));
    if (numeric) {
      features.push({ name, kind: 'numeric', values: Float64Array.from(col, (v) => (v === '' ? NaN : Number(v))) });
    } else {
      const levels: string[] = [];
      const index = new Map<string, number>();
      const codes = Int32Array.from(col, (v) => {
        if (v === '') return -1;
        let c = index.get(v);
        if (c === undefined) {
          c = levels.length;
          levels.push(v);
          index.set(v, c);
        }
        return c;
      });
      features.push({ name, kind: 'categorical', codes, levels });
    }
  });
  const tcol = table.columns[ti]!;
  const labels = [...new Set(tcol)].sort();
  const li = new Map(labels.map((l, i) => [l, i] as const));
  const target: Target = { kind: 'classification', codes: Int32Array.from(tcol, (v) => li.get(v)!), labels };
  return { frame: { nRows: tcol.length, features }, target };
}
