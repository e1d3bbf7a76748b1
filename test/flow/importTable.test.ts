import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { importTable } from '../../src/flow/import/importTable.js';
import { importWranglerFlowText } from '../../src/flow/import/importWranglerFlow.js';
import { parseFlow } from '../../src/flow/loadFlow.js';

describe('the import table and coverage line', () => {
  it('lists every node with its steps or placeholder, inputs included, and counts what needs replacing', () => {
    const r = importWranglerFlowText(readFileSync('test/fixtures/wrangler/corpus/music-join.flow', 'utf8'), { file: 'music-join.flow' });
    const t = importTable(r.nodes);
    // the inputs' steps first: ratings' infer_types, then the drop_columns on the branch that rejoins
    expect(t.rows.map((x) => x[2])).toEqual([
      'infer_types',
      'drop_columns',
      'infer_types',
      'one_hot',
      'compute',
      'join',
      'PLACEHOLDER (pyspark)',
      'join',
      'drop_columns',
      'move_column',
      'split',
    ]);
    expect(t.rows[1]).toEqual(['27072493', 'manage_columns: Drop column', 'drop_columns']);
    expect(t.rows[7]).toEqual(['a054a61f', 'join_tables', 'join']);
    expect(t.coverage).toBe('10 of 11 transforms mapped; 1 custom PySpark node needs replacing');
  });
});

describe('flow validate lists every problem at once', () => {
  it('three bad steps and a bad input give one error naming each, with lines', () => {
    const text = [
      'version: 1',
      'name: many',
      'inputs:',
      '  other: { file: o.csv, steps: [ { kind: nope } ] }',
      'steps:',
      '  - kind: todo_custom_code',
      '    node: a',
      '    language: pyspark',
      '    code: df = df',
      '  - kind: drop_columns',
      '  - kind: compute',
      '    output: x',
      '    expression: (1 +',
      '    type: float',
    ].join('\n');
    let err: unknown;
    try {
      parseFlow(text, 'many.flow.yaml');
    } catch (e) {
      err = e;
    }
    expect(isSluiceError(err) && err.code).toBe('FLOW_PROBLEMS');
    const message = (err as Error).message;
    expect(message).toMatch(/has 4 problems/);
    expect(message).toMatch(/step 1 is a placeholder for custom pyspark code.*\(line 6\)/);
    expect(message).toMatch(/step 2 \(drop_columns\), field "columns"/);
    expect(message).toMatch(/step 3/);
    expect(message).toMatch(/input other, step 1 has unknown kind "nope"/);
  });
});
