import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { computeColumnStats, FREQUENCY_TABLE_MAX } from '../../src/profile/columnStats.js';
import { createJointCounts, wantsJointCounts } from '../../src/profile/jointCounts.js';
import { createProfileView } from '../../src/profile/profileView.js';
import { addTargetBreakdown } from '../../src/profile/targetBreakdown.js';
import { computeTarget, inferProblemType, requireTarget } from '../../src/profile/targetStats.js';
import { resolveThresholds } from '../../src/profile/thresholds.js';
import { DIABETES } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await readTable(engine, DIABETES, { name: 'diabetes' });
  // Every kind of column the two parts treat apart: a numeric one with more distinct values than
  // the frequency tables hold (binned for the breakdown), a string one with missing values, a
  // boolean, and a class target with missing values.
  await engine.exec(`CREATE TABLE mixed AS SELECT (i * 7919 % 10007)::DOUBLE / 3 AS wide, i % 5 AS small,
    CASE WHEN i % 11 = 0 THEN NULL ELSE chr((65 + i % 4)::INTEGER) END AS word, i % 3 = 0 AS flag,
    CASE WHEN i % 13 = 0 THEN NULL ELSE ['no', 'yes', 'maybe'][1 + (i * i) % 3] END AS y,
    (i % 9)::DOUBLE AS num_target, i::DOUBLE AS wide_target
    FROM range(20000) r(i)`);
});
afterAll(() => engine.close());

async function both(relation: string, targetName: string) {
  const t = resolveThresholds();
  const { view, schema } = await createProfileView(engine, relation);
  const rows = await engine.count(view);
  const joint = await createJointCounts(engine, view, schema, targetName);
  const plain = await computeColumnStats(engine, view, schema, rows, t);
  const summed = await computeColumnStats(engine, view, schema, rows, t, joint);
  const col = requireTarget(plain, targetName);
  const target = await computeTarget(engine, view, col, inferProblemType(col, undefined, t));
  const plainAssoc = await addTargetBreakdown(engine, view, plain, target, t);
  const jointAssoc = await addTargetBreakdown(engine, view, summed, target, t, joint);
  await engine.exec(`DROP TABLE ${joint.table}`);
  return { plain, summed, plainAssoc, jointAssoc };
}

describe('value counts split by the target (issue 19)', () => {
  it('give the same column statistics and target breakdown as grouping the rows twice (diabetes)', async () => {
    const r = await both('diabetes', 'readmitted');
    expect(r.summed).toEqual(r.plain);
    expect(r.summed.some((c) => c.byTarget)).toBe(true);
    expect(r.jointAssoc.map((a) => [a.feature, a.method])).toEqual(r.plainAssoc.map((a) => [a.feature, a.method]));
    for (const [k, a] of r.jointAssoc.entries()) expect(a.value).toBeCloseTo(r.plainAssoc[k]!.value!, 12);
  });

  it('the same with a binned wide numeric column, missing values, a boolean and missing classes', async () => {
    const r = await both('mixed', 'y');
    const wide = r.plain.find((c) => c.name === 'wide')!;
    expect(wide.distinct).toBeGreaterThan(FREQUENCY_TABLE_MAX);
    expect(wide.byTarget?.counts.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(r.summed).toEqual(r.plain);
    expect(r.jointAssoc.length).toBeGreaterThan(0);
    expect(r.jointAssoc.map((a) => a.feature)).toEqual(r.plainAssoc.map((a) => a.feature));
    for (const [k, a] of r.jointAssoc.entries()) expect(a.value).toBeCloseTo(r.plainAssoc[k]!.value!, 12);
  });

  it('is used for a class target, not for a regression target or a numeric one with many values', async () => {
    const t = resolveThresholds();
    const { view, schema } = await createProfileView(engine, 'mixed');
    const wants = (target: string | undefined, regression = false) => wantsJointCounts(engine, view, schema, target, regression, t.classificationMaxDistinct);
    expect(await wants('y')).toBe(true);
    expect(await wants('flag')).toBe(true);
    expect(await wants('num_target')).toBe(true);
    expect(await wants('wide_target')).toBe(false);
    expect(await wants('y', true)).toBe(false);
    expect(await wants(undefined)).toBe(false);
    // An unknown target is left to the report's own error.
    expect(await wants('nope')).toBe(false);
  });
});
