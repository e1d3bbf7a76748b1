import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { DEFAULT_PLUGINS } from '../../src/profile/model/defaultPlugins.js';
import { profileTable, type ProfileOptions } from '../../src/profile/profileTable.js';
import type { Report } from '../../src/profile/reportSchema.js';
import { reportSchema } from '../../src/profile/reportSchema.js';
import { rng, tempDir, writeCsv } from './helpers.js';

let engine: Engine;
const dir = tempDir();
let n = 0;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

/**
 * The default model sections but the quick model: no warning rule reads the quick model
 * (src/profile/warnings: only prediction power and the anomalies), and it is most of a report's
 * CPU (a 60-class target trains 60 trees a round). The clashing-names test keeps every section.
 */
const { prepare, prepareAnomalies, predictionPower, anomalies } = DEFAULT_PLUGINS;
const WARNING_PLUGINS = { prepare, prepareAnomalies, predictionPower, anomalies };

/** Writes the rows as CSV, reads them like a user's file, and profiles them (without the quick model unless `options.plugins` says). */
async function profile(header: string[], rows: unknown[][], options: ProfileOptions = {}): Promise<Report> {
  n += 1;
  const p = writeCsv(dir, `d${n}.csv`, header, rows);
  await readTable(engine, p, { name: `d${n}` });
  const report = await profileTable(engine, `d${n}`, { plugins: WARNING_PLUGINS, ...options });
  reportSchema.parse(report);
  return report;
}

const codes = (r: Report) => new Set(r.warnings.map((w) => w.code));
const of = (r: Report, code: string) => r.warnings.filter((w) => w.code === code);

/** A clean data set: roughly normal numbers, a few balanced categories, a balanced binary target. */
function cleanRows(count: number, seed: number, shift = 0): unknown[][] {
  const r = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(r() || 1e-9)) * Math.cos(2 * Math.PI * r());
  const rows: unknown[][] = [];
  for (let i = 0; i < count; i++) {
    const a = Math.round((50 + 10 * normal() + shift) * 100) / 100;
    const b = Math.round((5 + 2 * normal() + shift / 5) * 1000) / 1000;
    const color = ['red', 'green', 'blue'][Math.floor(r() * 3)];
    const size = shift > 0 ? ['L', 'XL'][Math.floor(r() * 2)] : ['S', 'M', 'L'][Math.floor(r() * 3)];
    const label = a + 5 * normal() > 50 ? 'yes' : 'no';
    rows.push([a, b, color, size, label]);
  }
  return rows;
}
const CLEAN = ['a', 'b', 'color', 'size', 'label'];

