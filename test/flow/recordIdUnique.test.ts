import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { fitSteps } from './steps-helpers.js';

/**
 * Record ids are deterministic and unique per row (issue 12, point 4): identical rows get
 * different ids (the occurrence number joins the hash), a re-run on the same data gives the
 * same ids (ingestion stays idempotent), the target is hashed too, and a single record at
 * prediction time gets its first occurrence's id.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  // rows 1, 2 and 4 are identical; row 3 differs from them only by the target
  await engine.exec(
    `CREATE TABLE twins AS SELECT * FROM (VALUES (30, 'a', 'no'), (30, 'a', 'no'), (30, 'a', 'yes'), (30, 'a', 'no'), (40, 'b', 'no')) t(age, color, label)`,
  );
});
afterAll(() => engine.close());

describe('record_id (method hash)', () => {
  it('gives every row its own id, the same on every run, and the first occurrence at prediction', async () => {
    const steps = [{ kind: 'record_id', output: 'rid' }];
    const a = await fitSteps(engine, 'twins', steps, 'label');
    const ids = a.rows.map((r) => r.rid as string);
    expect(new Set(ids).size).toBe(5);
    const again = await fitSteps(engine, 'twins', steps, 'label');
    expect(again.rows.map((r) => r.rid)).toEqual(ids);
    // A record at prediction time has no target: with the features hashed, a record gets the id
    // of the first of the rows equal to it, and exactly one row of the batch has that id.
    const features = await fitSteps(engine, 'twins', [{ kind: 'record_id', output: 'rid', columns: ['age', 'color'] }], 'label');
    const fIds = features.rows.map((r) => r.rid as string);
    expect(new Set(fIds).size).toBe(5);
    const [one] = features.applyRecords([{ age: 30, color: 'a' }]);
    const rid = one!.ok ? one!.row.rid : undefined;
    expect(fIds.filter((id) => id === rid)).toHaveLength(1);
  });
});
