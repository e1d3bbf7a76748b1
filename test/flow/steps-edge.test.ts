import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { fitSteps } from './steps-helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  // every value missing, and the same columns with no rows at all
  await engine.exec(
    `CREATE TABLE nulls AS SELECT NULL::BIGINT AS i, NULL::DOUBLE AS x, NULL::VARCHAR AS s, NULL::TIMESTAMP AS t, NULL::VARCHAR AS y FROM range(3)`,
  );
  await engine.exec(`CREATE TABLE nothing AS SELECT * FROM nulls LIMIT 0`);
});
afterAll(() => engine.close());

const STEPS: Array<Record<string, unknown>> = [
  { kind: 'infer_types', columns: ['s'] },
  { kind: 'one_hot', columns: ['y'], other: true, unseen: 'other' },
  { kind: 'ordinal_encode', columns: ['s'] },
  { kind: 'scale', columns: ['i', 'x'], method: 'robust' },
  { kind: 'scale', columns: ['i', 'x'], method: 'minmax' },
  { kind: 'clip_outliers', columns: ['i', 'x'], method: 'stdev' },
  { kind: 'clip_outliers', columns: ['x'], method: 'quantile' },
  { kind: 'bin', column: 'x', method: 'quantile' },
  { kind: 'bin', column: 'i', labels: 'range' },
  { kind: 'missing_indicator', columns: ['t'] },
  { kind: 'datetime_features', column: 't' },
  { kind: 'split', stratify_by: 'y' },
  { kind: 'sample', fraction: 0.5 },
  { kind: 'drop_duplicates' },
  { kind: 'sort', by: ['x'] },
];

describe('steps on columns with no values do not fail', () => {
  for (const table of ['nulls', 'nothing']) {
    for (const step of STEPS) {
      it(`${table}: ${JSON.stringify(step)}`, async () => {
        const r = await fitSteps(engine, table, [step]);
        expect(r.rows.length).toBeLessThanOrEqual(3);
        const recs = r.applyRecords([
          { i: null, x: null, s: null, t: null, y: null },
          { i: 4, x: 2.5, s: 'a', t: '2024-05-04 10:00:00', y: 'b' },
        ]);
        recs.forEach((x) => {
          if (!x.ok) throw x.error;
        });
      });
    }
  }
});
