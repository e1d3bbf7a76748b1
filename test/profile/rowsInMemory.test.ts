import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { quoteIdent } from '../../src/engine/sql.js';
import { computeColumnStats } from '../../src/profile/columnStats.js';
import { completePairCorrelations, completePairCorrelationsOf } from '../../src/profile/completePairCorrelations.js';
import { computeCorrelations, contingencyTables } from '../../src/profile/correlations.js';
import { frameRows } from '../../src/profile/model/frameRows.js';
import { modelDataFromView } from '../../src/profile/model/modelDataFromView.js';
import { createProfileView } from '../../src/profile/profileView.js';
import { codesOfValues, contingencyOfCodes } from '../../src/profile/rowsInMemory.js';
import type { Correlations } from '../../src/profile/reportSchema.js';
import { cramersV } from '../../src/profile/stats.js';
import { computeTarget, inferProblemType, requireTarget } from '../../src/profile/targetStats.js';
import { resolveThresholds } from '../../src/profile/thresholds.js';
import { DIABETES, rng, tempDir, writeCsv } from './helpers.js';

let engine: Engine;
const dir = tempDir();
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

/** A table's columns as DOUBLE arrays, in its order. */
async function doubles(table: string, cols: string[]): Promise<Float64Array[]> {
  return (await engine.readColumns(
    `SELECT ${cols.map((c) => `${quoteIdent(c)}::DOUBLE`).join(', ')} FROM ${table}`,
    cols.map(() => 'double' as const),
  )) as Float64Array[];
}

/**
 * The associations with the target: queried on both sides (the rows in memory do not change
 * them), DuckDB's parallel aggregates, which may differ in the last digits between two runs.
 */
function expectSameTarget(got: Correlations['target'], want: Correlations['target']): void {
  expect(got.map(({ value, ...rest }) => rest)).toEqual(want.map(({ value, ...rest }) => rest));
  got.forEach((a, i) => {
    const w = want[i]!.value;
    if (w === null) expect(a.value).toBeNull();
    else expect(Math.abs(a.value! - w)).toBeLessThanOrEqual(1e-12 * Math.abs(w));
  });
}

/** The profile of a CSV as the report makes it, up to the model frame and the rows it holds. */
async function profiled(path: string, name: string, targetColumn: string) {
  await readTable(engine, path, { name });
  const t = resolveThresholds();
  const { view, schema } = await createProfileView(engine, name);
  const rows = await engine.count(view);
  const columns = await computeColumnStats(engine, view, schema, rows, t);
  const col = requireTarget(columns, targetColumn);
  const target = await computeTarget(engine, view, col, inferProblemType(col, undefined, t));
  const data = await modelDataFromView(engine, view, columns, target, 100_000, true);
  return { view, rows, columns, target, t, data, inMemory: frameRows(data, target, columns) };
}

