import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { loadFixture } from './fixture.js';
import { firstFitted, fitSteps, python } from './steps-helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await loadFixture(engine);
  // b and c tie (2 each): the tie is broken by value, so b ranks before c
  await engine.exec(
    `CREATE TABLE cats AS SELECT * FROM (VALUES ('a', 1), ('a', 2), ('a', 3), ('c', 4), ('b', 5), ('c', 6), ('b', 7), ('d', 8), (NULL, 9)) t(color, n)`,
  );
  await engine.exec(`CREATE TABLE cats_new AS SELECT * FROM (VALUES ('a', 1), ('d', 2), ('zebra', 3), (NULL, 4)) t(color, n)`);
});
afterAll(() => engine.close());

type OneHotFitted = { columns: Record<string, { categories: string[]; seen?: string[] }> };

describe('one_hot', () => {
  it('learns the top k by frequency with ties broken by value, and encodes missing as all zeros', async () => {
    const r = await fitSteps(engine, 'cats', [{ kind: 'one_hot', columns: ['color'], top_k: 2, other: true, unseen: 'other' }]);
    expect(firstFitted<OneHotFitted>(r.fitted).columns.color!.categories).toEqual(['a', 'b']);
    expect(r.fitted.output.map((c) => `${c.name}:${c.type}`)).toEqual(['n:integer', 'color_a:integer', 'color_b:integer', 'color_other:integer']);
    expect(r.rows.map((x) => [x.color_a, x.color_b, x.color_other])).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
      [0, 0, 1],
      [0, 1, 0],
      [0, 0, 1],
      [0, 0, 0],
    ]);
  });

  it('unseen: other, missing and error on records and on batches', async () => {
    const records = [
      { color: 'a', n: 1 },
      { color: 'd', n: 2 },
      { color: 'zebra', n: 3 },
      { color: null, n: 4 },
    ];
    const asOther = await fitSteps(engine, 'cats', [{ kind: 'one_hot', columns: ['color'], top_k: 2, other: true, unseen: 'other' }]);
    expect(asOther.applyRecords(records).map((r) => r.ok && r.row.color_other)).toEqual([0, 1, 1, 0]);
    expect((await asOther.applySql('cats_new')).map((r) => r.color_other)).toEqual([0, 1, 1, 0]);

    // missing: "d" was seen (outside the top 2, so other); "zebra" was never seen, so all zeros
    const asMissing = await fitSteps(engine, 'cats', [{ kind: 'one_hot', columns: ['color'], top_k: 2, other: true, unseen: 'missing' }]);
    const rows = asMissing.applyRecords(records).map((r) => r.ok && [r.row.color_a, r.row.color_b, r.row.color_other]);
    expect(rows).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect((await asMissing.applySql('cats_new')).map((r) => [r.color_a, r.color_b, r.color_other])).toEqual(rows);

    const asError = await fitSteps(engine, 'cats', [{ kind: 'one_hot', columns: ['color'], top_k: 2, unseen: 'error' }]);
    const results = asError.applyRecords(records);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true]);
    const bad = results[2]!;
    if (bad.ok) throw new Error('expected an error');
    expect(bad.error.code).toBe('RECORD_UNSEEN_CATEGORY');
    expect(bad.error.location).toMatchObject({ record: 2, field: 'color' });
    expect(bad.error.message).toContain('record 2');
    expect(bad.error.message).toContain('"zebra"');
    await expect(asError.applySql('cats_new')).rejects.toThrow(/not seen when the flow was fitted: zebra/);
  });

  it('names the catch-all <col>__other when a category is called "other"', async () => {
    const r = await fitSteps(engine, 'fixture', [{ kind: 'one_hot', columns: ['race'], top_k: 5, other: true }]);
    const names = r.fitted.output.map((c) => c.name).filter((n) => n.startsWith('race_'));
    expect(names).toEqual(['race_caucasian', 'race_african_american', 'race_other', 'race_asian', 'race_hispanic', 'race__other']);
  });

  it('names columns uniquely and deterministically whatever the case or characters (issue 12, point 6)', async () => {
    // Other/other/OTHER differ only in case (DuckDB names compare without case); "a b" and "a_b"
    // are distinct; category "x" makes c_x, which is already another column's name.
    await engine.exec(`CREATE OR REPLACE TABLE clash AS SELECT * FROM (VALUES
      ('Other', 1), ('other', 2), ('OTHER', 3), ('a b', 4), ('a_b', 5), ('x', 6), ('Other', 7), ('zz', 8), (NULL, 9)) t(c, c_x)`);
    const steps = [{ kind: 'one_hot', columns: ['c'], top_k: 6, other: true, unseen: 'other' }];
    const r = await fitSteps(engine, 'clash', steps);
    const names = r.fitted.output.map((col) => col.name);
    expect(names).toEqual(['c_x', 'c_Other', 'c_OTHER_2', 'c_a b', 'c_a_b', 'c_other_3', 'c_x_2', 'c__other']);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    // the same names on a second fit, and the other column is untouched
    expect((await fitSteps(engine, 'clash', steps)).fitted.output.map((col) => col.name)).toEqual(names);
    expect(r.rows.map((row) => row.c_x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // each row has a 1 in its own category's column (zz is outside the top 6: the catch-all); missing is all zeros
    const hot = (row: Record<string, unknown>) => names.slice(1).filter((n) => row[n] === 1);
    const expected = [['c_Other'], ['c_other_3'], ['c_OTHER_2'], ['c_a b'], ['c_a_b'], ['c_x_2'], ['c_Other'], ['c__other'], []];
    expect(r.rows.map(hot)).toEqual(expected);
    // the record path and the SQL path agree
    const records = [
      { c: 'OTHER', c_x: 1 },
      { c: 'other', c_x: 2 },
      { c: 'a b', c_x: 3 },
      { c: 'x', c_x: 4 },
      { c: 'new', c_x: 5 },
    ];
    const byRecord = r.applyRecords(records).map((x) => (x.ok ? hot(x.row) : x.error.message));
    expect(byRecord).toEqual([['c_OTHER_2'], ['c_other_3'], ['c_a b'], ['c_x_2'], ['c__other']]);
    await engine.exec(`CREATE OR REPLACE TABLE clash_new AS SELECT * FROM (VALUES ('OTHER', 1), ('other', 2), ('a b', 3), ('x', 4), ('new', 5)) t(c, c_x)`);
    expect((await r.applySql('clash_new')).map(hot)).toEqual(byRecord);
  });

  it('encodes a float column by its values, as Data Wrangler; names as pandas get_dummies, on both paths', async () => {
    const xs = [1, 0.5, 1, 0.25, null, 1e-5, 2.5e-7, 1e16, 1, 0.5, 3];
    await engine.exec(
      `CREATE OR REPLACE TABLE floats AS SELECT * FROM (VALUES ${xs.map((x, i) => `(${x === null ? 'NULL' : x}::DOUBLE, ${i})`).join(', ')}) t(rate, n)`,
    );
    const r = await fitSteps(engine, 'floats', [{ kind: 'one_hot', columns: ['rate'] }]);
    const names = r.fitted.output.map((c) => c.name).filter((n) => n.startsWith('rate_'));
    // by frequency, ties by value
    expect(names).toEqual(['rate_1.0', 'rate_0.5', 'rate_2.5e-07', 'rate_1e-05', 'rate_0.25', 'rate_3.0', 'rate_1e+16']);
    const pandas = (await python(`
import json, pandas as pd
s = pd.Series(${JSON.stringify(xs).replace(/null/g, 'None')}, dtype='float64')
d = pd.get_dummies(s, prefix='rate').astype(int)
print(json.dumps({'names': list(d.columns), 'rows': d.to_dict('records')}))`)) as { names: string[]; rows: Array<Record<string, number>> };
    expect([...names].sort()).toEqual([...pandas.names].sort());
    const pick = (row: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(pandas.names.map((k) => [k, row[k]]));
    expect(r.rows.map(pick)).toEqual(pandas.rows);
    const records = await engine.query('SELECT * FROM floats');
    expect(r.applyRecords(records).map((x) => (x.ok ? pick(x.row) : x.error.message))).toEqual(pandas.rows);
    // a value not seen at fit time: all zeros (unseen: missing), on both paths
    expect(r.applyRecords([{ rate: 0.75, n: 0 }]).map((x) => x.ok && names.map((k) => x.row[k]))).toEqual([names.map(() => 0)]);
  });

  it('refuses a date column and unseen: other without other: true', async () => {
    await engine.exec(`CREATE OR REPLACE TABLE dated AS SELECT DATE '2024-01-02' AS d, 1 AS n`);
    const err = await fitSteps(engine, 'dated', [{ kind: 'one_hot', columns: ['d'] }]).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe('FLOW_TYPE');
    expect(String((err as Error).message)).toContain('encodes text, integer, float or boolean columns, but "d" is date');
    await expect(fitSteps(engine, 'cats', [{ kind: 'one_hot', columns: ['color'], unseen: 'other' }])).rejects.toThrow(/unseen: other needs other: true/);
  });
});

describe('ordinal_encode', () => {
  it('learns sorted categories (as scikit-learn OrdinalEncoder) and codes unseen values as -1', async () => {
    const r = await fitSteps(engine, 'cats', [{ kind: 'ordinal_encode', columns: ['color'] }]);
    expect(firstFitted<{ categories: Record<string, string[]> }>(r.fitted).categories.color).toEqual(['a', 'b', 'c', 'd']);
    expect(r.rows.map((x) => x.color)).toEqual([0, 0, 0, 2, 1, 2, 1, 3, null]);
    const records = [
      { color: 'a', n: 1 },
      { color: 'd', n: 2 },
      { color: 'zebra', n: 3 },
      { color: null, n: 4 },
    ];
    expect(r.applyRecords(records).map((x) => x.ok && x.row.color)).toEqual([0, 3, -1, null]);
    expect((await r.applySql('cats_new')).map((x) => x.color)).toEqual([0, 3, -1, null]);
  });

  it('follows an explicit order and stops on an unseen value with unseen: error', async () => {
    const r = await fitSteps(engine, 'cats', [{ kind: 'ordinal_encode', columns: ['color'], order: { color: ['d', 'c', 'b', 'a'] }, unseen: 'error' }]);
    expect(r.rows.map((x) => x.color)).toEqual([3, 3, 3, 1, 2, 1, 2, 0, null]);
    const [ok, bad] = r.applyRecords([
      { color: 'b', n: 1 },
      { color: 'zebra', n: 2 },
    ]);
    expect(ok).toEqual({ ok: true, row: { color: 2, n: 1 } });
    expect(bad!.ok).toBe(false);
    if (!bad!.ok) expect(bad!.error.location).toMatchObject({ record: 1, field: 'color' });
    // a value outside an explicit order fails the fit itself
    await expect(fitSteps(engine, 'cats', [{ kind: 'ordinal_encode', columns: ['color'], order: { color: ['a', 'b'] }, unseen: 'error' }])).rejects.toThrow(
      /not seen when the flow was fitted/,
    );
  });

  it('an all-missing column learns no category; one_hot and ordinal_encode still run', async () => {
    await engine.exec(`CREATE OR REPLACE TABLE empty AS SELECT NULL::VARCHAR AS color, 1 AS n`);
    const o = await fitSteps(engine, 'empty', [{ kind: 'ordinal_encode', columns: ['color'] }]);
    expect(o.rows).toEqual([{ color: null, n: 1 }]);
    expect(o.applyRecords([{ color: 'new', n: 1 }])[0]).toEqual({ ok: true, row: { color: -1, n: 1 } });
    const h = await fitSteps(engine, 'empty', [{ kind: 'one_hot', columns: ['color'], other: true, unseen: 'other' }]);
    expect(h.rows).toEqual([{ n: 1, color_other: 0 }]);
    expect(h.applyRecords([{ color: 'new', n: 1 }])[0]).toEqual({ ok: true, row: { n: 1, color_other: 1 } });
  });

  it('an explicit order of an integer column may be written as numbers', async () => {
    const r = await fitSteps(engine, 'cats', [{ kind: 'ordinal_encode', columns: ['n'], order: { n: [9, 8, 7] }, unseen: 'missing' }]);
    expect(r.rows.map((x) => x.n)).toEqual([null, null, null, null, null, null, 2, 1, 0]);
    expect(
      r
        .applyRecords([
          { color: 'a', n: 8 },
          { color: 'a', n: '9' },
        ])
        .map((x) => x.ok && x.row.n),
    ).toEqual([1, 0]);
  });
});

describe('one_hot names (issue 12)', () => {
  it('gives unique, deterministic names whatever the case and characters of the categories', async () => {
    await engine.exec(`CREATE OR REPLACE TABLE clash AS SELECT * FROM (VALUES
      ('Other', 1, 0), ('Other', 2, 0), ('Other', 3, 0), ('other', 4, 0), ('other', 5, 0), ('OTHER', 6, 0),
      ('a b', 7, 0), ('a b', 8, 0), ('a_b', 9, 0), ('x', 10, 0), (NULL, 11, 0)) t(c, n, c_x)`);
    const r = await fitSteps(engine, 'clash', [{ kind: 'one_hot', columns: ['c'], top_k: 10, other: true }]);
    const names = r.fitted.output.map((c) => c.name);
    // c_x is an existing column: the category "x" gets c_x_2; Other/other/OTHER differ only in case
    expect(names).toEqual(['n', 'c_x', 'c_Other', 'c_a b', 'c_other_2', 'c_OTHER_3', 'c_a_b', 'c_x_2', 'c__other']);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    expect(r.rows.map((x) => [x.c_Other, x.c_other_2, x.c_OTHER_3, x['c_a b'], x.c_a_b, x.c_x_2, x.c_x])).toEqual([
      [1, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0],
      [0, 1, 0, 0, 0, 0, 0],
      [0, 1, 0, 0, 0, 0, 0],
      [0, 0, 1, 0, 0, 0, 0],
      [0, 0, 0, 1, 0, 0, 0],
      [0, 0, 0, 1, 0, 0, 0],
      [0, 0, 0, 0, 1, 0, 0],
      [0, 0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0, 0],
    ]);
    // the record path names and fills them alike
    const rec = r.applyRecords([
      { c: 'OTHER', n: 1, c_x: 0 },
      { c: 'x', n: 2, c_x: 0 },
    ]);
    expect(rec.map((x) => x.ok && [x.row.c_OTHER_3, x.row.c_x_2])).toEqual([
      [1, 0],
      [0, 1],
    ]);
    // a second fit names them the same
    const again = await fitSteps(engine, 'clash', [{ kind: 'one_hot', columns: ['c'], top_k: 10, other: true }]);
    expect(again.fitted.output.map((c) => c.name)).toEqual(names);
  });
});
