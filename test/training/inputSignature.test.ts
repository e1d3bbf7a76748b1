import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { fitFlow } from '../../src/flow/fitFlow.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { inputSignature } from '../../src/training/inputSignature.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await engine.exec(`CREATE TABLE raw AS SELECT * FROM (VALUES
    (1, 'red', DATE '2024-01-02', 'x', 2.5, 'yes'), (2, 'blue', DATE '2024-02-03', 'y', NULL, 'no'), (3, 'red', DATE '2024-03-04', 'z', 1.0, 'no')) t(age, color, admitted, junk, score, label)`);
});
afterAll(() => engine.close());

async function fit(steps: unknown[]) {
  const spec = parseFlow(stringify({ version: 1, name: 'sig', target: 'label', record_id: 'rid', steps }), 'sig.flow.yaml');
  return (await fitFlow(engine, spec, 'raw')).fitted;
}

describe('inputSignature: exactly the raw columns the flow and the model read (issue 12)', () => {
  it('leaves out dropped columns, columns the model skipped, and the record id hash inputs', async () => {
    const fitted = await fit([
      { kind: 'drop_columns', columns: ['junk'] },
      { kind: 'impute', columns: ['score'], strategy: 'median' },
      { kind: 'one_hot', columns: ['color'] },
      { kind: 'record_id', output: 'rid' },
    ]);
    // the model reads age and color_red: not the date (skipped), not score (unused), not junk (dropped)
    expect(inputSignature(fitted, ['age', 'color_red'])).toEqual([
      { name: 'age', type: 'integer' },
      { name: 'color', type: 'string' },
    ]);
    expect(inputSignature(fitted, ['score']).map((c) => c.name)).toEqual(['score']);
    // a model that reads the date requires it
    expect(inputSignature(fitted, ['admitted', 'age']).map((c) => c.name)).toEqual(['age', 'admitted']);
  });

  it('follows renames and computed columns back to their raw inputs', async () => {
    const fitted = await fit([
      { kind: 'rename_columns', mapping: { age: 'years' } },
      { kind: 'compute', output: 'double_score', expression: 'score * 2', type: 'float' },
    ]);
    expect(inputSignature(fitted, ['years']).map((c) => c.name)).toEqual(['age']);
    expect(inputSignature(fitted, ['double_score']).map((c) => c.name)).toEqual(['score']);
  });
});
