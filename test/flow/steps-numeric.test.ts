import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { loadFixture } from './fixture.js';
import { firstFitted, fitSteps, fixtureRecord, pythonBatch } from './steps-helpers.js';

let engine: Engine;
let dir: string;
let csv: string;
beforeAll(async () => {
  engine = await Engine.open();
  await loadFixture(engine);
  dir = mkdtempSync(join(tmpdir(), 'sluice-steps-'));
  csv = join(dir, 'fixture.csv');
  await engine.exec(`COPY (SELECT num_medications, lab_score, num_lab_procedures, time_in_hospital FROM fixture) TO '${csv}' (HEADER)`);
});
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const COLS = ['num_medications', 'lab_score', 'time_in_hospital'];
/** The reference values of this file, all computed in one python3 process. */
const py = pythonBatch();

/**
 * Reference values from scikit-learn 1.2 / pandas 1.5 (Debian's /usr/bin/python3) on the same
 * 400 fixture rows, NaN rows dropped per column as scikit-learn's scalers ignore NaN:
 *   /usr/bin/python3 -c "import pandas as pd; from sklearn.preprocessing import StandardScaler; ..."
 * (the exact code is below; it runs in the test).
 */
function sklearnScale(method: string): () => Promise<Record<string, { center: number; scale: number }>> {
  return py.add(
    () => `
import json, pandas as pd
from sklearn.preprocessing import StandardScaler, RobustScaler, MinMaxScaler, MaxAbsScaler
df = pd.read_csv(${JSON.stringify(csv)})
out = {}
for c in ${JSON.stringify(COLS)}:
    x = df[[c]].dropna().astype(float)
    m = ${JSON.stringify(method)}
    if m == 'standard':
        s = StandardScaler().fit(x); out[c] = {'center': s.mean_[0], 'scale': s.scale_[0]}
    elif m == 'robust':
        s = RobustScaler().fit(x); out[c] = {'center': s.center_[0], 'scale': s.scale_[0]}
    elif m == 'minmax':
        s = MinMaxScaler().fit(x); out[c] = {'center': s.data_min_[0], 'scale': s.data_range_[0]}
    else:
        s = MaxAbsScaler().fit(x); out[c] = {'center': 0.0, 'scale': s.scale_[0]}
print(json.dumps(out))
`,
  );
}

describe('scale', () => {
  for (const method of ['standard', 'robust', 'minmax', 'maxabs']) {
    const sklearn = sklearnScale(method);
    it(`${method}: fitted parameters match scikit-learn, transformed values match on both paths`, async () => {
      const r = await fitSteps(engine, 'fixture', [{ kind: 'scale', columns: COLS, method }]);
      const got = firstFitted<{ params: Record<string, { center: number; scale: number }> }>(r.fitted).params;
      const want = await sklearn();
      for (const c of COLS) {
        expect(got[c]!.center, `${c} center`).toBeCloseTo(want[c]!.center, 10);
        expect(got[c]!.scale, `${c} scale`).toBeCloseTo(want[c]!.scale, 10);
      }
      const raw = await engine.query('SELECT * EXCLUDE (readmitted) FROM fixture LIMIT 20');
      const recs = r.applyRecords(raw);
      recs.forEach((x, i) => {
        if (!x.ok) throw x.error;
        const p = got.num_medications!;
        const v = raw[i]!.num_medications;
        expect(x.row.num_medications).toBe(v === null ? null : ((v as number) - p.center) / p.scale);
      });
    });
  }

  it('a constant column gets scale 1 (as scikit-learn) and missing values stay missing', async () => {
    await engine.exec(`CREATE OR REPLACE TABLE const AS SELECT * FROM (VALUES (5), (5), (NULL)) t(x)`);
    const r = await fitSteps(engine, 'const', [{ kind: 'scale', columns: ['x'] }]);
    expect(firstFitted<{ params: Record<string, unknown> }>(r.fitted).params.x).toEqual({ center: 5, scale: 1 });
    expect(r.rows.map((x) => x.x)).toEqual([0, 0, null]);
  });

  it('refuses a text column, naming it', async () => {
    const err = await fitSteps(engine, 'fixture', [{ kind: 'scale', columns: ['race'] }]).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe('FLOW_TYPE');
    expect(isSluiceError(err) && err.location?.field).toBe('race');
  });
});

