import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PANDAS_NA_TOKENS } from '../../src/core/missing.js';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { fitFlow } from '../../src/flow/fitFlow.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { profileTable } from '../../src/profile/profileTable.js';
import { rng, tempDir } from '../support/data.js';

/**
 * Property test of the one definition of missing (issue 12): random dirty CSV files (every
 * pandas missing token, NaN spellings, ±Infinity in numeric columns and as text in a text column,
 * quoted delimiters and quotes, blank lines, CRLF) are read by Sluice and by pandas (`read_csv` defaults, infinity as missing), and the
 * report's missing counts, the values `impute` (median) fills and the rows `drop_missing` keeps
 * must be the same as pandas' `isna().sum()`, `fillna(median)` and `dropna`.
 *
 * Needs Debian's python3-pandas (`/usr/bin/python3`); installed by .ci/run and the test setup.
 */

const PY = '/usr/bin/python3';
const PANDAS_SCRIPT = `
import sys, json, math
import numpy as np, pandas as pd
from pandas._libs.parsers import STR_NA_VALUES
# pandas 2 added "None" to the default list; Sluice follows pandas 2.
extra = [] if 'None' in STR_NA_VALUES else ['None']
def reference(path):
  df = pd.read_csv(path, na_values=extra)
  df = df.replace([np.inf, -np.inf], np.nan)
  missing = {c: int(df[c].isna().sum()) for c in df.columns}
  med = {c: float(df[c].median()) for c in ['x', 'k']}
  filled = df.fillna({'x': med['x'], 'k': med['k']})
  kept = filled.dropna(subset=['s'])
  return {
    'rows': len(df), 'missing': missing, 'median': med,
    'kept': [int(i) for i in kept['id']],
    'x': [float(v) for v in kept['x']], 'k': [float(v) for v in kept['k']],
    's': [str(v) for v in kept['s']],
  }
# One pandas start-up for every file: a list of results, in the order of the paths.
print(json.dumps([reference(p) for p in sys.argv[1:]]))
`;

function pandasAvailable(): boolean {
  return spawnSync(PY, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0;
}

const TOKENS = PANDAS_NA_TOKENS;
const INF = ['inf', '-inf', 'Infinity', '-Infinity', '+inf', 'INF'];
// Infinity spellings in a text column are text, in pandas as in Sluice (`INF` may be a code).
const TEXT = ['alpha', 'beta', 'a,b', 'with "quote"', 'x|y', 'semi;colon', 'tab\tin', 'Other', 'other', 'inf', 'INF', '-Infinity'];

/** One random dirty CSV file: id, x (float), k (integer), s (text), with a random line ending. */
function dirtyCsv(seed: number): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const eol = r() < 0.5 ? '\r\n' : '\n';
  const n = 20 + Math.floor(r() * 60);
  const cell = (v: string): string => (/[",\r\n]/.test(v) || (r() < 0.15 && v !== '') ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ['id,x,k,s'];
  for (let i = 0; i < n; i++) {
    // a few present values in every column, so each median exists
    const forcePresent = i < 3;
    const u = r();
    const x = forcePresent || u < 0.6 ? String(Math.round((r() * 200 - 100) * 4) / 4) : u < 0.85 ? pick(TOKENS) : pick(INF);
    const k = forcePresent || r() < 0.7 ? String(Math.floor(r() * 50)) : r() < 0.8 ? pick(TOKENS) : pick(INF);
    const s = forcePresent || r() < 0.7 ? pick(TEXT) : pick(TOKENS);
    lines.push([String(i), cell(x), cell(k), cell(s)].join(','));
    if (r() < 0.08) lines.push(''); // a blank line: skipped by both
  }
  return lines.join(eol) + eol;
}

const FILES = 25;
const dir = tempDir('sluice-dirty-');
const pathOf = (seed: number) => join(dir, `dirty-${seed}.csv`);
let engine: Engine;
/** pandas' results for each file, by seed (1-based). */
let refs: any[] = [];
let pandas = false;
beforeAll(async () => {
  engine = await Engine.open();
  const seeds = Array.from({ length: FILES }, (_, i) => i + 1);
  for (const seed of seeds) writeFileSync(pathOf(seed), dirtyCsv(seed));
  pandas = pandasAvailable();
  if (pandas) refs = [undefined, ...JSON.parse(execFileSync(PY, ['-c', PANDAS_SCRIPT, ...seeds.map(pathOf)], { encoding: 'utf8' }))];
});
afterAll(() => engine.close());

const flow = parseFlow(
  stringify({
    version: 1,
    name: 'dirty',
    steps: [
      { kind: 'impute', columns: ['x', 'k'], strategy: 'median' },
      { kind: 'drop_missing', columns: ['s'] },
    ],
  }),
  'dirty.flow.yaml',
);

describe('dirty CSV files: Sluice equals pandas (property test)', () => {
  it('Debian python3-pandas is installed (apt-get install python3-pandas)', () => {
    expect(pandas, `${PY} cannot import pandas: apt-get install python3-pandas`).toBe(true);
  });

  for (let seed = 1; seed <= FILES; seed++) {
    it(`file ${seed}: missing counts, imputed values and kept rows`, async () => {
      const path = pathOf(seed);
      const ref = refs[seed];
      expect(ref, `no pandas result for ${path}: apt-get install python3-pandas`).toBeDefined();
      const name = `d${seed}`;
      const info = await readTable(engine, path, { name });
      expect(info.rows).toBe(ref.rows);

      const report = await profileTable(engine, name, { plugins: {} });
      const counts = Object.fromEntries(report.columns.map((c) => [c.name, c.missing]));
      expect(counts).toEqual(ref.missing);
      expect(report.dataset.missingCells).toBe(Object.values(ref.missing as Record<string, number>).reduce((a, b) => a + b, 0));

      const { fitted, relation } = await fitFlow(engine, flow, name);
      const medians = fitted.steps[0]!.fitted as { values: Record<string, number> };
      expect(medians.values.x).toBeCloseTo(ref.median.x, 12);
      expect(medians.values.k).toBeCloseTo(ref.median.k, 12);
      const rows = await engine.query<{ id: number; x: number; k: number; s: string }>(`SELECT id, x, k, s FROM "${relation}" ORDER BY id`);
      expect(rows.map((x) => x.id)).toEqual(ref.kept);
      expect(rows.map((x) => x.x)).toEqual(ref.x);
      expect(rows.map((x) => Number(x.k))).toEqual(ref.k);
      expect(rows.map((x) => x.s)).toEqual(ref.s);
      expect(fitted.rows.out).toBe(ref.kept.length);
    });
  }
});
