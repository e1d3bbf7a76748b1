import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { QUICK_MODEL_MAX_TRAIN } from '../../src/profile/model/quickModel.js';
import { profileTable } from '../../src/profile/profileTable.js';
import { reportSchema } from '../../src/profile/reportSchema.js';
import { DIABETES, rng, tempDir, writeCsv } from './helpers.js';

let engine: Engine;
const dir = tempDir();
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

describe('quick model and prediction power (ml/gbdt)', () => {
  it('diabetes: holdout metrics, a confusion matrix over the 20% split, importances summing to 1', async () => {
    await readTable(engine, DIABETES, { name: 'diabetes' });
    const report = await profileTable(engine, 'diabetes', { target: 'readmitted' });
    reportSchema.parse(report);
    const q = report.quickModel!;
    expect(q.learner).toBe('gbdt');
    // Trained on a seeded sample of the 80% (a bound in rows, not time), measured on all of the 20%.
    // Each of the 3 classes rounds its share of the sample: within one row per class of the bound.
    expect(Math.abs(q.trainRows - QUICK_MODEL_MAX_TRAIN)).toBeLessThanOrEqual(3);
    expect(q.sampled).toBe(true);
    expect(report.notes.join(' ')).toContain(`trained on a seeded random sample of ${q.trainRows} rows and measured on ${q.validationRows} held-out rows`);
    expect(q.validationRows).toBeGreaterThan(0.19 * 69570);
    expect(q.validationRows).toBeLessThan(0.21 * 69570);
    expect(Object.keys(q.metrics).sort()).toEqual(['accuracy', 'balancedAccuracy', 'logLoss', 'macroF1', 'rocAucOvr']);
    // Readmission is hard to predict: better than chance, far from perfect.
    expect(q.metrics.rocAucOvr).toBeGreaterThan(0.55);
    expect(q.metrics.rocAucOvr).toBeLessThan(0.9);
    const cm = q.confusionMatrix!;
    expect(cm.labels).toEqual(['<30', '>30', 'no']);
    expect(cm.counts.flat().reduce((a, b) => a + b, 0)).toBe(q.validationRows);
    // Stratified: each class keeps its share in the validation rows.
    const actualNo = cm.counts[2]!.reduce((a, b) => a + b, 0);
    expect(Math.abs(actualNo / q.validationRows - 41613 / 69570)).toBeLessThan(0.002);
    expect(q.featureImportance.reduce((a, f) => a + f.importance, 0)).toBeCloseTo(1, 9);
    expect(report.predictionPower!.map((p) => p.feature)).toHaveLength(15);
    for (const p of report.predictionPower!) expect(p.score).toBeGreaterThanOrEqual(0);
    expect(report.predictionPower!.every((p) => p.score < 0.5)).toBe(true);
    const a = report.anomalies!;
    expect(a).toMatchObject({ method: 'isolation_forest', sampled: true, scoredRows: 10000, threshold: 0.7 });
    expect(a.top).toHaveLength(10);
    expect(a.top.map((x) => x.score)).toEqual([...a.top.map((x) => x.score)].sort((x, y) => y - x));
    expect(Object.keys(a.top[0]!.row)).toHaveLength(16);
    expect(report.notes.join(' ')).toContain('random sample of 10000 rows');
  }, 120_000);

  it('planted anomalous rows come first and raise anomalous_samples; ordinary rows do not', async () => {
    const r = rng(31);
    const normal = () => Math.sqrt(-2 * Math.log(r() || 1e-9)) * Math.cos(2 * Math.PI * r());
    const rows: unknown[][] = [];
    for (let i = 0; i < 2000; i++) rows.push([i < 40 ? 100 + normal() : normal(), i < 40 ? -80 + normal() : normal(), i < 40 ? 'zzz' : ['a', 'b', 'c'][i % 3]]);
    const p = writeCsv(dir, 'anom.csv', ['u', 'v', 'c'], rows);
    await readTable(engine, p, { name: 'anom' });
    const report = await profileTable(engine, 'anom');
    const a = report.anomalies!;
    expect(a.sampled).toBe(false);
    for (const x of a.top) expect(x.row.c).toBe('zzz');
    expect(a.anomalousRows).toBeGreaterThanOrEqual(40);
    expect(report.warnings.find((w) => w.code === 'anomalous_samples')?.severity).toBe('medium');

    const clean: unknown[][] = [];
    for (let i = 0; i < 2000; i++) clean.push([normal(), normal(), ['a', 'b', 'c'][i % 3]]);
    await readTable(engine, writeCsv(dir, 'clean.csv', ['u', 'v', 'c'], clean), { name: 'clean' });
    const ok = await profileTable(engine, 'clean');
    expect(ok.warnings.filter((w) => w.code === 'anomalous_samples')).toEqual([]);
  }, 120_000);

  it('a leaked feature has prediction power near 1, noise near 0; a regression target gets R2', async () => {
    const r = rng(21);
    const rows: unknown[][] = [];
    for (let i = 0; i < 3000; i++) {
      const x = r() * 10;
      const y = 3 * x + r();
      rows.push([x, r(), y > 15 ? 'high' : 'low', y]);
    }
    const p = writeCsv(dir, 'leak.csv', ['x', 'noise', 'grade', 'y'], rows);
    await readTable(engine, p, { name: 'leak' });
    const report = await profileTable(engine, 'leak', { target: 'y' });
    expect(report.target!.problemType).toBe('regression');
    expect(report.quickModel!.metrics.r2).toBeGreaterThan(0.95);
    const pp = Object.fromEntries(report.predictionPower!.map((x) => [x.feature, x.score]));
    expect(pp.x).toBeGreaterThan(0.95);
    expect(pp.noise).toBeLessThan(0.05);
    expect(
      report.warnings
        .filter((w) => w.code === 'target_leakage')
        .map((w) => w.columns[0])
        .sort(),
    ).toEqual(['x']);

    const cls = await profileTable(engine, 'leak', { target: 'grade', plugins: {} });
    expect(cls.quickModel).toBeUndefined();
    expect(cls.notes.join(' ')).toContain('Not computed: quick model, prediction power');
  }, 120_000);
});

