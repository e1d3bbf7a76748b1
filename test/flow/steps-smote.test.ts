import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { importWranglerFlow } from '../../src/flow/import/importWranglerFlow.js';
import { fitSteps } from './steps-helpers.js';

/** balance with method: smote (Data Wrangler's "Balance data: SMOTE") on a small two-class table. */
let engine: Engine;
type Row = { x: number | null; n: number; label: string | null; tag: string };
const ROWS: Row[] = [
  { x: 1, n: 10, label: 'a', tag: 'a1' },
  { x: 2, n: 20, label: 'a', tag: 'a2' },
  { x: 3.5, n: 30, label: 'a', tag: 'a3' },
  { x: 4, n: 45, label: 'a', tag: 'a4' },
  { x: 5, n: 50, label: 'a', tag: 'a5' },
  { x: 6, n: 61, label: 'a', tag: 'a6' },
  { x: 7, n: 70, label: 'a', tag: 'a7' },
  { x: 8, n: 80, label: 'a', tag: 'a8' },
  { x: 10, n: 100, label: 'b', tag: 'b1' },
  { x: 11, n: 120, label: 'b', tag: 'b2' },
  { x: 14, n: 90, label: 'b', tag: 'b3' },
  { x: 20, n: 200, label: 'b', tag: 'b4' },
  { x: null, n: 5, label: null, tag: 'none' },
];
beforeAll(async () => {
  engine = await Engine.open();
  const v = (r: Row): string => `(${r.x ?? 'NULL'}::DOUBLE, ${r.n}, ${r.label === null ? 'NULL' : `'${r.label}'`}, '${r.tag}')`;
  await engine.exec(`CREATE TABLE two AS SELECT * FROM (VALUES ${ROWS.map(v).join(', ')}) t(x, n, label, tag)`);
  await engine.exec(`CREATE TABLE words AS SELECT 'a' AS label, 'x' AS w`);
});
afterAll(() => engine.close());

/** The k nearest rows of the same class (Euclidean over x and n, ties by file order). */
function nearest(base: Row, k: number): Row[] {
  return ROWS.filter((r) => r.label === base.label && r !== base)
    .map((r, i) => ({ r, i, d: (r.x! - base.x!) ** 2 + (r.n - base.n) ** 2 }))
    .sort((p, q) => p.d - q.d || p.i - q.i)
    .slice(0, k)
    .map((p) => p.r);
}

describe('balance, method: smote', () => {
  it('adds synthetic rows of the smaller class, each between a row and one of its k nearest neighbours', async () => {
    const r = await fitSteps(engine, 'two', [{ kind: 'balance', column: 'label', method: 'smote', k: 2, seed: 3 }]);
    const rows = r.rows as Row[];
    expect(rows.slice(0, ROWS.length)).toEqual(ROWS); // the input first, unchanged
    const made = rows.slice(ROWS.length);
    expect(made).toHaveLength(4); // b: 4 rows -> 8, as a
    expect(rows.filter((x) => x.label === 'a')).toHaveLength(8);
    expect(rows.filter((x) => x.label === 'b')).toHaveLength(8);
    for (const m of made) {
      const base = ROWS.find((x) => x.tag === m.tag)!; // other columns keep the row's value
      expect(m.label).toBe(base.label);
      const onSegment = nearest(base, 2).some((o) => {
        const gap = (m.x! - base.x!) / (o.x! - base.x!);
        return gap >= 0 && gap < 1 && Math.abs(m.n - Math.round(base.n + gap * (o.n - base.n))) <= 0;
      });
      expect(onSegment, JSON.stringify(m)).toBe(true);
      expect(Number.isInteger(m.n)).toBe(true); // integer columns are rounded
    }
    expect(r.fitted.output.map((c) => `${c.name}:${c.type}`)).toEqual(['x:float', 'n:integer', 'label:string', 'tag:string']);
  });

  it('is reproducible: the same seed gives the same rows, another seed others; records pass unchanged', async () => {
    const a = await fitSteps(engine, 'two', [{ kind: 'balance', column: 'label', method: 'smote', seed: 1 }]);
    const b = await fitSteps(engine, 'two', [{ kind: 'balance', column: 'label', method: 'smote', seed: 1 }]);
    const c = await fitSteps(engine, 'two', [{ kind: 'balance', column: 'label', method: 'smote', seed: 2 }]);
    expect(b.rows).toEqual(a.rows);
    expect(c.rows).not.toEqual(a.rows);
    const records = a.applyRecords([{ x: 1, n: 2, label: 'b', tag: 't' }]);
    expect(records.map((x) => x.ok && x.row)).toEqual([{ x: 1, n: 2, label: 'b', tag: 't' }]);
  });

  it('refuses a table without a numeric column to interpolate', async () => {
    const err = await fitSteps(engine, 'words', [{ kind: 'balance', column: 'label', method: 'smote' }]).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe('FLOW_TYPE');
    expect(String((err as Error).message)).toContain('(balance, smote) interpolates numeric columns, but there is none besides "label"');
  });

  it("imports Data Wrangler's SMOTE node as balance with method smote", () => {
    const nodes = [
      { node_id: 's', type: 'SOURCE', operator: 'sagemaker.s3_source_0.1', parameters: {}, inputs: [] },
      {
        node_id: 'b',
        type: 'TRANSFORM',
        operator: 'sagemaker.spark.balance_data_0.1',
        parameters: { operator: 'SMOTE', target_column: 'label', ratio: 1, smote_parameters: { num_neighbors: 3 } },
        inputs: [{ node_id: 's' }],
      },
    ];
    expect(importWranglerFlow({ nodes }).flow.steps).toEqual([{ kind: 'balance', column: 'label', method: 'smote', ratio: 1, k: 3, seed: 0 }]);
    const bad = importWranglerFlow({
      nodes: [nodes[0]!, { ...nodes[1]!, parameters: { operator: 'SMOTE', target_column: 'label', smote_parameters: { num_neighbors: 0 } } }],
    });
    expect(bad.flow.steps.map((s) => s.kind)).toEqual(['todo_custom_code']);
  });
});
