/**
 * The data both sides of the ML benchmarks read: the seed CSV (`70k`) or a seeded resample of it
 * with noise (`1m`, `200k`, ...), written to a temporary folder with a stratified 80/20 split
 * (seed 0) as row indices, then read back so Sluice sees the numbers Python sees.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Target } from '../../src/ml/frame.js';
import { stratifiedHoldout } from '../../src/ml/splits/stratifiedHoldout.js';
import { readCsv, type Table, toFrame } from './loadCsv.js';
import { resample } from './resample.js';

export const SEED_CSV = new URL('../../examples/diabetes/diabetic-readmission.csv', import.meta.url).pathname;
export const TARGET = 'readmitted';

export interface BenchData {
  n: number;
  dir: string;
  csv: string;
  splitPath: string;
  frame: Frame;
  target: Target;
  split: { train: Uint32Array; test: Uint32Array };
}

/** Rows of a size name: `70k` is the seed data as it is; otherwise `200k`, `1m`, a number. */
export function sizeRows(size: string, seedRows: number): number {
  return size === '70k' ? seedRows : Number(size.replace(/k$/i, 'e3').replace(/m$/i, 'e6'));
}

/** `splitSeed` draws the stratified 80/20 split (0 in every benchmark's table; others to compare over several splits). */
export function prepareBenchData(size: string, base: Table = readCsv(SEED_CSV), splitSeed = 0): BenchData {
  const n = sizeRows(size, base.columns[0]!.length);
  const table = size === '70k' ? base : resample(base, n, TARGET, 0);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const csv = join(dir, 'data.csv');
  writeFileSync(csv, toCsv(table));
  const { frame, target } = toFrame(readCsv(csv), TARGET);
  const split = stratifiedHoldout(target, { testFraction: 0.2, seed: splitSeed });
  const splitPath = join(dir, 'split.json');
  writeFileSync(splitPath, JSON.stringify({ train: Array.from(split.train), test: Array.from(split.test) }));
  return { n, dir, csv, splitPath, frame, target, split: { train: split.train, test: split.test } };
}

function toCsv(t: Table): string {
  const n = t.columns[0]!.length;
  const lines = [t.header.join(',')];
  for (let i = 0; i < n; i++) lines.push(t.columns.map((c) => c[i]).join(','));
  return `${lines.join('\n')}\n`;
}