describe('the correlations from rows in memory', () => {
  it('complete pairs: the same sums as the SQL pass, to the last bit (several chunks, integers, floats, -0)', async () => {
    const r = rng(8);
    const n = 9_000;
    await engine.exec('CREATE TABLE m (a DOUBLE, b DOUBLE, c DOUBLE, d DOUBLE)');
    const rows = Array.from({ length: n }, (_, i) => [
      Math.floor(r() * 30) - 10,
      Math.round(r() * 1e6) / 64,
      i % 7 === 0 ? '-0.0' : Math.floor(r() * 5),
      r() * 1e9 - 5e8,
    ]);
    await engine.exec(`INSERT INTO m VALUES ${rows.map((x) => `(${x.join(', ')})`).join(', ')}`);
    const pairs = [
      { i: 0, j: 1 },
      { i: 0, j: 2 },
      { i: 1, j: 3 },
      { i: 2, j: 3 },
    ];
    const sql = await completePairCorrelations(engine, 'm', ['a', 'b', 'c', 'd'], pairs);
    const mem = await completePairCorrelationsOf(await doubles('m', ['a', 'b', 'c', 'd']), pairs);
    expect(mem).toEqual(sql);
    expect(sql![0]!.p).not.toBe(0);
    // NaN or an infinity: left to the caller, as the SQL pass does.
    expect(await completePairCorrelationsOf([Float64Array.from([1, 2, NaN]), Float64Array.from([1, 2, 3])], [{ i: 0, j: 1 }])).toBeUndefined();
    expect(await completePairCorrelationsOf([Float64Array.from([1, 2, Infinity]), Float64Array.from([1, 2, 3])], [{ i: 0, j: 1 }])).toBeUndefined();
  });

  it('contingency tables: the counts of the SQL grouping (missing values left out), Cramér\u2019s V within the last bit', async () => {
    const r = rng(9);
    const n = 5_000;
    const xs = Array.from({ length: n }, () => (r() < 0.05 ? null : ['p', 'q', 'r', 's'][Math.floor(r() * 4)]!));
    const ys = Array.from({ length: n }, (_, i) => (r() < 0.03 ? null : (xs[i] === 'p' ? 1 : 0) + Math.floor(r() * 3)));
    await engine.exec('CREATE TABLE ct (x VARCHAR, y BIGINT)');
    await engine.exec(`INSERT INTO ct VALUES ${xs.map((x, i) => `(${x === null ? 'NULL' : `'${x}'`}, ${ys[i] ?? 'NULL'})`).join(', ')}`);
    const [sql] = await contingencyTables(engine, 'ct', [['x', 'y']]);
    const xCodes = Int32Array.from(xs, (x) => (x === null ? -1 : ['s', 'r', 'q', 'p'].indexOf(x)));
    const [mem] = contingencyOfCodes([[xCodes, codesOfValues(Float64Array.from(ys, (y) => y ?? Number.NaN))]]);
    const cells = (t: number[][]) => t.flat().sort((a, b) => a - b);
    expect(cells(mem!)).toEqual(cells(sql!));
    expect(cells(mem!).reduce((a, b) => a + b, 0)).toBe(xs.filter((x, i) => x !== null && ys[i] !== null).length);
    expect(Math.abs(cramersV(mem!)! - cramersV(sql!)!)).toBeLessThanOrEqual(2 ** -52 * cramersV(sql!)!);
  });

  it('the diabetes report\u2019s correlations: the same from the model frame as from the queries', async () => {
    const p = await profiled(DIABETES, 'diabetes', 'readmitted');
    expect(p.inMemory).toBeDefined();
    const sql = await computeCorrelations(engine, p.view, p.columns, p.target, p.t);
    const mem = await computeCorrelations(engine, p.view, p.columns, p.target, p.t, [], p.inMemory);
    expect(mem.numeric).toEqual(sql.numeric);
    expectSameTarget(mem.target, sql.target);
    expect(mem.categorical.columns).toEqual(sql.categorical.columns);
    mem.categorical.cramersV.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(Math.abs(v! - sql.categorical.cramersV[i]![j]!)).toBeLessThanOrEqual(2 ** -52);
      });
    });
  }, 60_000);

  it('mixed columns: missing numbers (the SQL pairs), an integer class target, binary and text categories', async () => {
    const r = rng(10);
    const rows: unknown[][] = [];
    for (let i = 0; i < 3_000; i++) {
      const a = Math.floor(r() * 50);
      rows.push([
        a,
        r() < 0.1 ? '' : Math.round(r() * 1000) / 10,
        r() * 3 - a / 10,
        ['u', 'v', 'w', ''][Math.floor(r() * 4)],
        Math.floor(r() * 2),
        a > 25 ? 1 : 0,
      ]);
    }
    const path = writeCsv(dir, 'mixed.csv', ['a', 'b', 'c', 'g', 'flag', 'y'], rows);
    const p = await profiled(path, 'mixed', 'y');
    expect(p.inMemory).toBeDefined();
    // The integer class target is held as numbers too (its labels are its decimal text).
    expect(Array.from(p.inMemory!.numeric('y')!.subarray(0, 50))).toEqual(rows.slice(0, 50).map((x) => x[5]));
    const sql = await computeCorrelations(engine, p.view, p.columns, p.target, p.t);
    const mem = await computeCorrelations(engine, p.view, p.columns, p.target, p.t, [], p.inMemory);
    expect(mem.numeric.columns).toEqual(['a', 'b', 'c', 'flag', 'y']);
    // Pairs of complete columns are summed from memory: the same bits. Pairs with b (missing
    // values) are DuckDB's on both sides, whose parallel sums may differ in the last digits.
    for (const m of ['pearson', 'spearman'] as const)
      mem.numeric[m].forEach((row, i) => {
        row.forEach((v, j) => {
          const want = sql.numeric[m][i]![j]!;
          if (i === 1 || j === 1) expect(Math.abs(v! - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));
          else expect(v).toBe(want);
        });
      });
    expectSameTarget(mem.target, sql.target);
    mem.categorical.cramersV.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(Math.abs(v! - sql.categorical.cramersV[i]![j]!)).toBeLessThanOrEqual(2 ** -52);
      });
    });
  }, 60_000);

  it('are not offered when the frame does not hold every row: a missing target, a sample', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => [i % 13, i % 5 === 0 ? '' : ['a', 'b'][i % 2]]);
    const path = writeCsv(dir, 'gaps.csv', ['x', 't'], rows);
    const p = await profiled(path, 'gaps', 't');
    expect(p.target.missing).toBe(40);
    expect(p.inMemory).toBeUndefined();
    const whole = await profiled(DIABETES, 'diabetes2', 'readmitted');
    const sampled = await modelDataFromView(engine, whole.view, whole.columns, whole.target, 1_000, true);
    expect(sampled.sampled).toBe(true);
    expect(frameRows(sampled, whole.target, whole.columns)).toBeUndefined();
  }, 60_000);
});
