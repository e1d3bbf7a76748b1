// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (histories, HTTP bodies, pandas output); a wrong shape fails its assertions
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { writeTable } from '../../src/engine/writeTable.js';
import { FREQUENCY_TABLE_MAX } from '../../src/profile/columnStats.js';
import { profileTable } from '../../src/profile/profileTable.js';
import type { Report } from '../../src/profile/reportSchema.js';
import { reportSchema } from '../../src/profile/reportSchema.js';
import { DIABETES, expectClose, pandasStats, rng, tempDir, writeCsv } from './helpers.js';

// Every statistic is compared with values computed independently by pandas / numpy / scipy:
//   /usr/bin/python3 test/profile/pandas_stats.py DATA.csv TARGET [BASELINE.csv]

let engine: Engine;
const dir = tempDir();
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

function compareWithPandas(report: Report, ref: any): void {
  expect(report.dataset.rows).toBe(ref.rows);
  expect(report.dataset.duplicateRows).toBe(ref.duplicateRows);
  expect(report.dataset.missingCells).toBe(ref.missingCells);
  for (const col of report.columns) {
    const r = ref.columns[col.name];
    expect(col.missing, col.name).toBe(r.missing);
    expect(col.distinct, col.name).toBe(r.distinct);
    expect(
      col.topValues?.map((v) => v.count),
      col.name,
    ).toEqual(r.topCounts);
    if (r.mean === undefined) continue;
    for (const k of ['min', 'max', 'mean', 'median', 'std', 'skewness', 'kurtosis'] as const) expectClose(col[k] as number, r[k], 1e-9, `${col.name}.${k}`);
    for (const [p, v] of Object.entries(r.quantiles as Record<string, number>)) expectClose(col.quantiles?.[p], v, 1e-12, `${col.name} q${p}`);
    expect(col.outliers, `${col.name} outliers`).toBe(r.outliers);
    expect(col.histogram?.counts, `${col.name} histogram`).toEqual(r.histogram);
    col.histogram?.edges.forEach((e, i) => {
      expectClose(e, r.edges[i], 1e-12, `${col.name} edge ${i}`);
    });
  }
  const num = report.correlations.numeric;
  for (const [key, v] of Object.entries(ref.pearson as Record<string, number>)) {
    const [a, b] = key.split('|') as [string, string];
    const i = num.columns.indexOf(a);
    const j = num.columns.indexOf(b);
    expectClose(num.pearson[i]?.[j], v, 1e-9, `pearson ${key}`);
    expectClose(num.spearman[i]?.[j], ref.spearman[key], 1e-9, `spearman ${key}`);
  }
  const cat = report.correlations.categorical;
  expect(Object.keys(ref.cramersV).length).toBe((cat.columns.length * (cat.columns.length - 1)) / 2);
  for (const [key, v] of Object.entries(ref.cramersV as Record<string, number>)) {
    const [a, b] = key.split('|') as [string, string];
    expectClose(cat.cramersV[cat.columns.indexOf(a)]?.[cat.columns.indexOf(b)], v, 1e-9, `cramer ${key}`);
  }
}

