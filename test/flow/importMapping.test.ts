import { describe, expect, it } from 'vitest';
import { importWranglerFlow } from '../../src/flow/import/importWranglerFlow.js';
import { fromSparkSql } from '../../src/flow/import/mapCustom.js';
import { nonCapturing } from '../../src/flow/import/mapText.js';

type Node = { node_id: string; type: string; operator: string; parameters: Record<string, unknown>; inputs: Array<{ node_id: string }> };

/** A flow: a source, the given transforms in a chain, and a destination (unless `destination` is false). */
function chain(transforms: Array<[string, Record<string, unknown>]>, extra: Node[] = [], destination = true): { nodes: Node[] } {
  const nodes: Node[] = [{ node_id: 's', type: 'SOURCE', operator: 'sagemaker.s3_source_0.1', parameters: {}, inputs: [] }];
  transforms.forEach(([op, parameters], i) => {
    nodes.push({ node_id: `t${i}`, type: 'TRANSFORM', operator: `sagemaker.spark.${op}_0.1`, parameters, inputs: [{ node_id: nodes[nodes.length - 1]!.node_id }] });
  });
  if (destination) nodes.push({ node_id: 'd', type: 'DESTINATION', operator: 'sagemaker.spark.s3_destination_0.1', parameters: {}, inputs: [{ node_id: nodes[nodes.length - 1]!.node_id }] });
  return { nodes: [...nodes, ...extra] };
}

describe('operator details', () => {
  it('split without a maximum number of parts is a placeholder (Sluice needs the output names)', () => {
    const r = importWranglerFlow(chain([['search_and_edit', { operator: 'Split string by delimiter', split_string_by_delimiter_parameters: { input_column: 'codes', delimiter: ',' } }]]));
    expect(r.flow.steps.map((s) => s.kind)).toEqual(['todo_custom_code']);
    expect(r.notes[0]!.message).toContain('split_column needs one named output per part');
  });

  it('move after/before a column; move to an index is a placeholder', () => {
    const r = importWranglerFlow(
      chain([
        ['manage_columns', { operator: 'Move column', move_column_parameters: { move_type: 'Move after', move_after_parameters: { column_to_move: 'a', target_column: 'b' } } }],
        ['manage_columns', { operator: 'Move column', move_column_parameters: { move_type: 'Move to index', move_to_index_parameters: { column_to_move: 'a', index: 2 } } }],
      ]),
    );
    expect(r.flow.steps[0]).toEqual({ kind: 'move_column', columns: ['a'], to: 'after', anchor: 'b' });
    expect(r.flow.steps[1]!.kind).toBe('todo_custom_code');
  });

  it('custom formulas: backtick names, and the result type read from the expression', () => {
    const r = importWranglerFlow(
      chain([
        ['custom_formula', { output_column: 'x2', formula: '`my col` * 2' }],
        ['custom_formula', { output_column: 'old', formula: 'age > 60 AND `select` IS NOT NULL' }],
        ['custom_formula', { output_column: 'label', formula: "concat(race, '-', gender)" }],
        ['custom_formula', { output_column: 'n', formula: 'CAST(age AS INT)' }],
      ]),
    );
    expect(r.flow.steps).toEqual([
      { kind: 'compute', output: 'x2', expression: '"my col" * 2', type: 'float', replace: true },
      { kind: 'compute', output: 'old', expression: 'age > 60 AND "select" IS NOT NULL', type: 'boolean', replace: true },
      { kind: 'compute', output: 'label', expression: "concat(race, '-', gender)", type: 'string', replace: true },
      { kind: 'compute', output: 'n', expression: 'CAST(age AS INT)', type: 'integer', replace: true },
    ]);
    expect(fromSparkSql("`a``b` || 'it''s `not` a name'")).toBe(`"a\`b" || 'it''s \`not\` a name'`);
  });

  it('regular expressions: capturing groups become non-capturing, outside classes and escapes', () => {
    expect(nonCapturing('(a|b)[(]x\\((?:y)')).toBe('(?:a|b)[(]x\\((?:y)');
  });

  it('an unsupported sub-operator of a known operator is a placeholder carrying its parameters', () => {
    const r = importWranglerFlow(chain([['format_string', { operator: 'Left pad', left_pad_parameters: { input_column: ['zip'], width: 5, fill_character: '0' } }]]));
    expect(r.flow.steps[0]).toMatchObject({ kind: 'todo_custom_code', language: 'data-wrangler', name: 'Left pad' });
    expect(String(r.flow.steps[0]!.code)).toContain('"fill_character": "0"');
    expect(r.notes[0]!.message).toContain('Sluice has no step for "Left pad"');
  });
});

describe('graph shapes', () => {
  it('without a destination, the longest chain is imported and a note says so', () => {
    const r = importWranglerFlow(chain([['manage_columns', { operator: 'Drop column', drop_column_parameters: { column_to_drop: 'a' } }]], [], false));
    expect(r.flow.steps).toEqual([{ kind: 'drop_columns', columns: ['a'] }]);
    expect(r.notes.some((n) => n.message.includes('no destination'))).toBe(true);
  });

  it('with two destinations, the chain to the first is imported and the other is named', () => {
    const side: Node = { node_id: 'd2', type: 'DESTINATION', operator: 'sagemaker.spark.s3_destination_0.1', parameters: {}, inputs: [{ node_id: 's' }] };
    const r = importWranglerFlow(chain([['manage_columns', { operator: 'Drop column', drop_column_parameters: { column_to_drop: 'a' } }]], [side]));
    expect(r.flow.steps).toHaveLength(1);
    expect(r.notes.some((n) => n.level === 'warning' && n.node === 'd2')).toBe(true);
  });

  it('analyses that disagree on the target: the one nearest the destination wins, with a warning', () => {
    const vis = (id: string, on: string, target: string): Node => ({
      node_id: id,
      type: 'VISUALIZATION',
      operator: 'sagemaker.visualizations.data_insights_report_0.1',
      parameters: { insights_report_parameters: { target_column: target, problem_type: 'Classification' } },
      inputs: [{ node_id: on }],
    });
    const r = importWranglerFlow(chain([['manage_columns', { operator: 'Drop column', drop_column_parameters: { column_to_drop: 'a' } }]], [vis('v1', 's', 'early'), vis('v2', 't0', 'late')]));
    expect(r.flow.target).toBe('late');
    expect(r.notes.some((n) => n.level === 'warning' && n.message.includes('"early"'))).toBe(true);
  });
});