describe('clip_outliers', () => {
  // /usr/bin/python3: median ± k·1.4826·MAD, mean ± k·std (ddof=1), Series.quantile (linear)
  const pandasBounds = py.add<Record<string, [number, number]>>(
    () => `
import json, pandas as pd
df = pd.read_csv(${JSON.stringify(csv)})
x = df['lab_score'].dropna()
med = x.median(); mad = (x - med).abs().median()
print(json.dumps({
  'robust_stdev': [med - 2 * 1.482602218505602 * mad, med + 2 * 1.482602218505602 * mad],
  'stdev': [x.mean() - 2 * x.std(), x.mean() + 2 * x.std()],
  'quantile': [x.quantile(0.05), x.quantile(0.9)],
}))`,
  );
  it('bounds match pandas for robust_stdev, stdev and quantile', async () => {
    const want = await pandasBounds();
    for (const method of ['robust_stdev', 'stdev', 'quantile'] as const) {
      const r = await fitSteps(engine, 'fixture', [{ kind: 'clip_outliers', columns: ['lab_score'], method, k: 2, lower_quantile: 0.05, upper_quantile: 0.9 }]);
      const b = firstFitted<{ bounds: Record<string, { lower: number; upper: number }> }>(r.fitted).bounds.lab_score!;
      expect(b.lower, method).toBeCloseTo(want[method]![0], 9);
      expect(b.upper, method).toBeCloseTo(want[method]![1], 9);
      const values = r.rows.map((x) => x.lab_score as number);
      expect(Math.min(...values)).toBeCloseTo(b.lower, 9);
      expect(Math.max(...values)).toBeCloseTo(b.upper, 9);
      const [rec] = r.applyRecords([await fixtureRecord(engine, { lab_score: 1e6 })]);
      expect(rec!.ok && rec!.row.lab_score).toBe(b.upper);
    }
  });

  it('an integer column clipped to whole-number bounds stays integer', async () => {
    const r = await fitSteps(engine, 'fixture', [
      { kind: 'clip_outliers', columns: ['time_in_hospital'], method: 'quantile', lower_quantile: 0, upper_quantile: 0.5 },
    ]);
    expect(r.fitted.output.find((c) => c.name === 'time_in_hospital')!.type).toBe('integer');
    expect(r.rows.filter((x) => x.time_in_hospital === null)).toHaveLength(57);
  });
});

describe('bin', () => {
  const sklearnUniform = py.add<{ edges: number[]; bins: number[] }>(
    () => `
import json, pandas as pd
from sklearn.preprocessing import KBinsDiscretizer
df = pd.read_csv(${JSON.stringify(csv)})
x = df[['lab_score']].dropna()
k = KBinsDiscretizer(n_bins=4, encode='ordinal', strategy='uniform').fit(x)
print(json.dumps({'edges': list(k.bin_edges_[0]), 'bins': [int(v) for v in k.transform(x)[:, 0]]}))`,
  );
  const numpyQuantiles = py.add<number[]>(
    () => `
import json, numpy as np, pandas as pd
x = pd.read_csv(${JSON.stringify(csv)})['lab_score'].dropna()
print(json.dumps(list(np.quantile(x, [0, 0.25, 0.5, 0.75, 1]))))`,
  );
  it('equal_width bins agree with scikit-learn KBinsDiscretizer(strategy="uniform")', async () => {
    const want = await sklearnUniform();
    const r = await fitSteps(engine, 'fixture', [{ kind: 'bin', column: 'lab_score', bins: 4 }]);
    firstFitted<{ edges: number[] }>(r.fitted).edges.forEach((e, i) => {
      expect(e).toBeCloseTo(want.edges[i]!, 9);
    });
    expect(r.rows.map((x) => x.lab_score_bin)).toEqual(want.bins);
  });

  it('quantile edges match numpy, explicit edges clamp outside values, range labels', async () => {
    const want = await numpyQuantiles();
    const q = await fitSteps(engine, 'fixture', [{ kind: 'bin', column: 'lab_score', method: 'quantile', bins: 4 }]);
    firstFitted<{ edges: number[] }>(q.fitted).edges.forEach((e, i) => {
      expect(e).toBeCloseTo(want[i]!, 9);
    });
    const counts = [0, 1, 2, 3].map((b) => q.rows.filter((x) => x.lab_score_bin === b).length);
    counts.forEach((n) => {
      expect(Math.abs(n - 100)).toBeLessThan(15);
    });

    const e = await fitSteps(engine, 'fixture', [
      { kind: 'bin', column: 'time_in_hospital', method: 'edges', edges: [1, 4, 8, 14], labels: 'range', output: 'stay' },
    ]);
    const base = await fixtureRecord(engine);
    const recs = e.applyRecords([0, 1, 4, 13, 14, 99, null].map((t) => ({ ...base, time_in_hospital: t })));
    expect(recs.map((x) => x.ok && x.row.stay)).toEqual(['[1, 4)', '[1, 4)', '[4, 8)', '[8, 14]', '[8, 14]', '[8, 14]', null]);
    await expect(fitSteps(engine, 'fixture', [{ kind: 'bin', column: 'lab_score', method: 'edges', edges: [3, 1] }])).rejects.toThrow(/strictly increasing/);
  });
});
