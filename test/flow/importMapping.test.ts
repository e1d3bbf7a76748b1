import { describe, expect, it } from 'vitest';
import { importWranglerFlow } from '../../src/flow/import/importWranglerFlow.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { sparkText } from '../../src/flow/import/sparkExpr.js';
import { groupCount, onlyGroup } from '../../src/flow/import/mapText.js';

type Node = { node_id: string; type: string; operator: string; parameters: Record<string, unknown>; inputs: Array<{ node_id: string }> };

/** A SOURCE node, reading `file` when given. */
const source = (id: string, file?: string): Node => ({
  node_id: id,
  type: 'SOURCE',
  operator: 'sagemaker.s3_source_0.1',
  parameters: file ? { dataset_definition: { name: file } } : {},
  inputs: [],
});
/** A TRANSFORM node of Data Wrangler operator `op` (`manage_columns`, `join_tables`, ...) on the given nodes. */
const transform = (id: string, op: string, parameters: Record<string, unknown>, ...on: string[]): Node => ({
  node_id: id,
  type: 'TRANSFORM',
  operator: `sagemaker.spark.${op}_0.1`,
  parameters,
  inputs: on.map((node_id) => ({ node_id })),
});
/** A DESTINATION node after `on`. */
const destination = (id: string, on: string): Node => ({
  node_id: id,
  type: 'DESTINATION',
  operator: 'sagemaker.spark.s3_destination_0.1',
  parameters: {},
  inputs: [{ node_id: on }],
});
const dropColumn = (column: string) => ({ operator: 'Drop column', drop_column_parameters: { column_to_drop: column } });
const leftJoinOnId = { join_type: 'leftouter', left_column: 'id', right_column: 'id' };

/** A flow: a source, the given transforms in a chain, and a destination (unless `withDestination` is false). */
function chain(transforms: Array<[string, Record<string, unknown>]>, extra: Node[] = [], withDestination = true): { nodes: Node[] } {
  const nodes: Node[] = [source('s')];
  for (const [i, [op, parameters]] of transforms.entries()) nodes.push(transform(`t${i}`, op, parameters, nodes[nodes.length - 1]!.node_id));
  if (withDestination) nodes.push(destination('d', nodes[nodes.length - 1]!.node_id));
  return { nodes: [...nodes, ...extra] };
}

