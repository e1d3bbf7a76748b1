import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { loadFixture } from './fixture.js';
import { firstFitted, fitSteps } from './steps-helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await loadFixture(engine);
  await engine.exec(`CREATE TABLE texts AS SELECT * FROM (VALUES
    ('1', ' 2.5', 'yes', '2024-01-05', '2024-01-05 10:00', 'a', ''),
    ('-20', '3', 'No', '2023-12-31', '2024-02-29T23:59:59', 'b', NULL),
    (NULL, '1e3', 'T', NULL, '2024-03-01', '1', NULL),
    (' 7 ', '.5', NULL, '2020-02-29', NULL, '2', NULL)
  ) t(i, f, b, d, ts, s, empty)`);
});
afterAll(() => engine.close());

describe('infer_types', () => {
  it('learns the narrowest type of each text column and converts both paths alike', async () => {
    const r = await fitSteps(engine, 'texts', [{ kind: 'infer_types' }]);
    expect(firstFitted<{ types: Record<string, string> }>(r.fitted).types).toEqual({
      i: 'integer',
      f: 'float',
      b: 'boolean',
      d: 'date',
      ts: 'timestamp',
      s: 'string',
      empty: 'string',
    });
    expect(r.rows.map((x) => x.i)).toEqual([1, -20, null, 7]);
    expect(r.rows.map((x) => x.b)).toEqual([true, false, true, null]);
    const recs = r.applyRecords([{ i: '12', f: '-0.25', b: 'n', d: '2024-02-30', ts: '2024-01-05 10:00:30.5', s: 'x', empty: null }]);
    expect(recs[0]).toEqual({ ok: true, row: { i: 12, f: -0.25, b: false, d: null, ts: '2024-01-05 10:00:30.500', s: 'x', empty: null } });
    // the SQL path agrees on a value that does not convert (an impossible date)
    await engine.exec(
      `CREATE OR REPLACE TABLE texts2 AS SELECT '12' i, '-0.25' f, 'n' b, '2024-02-30' d, '2024-01-05 10:00:30.5' ts, 'x' s, NULL::VARCHAR empty`,
    );
    const sql = await r.applySql('texts2');
    expect(sql[0]).toMatchObject({ i: 12, f: -0.25, b: false, d: null, s: 'x' });
    expect((sql[0]!.ts as Date).toISOString()).toBe('2024-01-05T10:00:30.500Z');
  });

  it('a value that does not convert at apply time becomes missing on records', async () => {
    const r = await fitSteps(engine, 'texts', [{ kind: 'infer_types', columns: ['i'] }]);
    expect(r.applyRecords([{ i: 'seven', f: '1', b: 'y', d: null, ts: null, s: 'a', empty: null }])[0]).toMatchObject({ ok: true, row: { i: null, f: '1' } });
  });

  it('leaves a listed column that already has a type as it is (imported flows list every column)', async () => {
    const r = await fitSteps(engine, 'fixture', [{ kind: 'infer_types', columns: ['age', 'race', 'admit_date'] }]);
    expect(firstFitted<{ types: Record<string, string> }>(r.fitted).types).toEqual({ race: 'string' });
    expect(r.fitted.output).toEqual(r.fitted.input);
  });

  it('names a listed column that does not exist', async () => {
    const err = await fitSteps(engine, 'fixture', [{ kind: 'infer_types', columns: ['agee'] }]).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe('FLOW_MISSING_COLUMN');
    expect(isSluiceError(err) && err.hint).toContain('did you mean "age"');
  });
});

describe('infer_types conversions agree between DuckDB and records on tricky text', () => {
  const cases: Record<string, string[]> = {
    integer: ['+5', '007', '-0', ' 42 ', '123456789012345', '1.0', '1e3', '0x10', '', 'five'],
    float: ['+.5', '5.', '-1.25e-3', '1E+2', '.', 'e5', '1e', 'NaN', 'inf', ' 3 '],
    boolean: ['TRUE', 'f', 'Yes', 'N', 'on', '1', 'tru'],
    date: ['2024-02-29', '2023-02-29', '2024-13-01', '0999-12-31', '0050-06-01', '2024-1-5', '2024-01-05 10:00'],
    timestamp: ['2024-01-05 10:00', '2024-01-05T23:59:59.123', '2024-01-05 24:00', '2024-01-05 10:60', '2024-01-05', '2024-01-05 10:00:00.5'],
  };
  for (const [type, values] of Object.entries(cases)) {
    it(type, async () => {
      // fit on a clean column of the type, then apply to the tricky values on both paths
      const clean = { integer: '1', float: '1.5', boolean: 'true', date: '2024-01-01', timestamp: '2024-01-01 10:00' }[type]!;
      await engine.exec(`CREATE OR REPLACE TABLE one AS SELECT '${clean}' AS v`);
      await engine.exec(`CREATE OR REPLACE TABLE tricky AS SELECT unnest([${values.map((v) => `'${v}'`).join(', ')}]) AS v`);
      const r = await fitSteps(engine, 'one', [{ kind: 'infer_types' }]);
      expect(r.fitted.output[0]!.type).toBe(type);
      const sql = (await r.applySql('tricky')).map((x) =>
        x.v instanceof Date ? (type === 'date' ? x.v.toISOString().slice(0, 10) : x.v.toISOString().replace('T', ' ').replace('Z', '')) : x.v,
      );
      const rec = r.applyRecords(values.map((v) => ({ v }))).map((x) => (x.ok ? x.row.v : x.error.message));
      expect(rec).toEqual(sql);
    });
  }
});
