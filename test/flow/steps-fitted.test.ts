import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { compileRecordTransform } from '../../src/flow/compileRecordTransform.js';
import { parseFittedFlow } from '../../src/flow/fittedFlow.js';
import { planSql } from '../../src/flow/planSql.js';
import { loadFixture } from './fixture.js';
import { fitSteps } from './steps-helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await loadFixture(engine);
});
afterAll(() => engine.close());

/** A flow of the new fitting steps, chained, as a user would write them. */
const STEPS = [
  { kind: 'infer_types' },
  { kind: 'missing_indicator', columns: ['time_in_hospital', 'num_medications'] },
  { kind: 'impute', columns: ['time_in_hospital', 'num_medications'], strategy: 'median' },
  { kind: 'clip_outliers', columns: ['num_lab_procedures', 'lab_score'], method: 'quantile' },
  { kind: 'scale', columns: ['num_lab_procedures', 'num_medications', 'lab_score'], method: 'standard' },
  { kind: 'bin', column: 'age', method: 'quantile', bins: 4 },
  { kind: 'trim', columns: ['complaint'] },
  { kind: 'change_case', columns: ['complaint'], to: 'lower' },
  { kind: 'regex_extract', column: 'complaint', pattern: '^(\\w+)', output: 'first_word' },
  { kind: 'one_hot', columns: ['race', 'gender'], top_k: 3, other: true, unseen: 'other' },
  { kind: 'ordinal_encode', columns: ['max_glu_serum', 'a1c_result'] },
  { kind: 'datetime_features', column: 'admitted_at', features: ['month', 'day_of_week', 'hour'], drop_original: true },
  { kind: 'split', seed: 5, stratify_by: 'readmitted' },
  { kind: 'move_column', columns: ['split'], to: 'start' },
];

describe('a chain of the new steps, fitted and saved as JSON', () => {
  it('re-applies to the same batch with the same result, and records agree with serve-mode SQL', async () => {
    const r = await fitSteps(engine, 'fixture', STEPS);
    const saved = parseFittedFlow(JSON.stringify(r.fitted));
    const columns = await engine.describe('fixture');
    expect(await engine.query(planSql(saved, 'fixture', columns, 'train'))).toEqual(r.rows);

    const served = await engine.query(planSql(saved, 'fixture', columns, 'serve'));
    const records = await engine.query('SELECT * EXCLUDE (readmitted) FROM fixture');
    const results = compileRecordTransform(saved)(records);
    // records carry dates as YYYY-MM-DD text (admit_date is the one date column left)
    const round = (v: unknown) =>
      v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v;
    results.forEach((res, i) => {
      if (!res.ok) throw res.error;
      const want = Object.fromEntries(Object.entries(served[i]!).map(([k, v]) => [k, round(v)]));
      expect(Object.fromEntries(Object.entries(res.row).map(([k, v]) => [k, round(v)])), `row ${i}`).toEqual(want);
    });
    expect(served[0]).toHaveProperty('split', null);
    expect(Object.keys(r.rows[0]!)[0]).toBe('split');
  });
});