describe('operator details', () => {
  it('split without a maximum number of parts is a placeholder (Sluice needs the output names)', () => {
    const r = importWranglerFlow(
      chain([['search_and_edit', { operator: 'Split string by delimiter', split_string_by_delimiter_parameters: { input_column: 'codes', delimiter: ',' } }]]),
    );
    expect(r.flow.steps.map((s) => s.kind)).toEqual(['todo_custom_code']);
    expect(r.notes[0]!.message).toContain('split_column needs one named output per part');
  });

  it('move after/before a column; move to an index is a placeholder', () => {
    const r = importWranglerFlow(
      chain([
        [
          'manage_columns',
          { operator: 'Move column', move_column_parameters: { move_type: 'Move after', move_after_parameters: { column_to_move: 'a', target_column: 'b' } } },
        ],
        [
          'manage_columns',
          { operator: 'Move column', move_column_parameters: { move_type: 'Move to index', move_to_index_parameters: { column_to_move: 'a', index: 2 } } },
        ],
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
      // Spark's concat is NULL when an argument is: the expression language's ||
      { kind: 'compute', output: 'label', expression: "CAST(race AS VARCHAR) || '-' || CAST(gender AS VARCHAR)", type: 'string', replace: true },
      // Spark's cast to INT truncates toward zero
      {
        kind: 'compute',
        output: 'n',
        expression: 'CAST(CASE WHEN CAST(age AS DOUBLE) < 0 THEN ceil(CAST(age AS DOUBLE)) ELSE floor(CAST(age AS DOUBLE)) END AS BIGINT)',
        type: 'integer',
        replace: true,
      },
    ]);
    expect(sparkText("`a``b` || 'it\\'s `not` a name' || \"text\"")).toBe(`"a\`b" || 'it''s \`not\` a name' || 'text'`);
  });

  it('featurize text: character statistics become text_stats with a warning about names; vectorize becomes vectorize_text', () => {
    const r = importWranglerFlow(
      chain([
        ['featurize_text', { operator: 'Character statistics', character_statistics_parameters: { input_column: 'review', output_column: 'review_stats' } }],
        ['featurize_text', { operator: 'Vectorize', vectorize_parameters: { input_column: 'review' } }],
      ]),
    );
    expect(r.flow.steps[0]).toEqual({ kind: 'text_stats', columns: ['review'] });
    expect(
      r.notes.some(
        (n) => n.level === 'warning' && n.node === 't0' && n.message.includes('review_characters, review_words') && n.message.includes('"review_stats"'),
      ),
    ).toBe(true);
    // Spark's defaults: standard tokenizer, a vocabulary of 2^18 (capped at 10,000 columns, said so)
    expect(r.flow.steps[1]).toEqual({ kind: 'vectorize_text', column: 'review', max_features: 10000 });
    const t1 = r.notes.filter((n) => n.node === 't1').map((n) => n.message);
    expect(t1.some((m) => m.includes('kept up to 262144 tokens'))).toBe(true);
    expect(t1.some((m) => m.includes('does not say whether Data Wrangler applied IDF'))).toBe(true);
    expect(t1.some((m) => m.includes('one vector column') && m.includes('review_<token>'))).toBe(true);
    expect(r.notes.some((n) => n.level === 'placeholder')).toBe(false);
  });

  it('vectorize: a custom tokenizer, count vectorizer settings, IDF and an output column map onto vectorize_text', () => {
    const r = importWranglerFlow(
      chain([
        [
          'featurize_text',
          {
            operator: 'Vectorize',
            vectorize_parameters: {
              input_column: 'review',
              tokenizer: 'Custom',
              tokenizer_custom_parameters: { pattern: '[ ,]+', gaps: true, minimum_token_length: 2, to_lowercase: false },
              vectorizer: 'Count Vectorizer',
              vectorizer_count_vectorizer_parameters: {
                minimum_term_frequency: 1,
                minimum_document_frequency: 2,
                maximum_document_frequency: 0.9,
                maximum_vocabulary_size: 50,
              },
              apply_idf: 'Yes',
              apply_idf_yes_parameters: { minimum_document_frequency: 0 },
              output_format: 'Columns',
              output_column: 'words',
            },
          },
        ],
      ]),
    );
    expect(r.flow.steps).toEqual([
      {
        kind: 'vectorize_text',
        column: 'review',
        pattern: '[ ,]+',
        gaps: true,
        min_length: 2,
        lowercase: false,
        min_df: 2,
        max_df: 0.9,
        max_features: 50,
        weighting: 'tfidf',
        idf: 'spark',
        prefix: 'words_',
      },
    ]);
    expect(r.notes.filter((n) => n.level !== 'info').map((n) => n.message)).toEqual([
      expect.stringContaining('Data Wrangler made one column per token "words"; Sluice makes one column per token of the vocabulary, named words_<token>'),
    ]);
  });

  it('vectorize: settings vectorize_text lacks become a placeholder that names them', () => {
    const vectorize = (extra: Record<string, unknown>) =>
      importWranglerFlow(chain([['featurize_text', { operator: 'Vectorize', vectorize_parameters: { input_column: 'review', apply_idf: 'No', ...extra } }]]));
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ vectorizer: 'Hashing', vectorizer_hashing_parameters: { number_of_features: 100 } }, 'the "Hashing" vectorizer'],
      [{ vectorizer_count_vectorizer_parameters: { minimum_term_frequency: 2 } }, 'a minimum term frequency of 2'],
      [{ vectorizer_count_vectorizer_parameters: { maximum_document_frequency: 1 } }, 'a maximum document frequency of 1'],
      [{ apply_idf: 'Yes', apply_idf_yes_parameters: { minimum_document_frequency: 3 } }, 'an IDF minimum document frequency of 3'],
      [{ tokenizer: 'Whitespace' }, 'the tokenizer "Whitespace"'],
    ];
    for (const [extra, what] of cases) {
      const r = vectorize(extra);
      expect(r.flow.steps, what).toEqual([expect.objectContaining({ kind: 'todo_custom_code', language: 'data-wrangler' })]);
      expect(r.notes.find((n) => n.level === 'placeholder')!.message).toContain(`has no equivalent of ${what}`);
    }
    // a count vectorizer without IDF says nothing about IDF
    expect(vectorize({}).notes.some((n) => n.message.includes('IDF'))).toBe(false);
  });

  it('find and replace: a Spark group reference in the replacement gets a warning', () => {
    const r = importWranglerFlow(
      chain([
        [
          'search_and_edit',
          { operator: 'Find and replace substring', find_and_replace_substring_parameters: { input_column: ['a'], pattern: '(\\d+)', replacement: '<$1>' } },
        ],
      ]),
    );
    expect(r.flow.steps).toEqual([{ kind: 'find_replace', columns: ['a'], pattern: '(\\d+)', replacement: '<$1>' }]);
    expect(r.notes.some((n) => n.level === 'warning' && n.message.includes('literally'))).toBe(true);
  });

  it('concatenate columns becomes a compute step that validates', () => {
    const r = importWranglerFlow(
      chain([
        [
          'manage_columns',
          { operator: 'Concatenate columns', concat_columns_parameters: { input_column: ['race', 'end'], delimiter: '-', output_column: 'race_end' } },
        ],
      ]),
    );
    expect(r.flow.steps).toEqual([
      { kind: 'compute', output: 'race_end', expression: `concat(CAST(race AS VARCHAR), '-', CAST("end" AS VARCHAR))`, type: 'string', replace: true },
    ]);
    expect(parseFlow(JSON.stringify(r.flow), 'concat.json').steps).toHaveLength(1);
  });

  it("outliers: Data Wrangler's default of 4 standard deviations is written out; fixed bounds become compute steps", () => {
    const r = importWranglerFlow(
      chain([
        [
          'handle_outliers',
          { operator: 'Standard deviation numeric outliers', standard_deviation_numeric_outliers_parameters: { input_column: 'x', fix_method: 'Remove' } },
        ],
        [
          'handle_outliers',
          { operator: 'Min-max numeric outliers', min_max_numeric_outliers_parameters: { input_column: ['y'], lower_threshold: 0, upper_threshold: 10 } },
        ],
      ]),
    );
    expect(r.flow.steps).toEqual([
      { kind: 'clip_outliers', columns: ['x'], method: 'stdev', k: 4 },
      { kind: 'compute', output: 'y', expression: 'CASE WHEN y < 0 THEN 0 WHEN y > 10 THEN 10 ELSE y END', type: 'float', replace: true },
    ]);
    expect(r.notes.some((n) => n.level === 'warning' && n.message.includes('rows outside the bounds were removed'))).toBe(true);
    expect(parseFlow(JSON.stringify(r.flow), 'outliers.json').steps).toHaveLength(2);
  });

  it('rename: several columns at once, in newer flows', () => {
    const r = importWranglerFlow(
      chain([
        [
          'manage_columns',
          {
            operator: 'Rename column',
            rename_column_parameters: {
              columns_to_rename: [
                { input_column: 'a', new_name: 'b' },
                { input_column: '__proto__', new_name: 'p' },
              ],
            },
          },
        ],
      ]),
    );
    expect(r.flow.steps).toEqual([{ kind: 'rename_columns', mapping: JSON.parse('{"a": "b", "__proto__": "p"}') }]);
    expect(Object.keys(r.flow.steps[0]!.mapping as object)).toEqual(['a', '__proto__']);
  });

  it('regular expressions: one group kept capturing, others not; classes, escapes and look-arounds left alone', () => {
    expect(onlyGroup('(a|b)[(]x\\((?:y)', 0)).toBe('((?:a|b)[(]x\\((?:y))');
    expect(onlyGroup('(a)-(?<num>\\d+)-(c)', 2)).toBe('(?:a)-(\\d+)-(?:c)');
    expect(onlyGroup('(a)-(?P<num>\\d+)', 1)).toBe('(a)-(?:\\d+)');
    expect(groupCount('(a)(?:b)[(]\\((?<n>c)(?=d)')).toBe(2);
  });

  it('an unsupported sub-operator of a known operator is a placeholder carrying its parameters', () => {
    // (Left pad, this test's first example, now maps to compute; a sub-operator no file uses stands in.)
    const r = importWranglerFlow(
      chain([['format_string', { operator: 'Reverse text', reverse_text_parameters: { input_column: ['zip'], width: 5, fill_character: '0' } }]]),
    );
    expect(r.flow.steps[0]).toMatchObject({ kind: 'todo_custom_code', language: 'data-wrangler', name: 'Reverse text' });
    expect(String(r.flow.steps[0]!.code)).toContain('"fill_character": "0"');
    expect(r.notes[0]!.message).toContain('Sluice has no step for "Reverse text"');
  });
});

