import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { renderReportHtml } from '../../src/profile/html/renderReportHtml.js';
import { profileTable } from '../../src/profile/profileTable.js';
import { REPORT_SAMPLE_ROWS, takeReportSample } from '../../src/profile/reportSample.js';
import { reportSchema, type Report } from '../../src/profile/reportSchema.js';
import { rng, tempDir, writeCsv } from './helpers.js';

// Above the sample size, the correlations, the model frame and the anomalies read one seeded
// uniform random sample, and the report says so; counts and statistics stay exact.
let engine: Engine;
const dir = tempDir();
const ROWS = 3000;
beforeAll(async () => {
  engine = await Engine.open();
  const r = rng(7);
  const rows: unknown[][] = [];
  for (let i = 0; i < ROWS; i++) {
    const x = r() * 10;
    const c = ['a', 'b', 'c'][Math.floor(r() * 3)]!;
    rows.push([x.toFixed(3), (2 * x + r() * 4).toFixed(3), c, i % 7 === 0 ? '' : Math.floor(r() * 5), x + r() * 5 > 7 ? 'yes' : 'no']);
  }
  await readTable(engine, writeCsv(dir, 'data.csv', ['x', 'y', 'c', 'd', 't'], rows), { name: 'data' });
});
afterAll(() => engine.close());

const exactParts = (r: Report) => ({ dataset: r.dataset, columns: r.columns, duplicates: r.duplicates, target: r.target });

describe("the report's sample", () => {
  it('at or below the sample size: every row, no sample stated', async () => {
    const r = await profileTable(engine, 'data', { target: 't', sampleRows: ROWS });
    reportSchema.parse(r);
    expect(r.correlations.sample).toBeUndefined();
    expect(r.notes.join(' ')).not.toContain('uniform random sample');
    expect(renderReportHtml(r)).not.toContain('uniform random sample');
    expect(r.quickModel?.sampled).toBe(false);
    expect(REPORT_SAMPLE_ROWS).toBe(250_000);
  });

  it('above it: correlations, quick model and anomalies on the sample, labelled in JSON and HTML; counts and statistics exact', async () => {
    const all = await profileTable(engine, 'data', { target: 't', sampleRows: Number.POSITIVE_INFINITY });
    const r = await profileTable(engine, 'data', { target: 't', sampleRows: 1000 });
    reportSchema.parse(r);
    const s = r.correlations.sample!;
    expect(s).toEqual({ rows: s.rows, of: ROWS, method: 'bernoulli', probability: 1000 / ROWS, seed: 42 });
    // Each row kept with probability 1/3: about 1,000 rows (3 standard deviations: ±77).
    expect(Math.abs(s.rows - 1000)).toBeLessThan(80);
    const n = s.rows.toLocaleString('en-US');
    expect(r.notes.join(' ')).toContain(
      `computed on a uniform random sample of ${n} of the 3,000 rows (Bernoulli sampling, each row kept with probability 0.3333, seed 42)`,
    );
    expect(renderReportHtml(r)).toContain(`Computed on a uniform random sample of ${n} of the 3,000 rows`);
    // The model sections read the sample: the quick model's rows add up to it, the anomalies score it.
    const q = r.quickModel!;
    expect(q.trainRows + q.validationRows).toBe(s.rows);
    expect(r.anomalies?.scoredRows).toBe(s.rows);
    expect(all.anomalies?.scoredRows).toBe(ROWS);
    // Exact parts: the same as on every row.
    expect(exactParts(r)).toEqual(exactParts(all));
    // Estimates: close to every row's (x and y correlate strongly), not the same numbers.
    const p = r.correlations.numeric.pearson[0]![1]!;
    const pAll = all.correlations.numeric.pearson[0]![1]!;
    expect(p).not.toBe(pAll);
    expect(Math.abs(p - pAll)).toBeLessThan(0.05);
    // Seeded: the same sample, so the same report, twice.
    const again = await profileTable(engine, 'data', { target: 't', sampleRows: 1000 });
    expect(again.correlations).toEqual(r.correlations);
    expect(again.quickModel?.metrics).toEqual(q.metrics);
    // The sample's table is dropped with the views.
    const left = await engine.query(`SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE '%sample%'`);
    expect(left).toEqual([]);
  });

  it('a size that is not a positive whole number is refused with the reason', async () => {
    for (const size of [0, -5, 2.5, Number.NaN]) {
      await expect(takeReportSample(engine, 'data', ROWS, size)).rejects.toMatchObject({ code: 'REPORT_SAMPLE_SIZE' });
      await expect(profileTable(engine, 'data', { sampleRows: size })).rejects.toThrow(/sample size must be a positive whole number/);
    }
  });
});