describe('profileTable matches pandas', () => {
  it('on the diabetes data set (69,570 rows), with drift against its first half', async () => {
    await readTable(engine, DIABETES, { name: 'diabetes' });
    const basePath = `${dir}/baseline.csv`;
    await writeTable(engine, 'SELECT * FROM diabetes WHERE number_inpatient = 0', basePath);
    await readTable(engine, basePath, { name: 'base' });
    const report = await profileTable(engine, 'diabetes', { target: 'readmitted', baseline: 'base', plugins: {} });
    reportSchema.parse(report);
    const ref = pandasStats(DIABETES, 'readmitted', basePath);
    compareWithPandas(report, ref);
    expect(Object.fromEntries(report.target!.classes!.map((c) => [c.value, c.count]))).toEqual(ref.target.counts);
    expectClose(report.target!.imbalanceRatio, ref.target.imbalanceRatio, 1e-12, 'imbalance');
    for (const a of report.correlations.target.filter((x) => x.method === 'correlation_ratio'))
      expectClose(a.value, ref.correlationRatio[a.feature], 1e-9, `eta ${a.feature}`);
    // Cramér's V with the target equals the matrix entry (checked against scipy above).
    const cat = report.correlations.categorical;
    for (const a of report.correlations.target.filter((x) => x.method === 'cramers_v')) {
      expectClose(a.value, cat.cramersV[cat.columns.indexOf(a.feature)]![cat.columns.indexOf('readmitted')], 1e-12, `cramer target ${a.feature}`);
    }
    expect(report.correlations.target.map((a) => a.feature)).toEqual(report.columns.map((c) => c.name).filter((n) => n !== 'readmitted'));
    for (const d of report.drift!.columns) {
      const r = ref.drift[d.name];
      if (d.kind === 'numeric') {
        expectClose(d.psi, r.psi, 1e-9, `psi ${d.name}`);
        expectClose(d.ks, r.ks, 1e-9, `ks ${d.name}`);
      } else {
        expectClose(d.chiSquare, r.chiSquare, 1e-9, `chi2 ${d.name}`);
        expectClose(d.chiSquarePValue, r.chiSquarePValue, 1e-6, `chi2 p ${d.name}`);
        expectClose(d.jensenShannon, r.jensenShannon, 1e-9, `js ${d.name}`);
      }
    }
    expect(report.drift!.driftedColumns).toContain('number_inpatient');
    // The breakdown by target adds up to the histograms, top values and class counts.
    const classCount = Object.fromEntries(report.target!.classes!.map((c) => [String(c.value), c.count]));
    for (const c of report.columns.filter((x) => x.name !== 'readmitted')) {
      const bt = c.byTarget!;
      expect(bt.classes).toEqual(['no', '>30', '<30']);
      const sums = bt.counts[0]!.map((_, j) => bt.counts.reduce((a, row) => a + row[j]!, 0));
      expect(sums, c.name).toEqual(c.type === 'numeric' ? c.histogram!.counts : c.topValues!.map((t) => t.count));
      if (c.distinct <= 10)
        bt.classes.forEach((k, i) => {
          expect(bt.counts[i]!.reduce((a, b) => a + b, 0)).toBe(classCount[k]);
        });
    }
  }, 180_000);

  it('on generated data with missing values, floats, ties, negative numbers and high-cardinality columns', async () => {
    const r = rng(7);
    const rows: unknown[][] = [];
    for (let i = 0; i < 12000; i++) {
      const x = r() < 0.1 ? null : Math.round((r() * 200 - 50) * 1000) / 1000;
      const y = r() < 0.05 ? null : x === null ? r() : Math.round(Math.exp(r() * 3) * 100) / 100;
      const k = Math.floor(r() * 6);
      const cat = r() < 0.08 ? null : ['red', 'green', 'blue', 'teal'][Math.floor(r() * 4)];
      const cat2 = cat === null || cat === undefined ? 'none' : r() < 0.7 ? cat.toUpperCase() : 'other';
      rows.push([i % 500 === 0 ? 0 : i, x, y, k, cat, cat2, r() < 0.5 ? 'yes' : 'no']);
    }
    rows.push([...rows[10]!], [...rows[10]!], [...rows[20]!]);
    const p = writeCsv(dir, 'gen.csv', ['id', 'x', 'y', 'k', 'cat', 'cat2', 'label'], rows);
    await readTable(engine, p, { name: 'gen' });
    const report = await profileTable(engine, 'gen', { target: 'label', plugins: {} });
    // Both paths are exercised: id and x are summarised in SQL, the others from value counts.
    expect(report.columns.filter((c) => c.distinct > FREQUENCY_TABLE_MAX).map((c) => c.name)).toEqual(['id', 'x']);
    reportSchema.parse(report);
    const ref = pandasStats(p, 'label');
    compareWithPandas(report, ref);
    expect(report.dataset.duplicateRows).toBe(3);
  }, 180_000);
});