describe('split', () => {
  const splits = [
    { name: 'Train', percentage: 0.7 },
    { name: 'Test', percentage: 0.2 },
    { name: 'Validate', percentage: 0.1 },
  ];

  it('a randomized split becomes a split column; taking one part is a warning', () => {
    const flow = chain([
      ['split', { operator: 'Randomized split', randomized_split_parameters: { splits, error: 0.0005 } }],
      ['identity', {}],
    ]);
    // The node after the split reads its "Test" output, as Data Wrangler's export does.
    (flow.nodes[2]!.inputs[0] as { output_name?: string }).output_name = 'Test';
    const r = importWranglerFlow(flow);
    expect(r.flow.steps).toEqual([{ kind: 'split', fractions: { train: 0.7, validation: 0.1, test: 0.2 } }]);
    expect(r.notes.some((n) => n.level === 'warning' && n.message.includes('took only the "Test" rows'))).toBe(true);
    expect(r.notes.some((n) => n.node === 't1' && n.message.includes('unchanged'))).toBe(true);
  });

  it('a stratified split keeps its column; unknown part names are a placeholder', () => {
    const r = importWranglerFlow(
      chain([
        [
          'split',
          {
            operator: 'Stratified split',
            stratified_split_parameters: {
              splits: splits.slice(0, 2).map((x) => ({ ...x, percentage: x.name === 'Train' ? 0.8 : 0.2 })),
              input_column: 'readmitted',
            },
          },
        ],
      ]),
    );
    expect(r.flow.steps).toEqual([{ kind: 'split', fractions: { train: 0.8, validation: 0, test: 0.2 }, stratify_by: 'readmitted' }]);
    const odd = importWranglerFlow(
      chain([
        [
          'split',
          {
            operator: 'Randomized split',
            randomized_split_parameters: {
              splits: [
                { name: 'A', percentage: 0.5 },
                { name: 'B', percentage: 0.5 },
              ],
            },
          },
        ],
      ]),
    );
    expect(odd.flow.steps[0]!.kind).toBe('todo_custom_code');
  });
});