describe('warnings on planted problems', () => {
  it('a clean data set raises no high warning (and no medium one)', async () => {
    const report = await profile(CLEAN, cleanRows(2000, 1), { target: 'label' });
    expect(report.warnings.filter((w) => w.severity !== 'low')).toEqual([]);
  });

  it('a leaked target, a constant column, an id column and duplicates', async () => {
    const rows = cleanRows(1500, 2).map((row, i) => [i + 1000, ...row, row[4] === 'yes' ? 1 + i / 1e6 : 0, 'same']);
    rows.push([...rows[3]!], [...rows[3]!], [...rows[7]!]);
    const report = await profile(['patient_id', ...CLEAN, 'outcome_code', 'site'], rows, { target: 'label' });
    const leak = of(report, 'target_leakage');
    expect(leak.map((w) => w.columns)).toEqual([['outcome_code']]);
    expect(leak[0]!.severity).toBe('high');
    expect(leak[0]!.fix.step).toBe('drop_columns');
    expect(of(report, 'constant_column').map((w) => w.columns)).toEqual([['site']]);
    expect(of(report, 'id_column').map((w) => w.columns[0])).toContain('patient_id');
    const dup = of(report, 'duplicate_rows')[0]!;
    expect(dup.message).toMatch(/^3 rows/);
    expect(dup.fix.step).toBe('drop_duplicates');
    expect(report.duplicates.top[0]).toMatchObject({ count: 3 });
  });

  it('disguised missing values ?, NAN and missing, mixed types and real missing values', async () => {
    // NaN, n/a, NA... are pandas' missing tokens: real missing values when read (src/core/missing.ts);
    // ?, NAN and missing are not, so the report points them out as disguised
    const rows = cleanRows(1000, 3).map((row, i) => {
      const token = i % 10 === 0 ? '?' : i % 10 === 1 ? 'NAN' : i % 10 === 2 ? 'missing' : null;
      const weight = i % 25 === 0 ? '?' : String(60 + (i % 40));
      return [...row.slice(0, 2), token ?? row[2], row[3], weight, i % 4 === 0 ? null : i % 7, row[4]];
    });
    const report = await profile(['a', 'b', 'color', 'size', 'weight', 'visits', 'label'], rows, { target: 'label' });
    const dm = of(report, 'disguised_missing_values');
    expect(dm.map((w) => w.columns[0]).sort()).toEqual(['color', 'weight']);
    const color = dm.find((w) => w.columns[0] === 'color')!;
    expect(color.message).toContain('"?"');
    expect(color.message).toContain('"NAN"');
    expect(color.message).toContain('"missing"');
    expect(color.fix.step).toBe('replace_missing_tokens');
    expect(report.columns.find((c) => c.name === 'color')!.disguisedMissing).toBe(300);
    expect(of(report, 'mixed_types').map((w) => w.columns)).toEqual([['weight']]);
    const miss = of(report, 'missing_values');
    expect(miss.map((w) => [w.columns[0], w.severity])).toEqual([['visits', 'medium']]);
    expect(miss[0]!.fix.step).toBe('impute');
  });

  it('a drifted batch raises drift: high for the data set and for each strongly drifted column', async () => {
    const base = writeCsv(dir, 'base.csv', CLEAN, cleanRows(2000, 4));
    await readTable(engine, base, { name: 'baseline' });
    const same = await profile(CLEAN, cleanRows(2000, 5), { target: 'label', baseline: 'baseline' });
    expect(same.drift!.verdict).toBe('no_drift');
    expect(of(same, 'drift')).toEqual([]);
    const drifted = await profile(CLEAN, cleanRows(2000, 6, 15), { target: 'label', baseline: 'baseline' });
    expect(drifted.drift!.verdict).toBe('drift');
    expect(drifted.drift!.driftedColumns).toEqual(expect.arrayContaining(['a', 'b', 'size']));
    const size = drifted.drift!.columns.find((c) => c.name === 'size')!;
    expect(size.newCategories).toEqual(['XL']);
    expect([...size.vanishedCategories!].sort()).toEqual(['M', 'S']);
    const high = of(drifted, 'drift').filter((w) => w.severity === 'high');
    // The data-set warning (3 of 4 columns) first, then one per strongly drifted column, named.
    expect(high[0]!.message).toMatch(/^\d of \d+ columns .* drifted from the baseline: /);
    expect(
      high
        .slice(1)
        .map((w) => w.columns[0])
        .sort(),
    ).toEqual([...drifted.drift!.strongColumns!].sort());
    expect(drifted.drift!.strongColumns).toEqual(expect.arrayContaining(['a', 'size']));
  });

  it('target problems: imbalance, rare labels, too few instances, too many classes', async () => {
    const r = rng(8);
    const rows: unknown[][] = [];
    for (let i = 0; i < 3000; i++) rows.push([r(), i < 2700 ? 'common' : i < 2995 ? 'uncommon' : 'tiny']);
    const report = await profile(['x', 'y'], rows, { target: 'y' });
    expect(codes(report)).toEqual(new Set(['class_imbalance', 'rare_target_label', 'too_few_instances_per_class']));
    expect(of(report, 'too_few_instances_per_class')[0]!.severity).toBe('high');
    expect(report.target!.imbalanceRatio).toBe(2700 / 5);

    const many: unknown[][] = [];
    for (let i = 0; i < 3000; i++) many.push([r(), `c${i % 60}`]);
    const r2 = await profile(['x', 'y'], many, { target: 'y' });
    expect(codes(r2).has('too_many_classes')).toBe(true);
  });

  it('column problems: high cardinality, near constant, skewed, outliers, high correlation', async () => {
    const r = rng(9);
    const rows: unknown[][] = [];
    for (let i = 0; i < 3000; i++) {
      const x = r() * 10;
      rows.push([
        `city${Math.floor(r() * 200)}`,
        i < 2990 ? 'A' : 'B',
        Math.round(Math.exp(r() * r() * 12)),
        r() < 0.1 ? 1000 + r() : r(),
        x,
        2 * x + r() * 0.01,
        r() < 0.5 ? 'p' : 'q',
      ]);
    }
    const report = await profile(['city', 'flag', 'income', 'sensor', 'x', 'x2', 'label'], rows, { target: 'label' });
    const cols = (code: string) => of(report, code).map((w) => w.columns.join('+'));
    expect(cols('high_cardinality')).toEqual(['city']);
    expect(cols('near_constant_column')).toEqual(['flag']);
    expect(cols('skewed')).toContain('income');
    expect(cols('outliers')).toContain('sensor');
    expect(cols('high_correlation')).toEqual(['x+x2']);
    expect(report.warnings.filter((w) => w.severity === 'high')).toEqual([]);
  });

  it('thresholds are configurable and recorded in the report', async () => {
    const rows = cleanRows(500, 10);
    const report = await profile(CLEAN, rows, { target: 'label', thresholds: { skewAbs: 0, outlierShare: 0 } });
    expect(of(report, 'skewed').length).toBeGreaterThan(0);
    expect(report.thresholds.skewAbs).toBe(0);
  });
});