describe('prediction power runs while the correlations are computed', () => {
  it("a failing prediction power is the report's error, after the correlations finished; the engine stays usable", async () => {
    await engine.exec(
      "CREATE OR REPLACE TABLE overlap AS SELECT i % 7 AS a, (i * 13) % 11 AS b, CASE WHEN i % 3 = 0 THEN 'y' ELSE 'n' END AS label FROM range(500) t(i)",
    );
    const before = await engine.query<{ n: number }>('SELECT count(*) AS n FROM duckdb_views() WHERE NOT internal');
    const failed = await profileTable(engine, 'overlap', {
      target: 'label',
      plugins: {
        predictionPower: async () => {
          throw new Error('prediction power broke');
        },
      },
    }).catch((e: unknown) => e);
    expect((failed as Error).message).toBe('prediction power broke');
    // The profile's view was dropped (after the correlations' queries, not during them).
    expect(await engine.query('SELECT count(*) AS n FROM duckdb_views() WHERE NOT internal')).toEqual(before);
    // Anomalies, read by `prepareAnomalies`, run while the correlations do: the same rule.
    const anomaliesFailed = await profileTable(engine, 'overlap', {
      target: 'label',
      plugins: {
        prepareAnomalies: async () => {},
        anomalies: async () => {
          throw new Error('anomalies broke');
        },
      },
    }).catch((e: unknown) => e);
    expect((anomaliesFailed as Error).message).toBe('anomalies broke');
    expect(await engine.query('SELECT count(*) AS n FROM duckdb_views() WHERE NOT internal')).toEqual(before);
    const ok = await profileTable(engine, 'overlap', { target: 'label' });
    expect(ok.correlations.target.length).toBeGreaterThan(0);
    expect(ok.predictionPower?.map((f) => f.feature).sort()).toEqual(['a', 'b']);
  }, 120_000);
});