describe('graph shapes', () => {
  it('without a destination, the longest chain is imported and a note says so', () => {
    const r = importWranglerFlow(chain([['manage_columns', dropColumn('a')]], [], false));
    expect(r.flow.steps).toEqual([{ kind: 'drop_columns', columns: ['a'] }]);
    expect(r.notes.some((n) => n.message.includes('no destination'))).toBe(true);
  });

  it('with two destinations, the chain to the first is imported and the other is named', () => {
    const side = destination('d2', 's');
    const r = importWranglerFlow(chain([['manage_columns', dropColumn('a')]], [side]));
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
    const r = importWranglerFlow(chain([['manage_columns', dropColumn('a')]], [vis('v1', 's', 'early'), vis('v2', 't0', 'late')]));
    expect(r.flow.target).toBe('late');
    expect(r.notes.some((n) => n.level === 'warning' && n.message.includes('"early"'))).toBe(true);
  });

  it('a join of two sources becomes a join step; the second source becomes an input with its own steps', () => {
    const nodes: Node[] = [
      source('a', 'visits.csv'),
      source('b', 'patients.csv'),
      transform('c', 'manage_columns', dropColumn('ssn'), 'b'),
      transform('j', 'join_tables', leftJoinOnId, 'a', 'c'),
      destination('d', 'j'),
    ];
    const r = importWranglerFlow({ nodes });
    expect(r.flow.steps).toEqual([{ kind: 'join', with: 'patients', how: 'left', left_on: ['id'], right_on: ['id'], suffixes: ['_0', '_1'] }]);
    expect(r.flow.inputs).toEqual({ patients: { file: 'patients.csv', steps: [{ kind: 'drop_columns', columns: ['ssn'] }] } });
    expect(r.notes.some((n) => n.level === 'warning' && n.message.includes('not imported'))).toBe(false);
  });

  it('a flow that forks and rejoins: the join reads a branch of its own data (as: on the fork step, an input branch: from it)', () => {
    const nodes: Node[] = [
      source('a'),
      transform('x', 'manage_columns', dropColumn('k'), 'a'),
      // the fork: y continues the chain, z is the branch
      transform('y', 'manage_columns', dropColumn('v'), 'x'),
      transform('z', 'manage_columns', { operator: 'Select column', select_column_parameters: { column_to_select: ['id', 'v'] } }, 'x'),
      transform('j', 'join_tables', leftJoinOnId, 'y', 'z'),
      destination('d', 'j'),
    ];
    const r = importWranglerFlow({ nodes });
    expect(r.flow.steps).toEqual([
      { kind: 'drop_columns', columns: ['k'], as: 'after_manage_columns' },
      { kind: 'drop_columns', columns: ['v'] },
      { kind: 'join', with: 'after_manage_columns_branch', how: 'left', left_on: ['id'], right_on: ['id'], suffixes: ['_0', '_1'] },
    ]);
    expect(r.flow.inputs).toEqual({
      after_manage_columns_branch: { branch: 'after_manage_columns', steps: [{ kind: 'select_columns', columns: ['id', 'v'] }] },
    });
    expect(r.nodes.filter((s) => s.step.kind === 'todo_custom_code')).toEqual([]);
    expect(r.notes.some((n) => n.level === 'warning' && n.message.includes('not imported'))).toBe(false);
    // the imported YAML is a valid flow
    const spec = parseFlow(r.yaml, 'fork.flow.yaml');
    expect(spec.inputs?.after_manage_columns_branch?.branch).toBe('after_manage_columns');
  });

  it('a join of the flow with its own earlier table (no transform on the branch) reads the point itself; a fork at the source is main', () => {
    const nodes: Node[] = [
      source('a'),
      transform('x', 'manage_columns', dropColumn('k'), 'a'),
      transform('c', 'concatenate_datasets', { remove_duplicates: true }, 'x', 'a'),
      destination('d', 'c'),
    ];
    const r = importWranglerFlow({ nodes });
    expect(r.flow.steps).toEqual([
      { kind: 'drop_columns', columns: ['k'] },
      { kind: 'concatenate', with: 'main', drop_duplicates: true },
    ]);
    expect(r.flow.inputs).toBeUndefined();
    expect(() => parseFlow(r.yaml, 'self.flow.yaml')).not.toThrow();
  });

  it('a chain of 20,000 transforms imports, with or without a destination (no recursion, no quadratic walk)', () => {
    const transforms: Array<[string, Record<string, unknown>]> = Array.from({ length: 20_000 }, (_, i) => [
      'manage_columns',
      { operator: 'Drop column', drop_column_parameters: { column_to_drop: `c${i}` } },
    ]);
    for (const destination of [true, false]) {
      const r = importWranglerFlow(chain(transforms, [], destination));
      expect(r.flow.steps).toHaveLength(20_000);
      expect(r.flow.steps[19_999]).toEqual({ kind: 'drop_columns', columns: ['c19999'] });
    }
  });
});