describe('bad input never crashes', () => {
  it('a target that does not exist is a SluiceError naming the columns', async () => {
    const e = await profile(CLEAN, cleanRows(50, 11), { target: 'Label' }).catch((x) => x);
    expect(e).toBeInstanceOf(SluiceError);
    expect((e as SluiceError).code).toBe('TARGET_NOT_FOUND');
    expect((e as SluiceError).hint).toContain('"label"');
  });

  it('a single-class target is a high warning, not a crash', async () => {
    const rows = cleanRows(100, 12).map((row) => [...row.slice(0, 4), 'yes']);
    const report = await profile(CLEAN, rows, { target: 'label' });
    expect(of(report, 'single_class_target')[0]!.severity).toBe('high');
    expect(report.target!.classCount).toBe(1);
  });

  it('an all-missing column is one high empty_column warning', async () => {
    const rows = cleanRows(100, 13).map((row) => [...row, null]);
    const report = await profile([...CLEAN, 'empty'], rows, { target: 'label' });
    const about = report.warnings.filter((w) => w.columns.includes('empty'));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatchObject({ code: 'empty_column', severity: 'high', columns: ['empty'] });
    expect(about[0]!.fix.step).toBe('drop_columns');
  });

  it('a data set of one row profiles with empty statistics and a note', async () => {
    const report = await profile(CLEAN, cleanRows(1, 14), { target: 'label' });
    expect(report.dataset.rows).toBe(1);
    expect(report.columns.find((c) => c.name === 'a')!.std).toBeNull();
    expect(report.notes.join(' ')).toContain('single row');
    expect(of(report, 'single_class_target')).toHaveLength(1);
  });

  it('column names that clash with the names of our own SQL work everywhere', async () => {
    const names = ['x', 's', 'n', 'v', 'i', 'k', 'a', 'b', 'j', 'm', 'd', 'nn', 'rk', 'o', 'y', 'g', 'w', 'b0', 'one', '__n'];
    const r = rng(40);
    const rows: unknown[][] = [];
    for (let i = 0; i < 300; i++)
      rows.push(
        names.map((_, c) => (c % 3 === 0 ? (r() < 0.1 ? null : Math.floor(r() * 10)) : c % 3 === 1 ? r() * 100 : ['p', 'q', 'r'][Math.floor(r() * 3)])),
      );
    const p = writeCsv(dir, 'clash.csv', names, rows);
    await readTable(engine, p, { name: 'clash_base' });
    const report = await profile(names, rows, {
      target: 'n',
      baseline: 'clash_base',
      bias: { facet: 'k', facetValue: 'p', labelValue: 'q' },
      plugins: DEFAULT_PLUGINS,
    });
    expect(report.columns.map((c) => c.name)).toEqual(names);
    expect(report.correlations.numeric.columns.length).toBeGreaterThan(5);
    expect(report.drift!.verdict).toBe('no_drift');
    expect(report.quickModel).toBeDefined();
    expect(report.anomalies).toBeDefined();
  });

  it('NaN in a float column counts as missing, as in pandas', async () => {
    await engine.exec(`CREATE OR REPLACE TABLE nanny AS SELECT * FROM (VALUES (1.0::DOUBLE), ('NaN'::DOUBLE), (3.0), (NULL)) t(x)`);
    const report = await profileTable(engine, 'nanny');
    expect(report.columns[0]).toMatchObject({ missing: 2, distinct: 2, mean: 2 });
  });
});