describe('custom code (issue 15, point 4)', () => {
  it('Python (Pandas) becomes a python step with the code verbatim; the older custom_pandas too', () => {
    const code = "# Table is available as variable `df`\ndf['x'] = df['a'] * 2\n";
    const r = importWranglerFlow(
      chain([
        ['custom_code', { operator: 'Python (Pandas)', pandas_parameters: { code }, pyspark_parameters: { code: 'ignored' }, name: 'double' }],
        ['custom_pandas', { code: 'df = df.dropna()' }],
      ]),
    );
    expect(r.flow.steps).toEqual([
      { kind: 'python', code, name: 'double' },
      { kind: 'python', code: 'df = df.dropna()' },
    ]);
    expect(() => parseFlow(JSON.stringify(r.flow), 'f.yaml')).not.toThrow();
  });

  it('a Python user-defined function becomes mode series (Pandas mode) or value (Python mode), with its column, output and return type', () => {
    const r = importWranglerFlow(
      chain([
        [
          'custom_code',
          {
            operator: 'Python (User-Defined Function)',
            udf_parameters: {
              return_type: 'long',
              udf_mode: 'Pandas',
              input_col: 'text',
              output_col: 'n',
              pandas_code: 'def custom_func(series):\n  return series.str.len()',
            },
          },
        ],
        [
          'custom_code',
          {
            operator: 'Python (User-Defined Function)',
            udf_parameters: {
              return_type: 'string',
              udf_mode: 'Python',
              input_col: 'text',
              output_col: 'text',
              python_code: 'def custom_func(value):\n  return value',
            },
          },
        ],
      ]),
    );
    expect(r.flow.steps).toEqual([
      { kind: 'python', mode: 'series', column: 'text', output: 'n', type: 'integer', code: 'def custom_func(series):\n  return series.str.len()' },
      { kind: 'python', mode: 'value', column: 'text', type: 'string', code: 'def custom_func(value):\n  return value' },
    ]);
  });

  it('PySpark stays a placeholder that shows the code and names the built-in steps its calls match', () => {
    const code =
      "from pyspark.sql import functions as F\ndf = df.withColumnRenamed('fare', 'fare_amount').dropna()\n# df.orderBy('x') (a comment: not suggested)";
    const r = importWranglerFlow(chain([['custom_code', { operator: 'Python (PySpark)', pyspark_parameters: { code } }]]));
    expect(r.flow.steps).toEqual([expect.objectContaining({ kind: 'todo_custom_code', language: 'pyspark', code })]);
    const note = r.notes.find((n) => n.level === 'placeholder')!;
    expect(note.code).toBe(code);
    expect(note.message).toMatch(/the code's calls match [a-z_, ]*rename_columns[a-z_, ]*drop_missing/);
    expect(note.message).not.toContain('sort');
  });
});
