import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { fitFlow } from '../../src/flow/fitFlow.js';
import type { StepSpec } from '../../src/flow/flowSchema.js';
import { importWranglerFlow, importWranglerFlowText, type ImportResult } from '../../src/flow/import/importWranglerFlow.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { stepDef } from '../../src/flow/steps/index.js';

const DIR = 'test/fixtures/wrangler';
const SEED = `${DIR}/HealthCareUncleanWrangler.flow`;
const PANDAS_NODE = '132a7eb7-3d16-4040-908e-91c88e6a1b6a';

function importFixture(name: string): ImportResult {
  const file = `${DIR}/${name}`;
  return importWranglerFlowText(readFileSync(file, 'utf8'), { file });
}

/** The error a function throws, which must be a SluiceError. */
function errorOf(f: () => unknown): SluiceError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SluiceError);
    return e as SluiceError;
  }
  throw new Error('expected an error, got none');
}

/** Steps without names, descriptions and the optional infer_types (present once that step exists). */
function core(steps: StepSpec[]): Array<Record<string, unknown>> {
  return steps.filter((s) => s.kind !== 'infer_types').map(({ name: _n, description: _d, ...rest }) => rest);
}

describe('importing the seed (HealthCareUncleanWrangler.flow)', () => {
  const seed = importFixture('HealthCareUncleanWrangler.flow');
  const { flow } = seed;

  it('takes the target, problem type and analyses into the report', () => {
    expect(flow.target).toBe('readmitted');
    expect(flow.report).toEqual({
      problem_type: 'classification',
      bias: { facet: 'gender', facet_value: 'male', label_value: 'no' },
      correlation: 'linear',
      quick_model: true,
    });
  });

  it('converts the transform chain in data order, the pandas node a python step with its code verbatim', () => {
    expect(core(flow.steps)).toEqual([
      { kind: 'drop_columns', columns: ['max_glu_serum', 'a1c_result'] },
      { kind: 'impute', columns: ['time_in_hospital', 'num_procedures', 'num_medications', 'number_diagnoses', 'change', 'diabetes_med'], strategy: 'median' },
      { kind: 'drop_columns', columns: ['gender', 'num_procedures', 'number_outpatient'] },
      { kind: 'find_replace', columns: ['race'], pattern: '\\?', replacement: 'Other' },
      { kind: 'python', code: expect.stringContaining('df = df.dropna()') },
      { kind: 'find_replace', columns: ['readmitted'], pattern: '>30|<30', replacement: '1' },
      { kind: 'find_replace', columns: ['readmitted'], pattern: 'no', replacement: '0' },
      { kind: 'drop_columns', columns: ['race'] },
    ]);
    // infer-and-cast becomes infer_types when this build has it; otherwise a note explains.
    expect(flow.steps.some((s) => s.kind === 'infer_types')).toBe(stepDef('infer_types') !== undefined);
  });

  it('keeps what impute learned as a note and a description', () => {
    const impute = flow.steps.find((s) => s.kind === 'impute')!;
    expect(impute.description).toContain('time_in_hospital=4');
    expect(seed.notes.some((n) => n.node === 'aaa4daec-6627-4728-b75a-8680024d2b36' && n.message.includes('num_medications=14'))).toBe(true);
  });

  it('notes the python step, naming the node and saying how to let the model serve records', () => {
    const note = seed.notes.find((n) => n.node === PANDAS_NODE)!;
    expect(note.level).toBe('info');
    expect(note.message).toContain(PANDAS_NODE);
    expect(note.message).toContain('"EventTime_Pandas" runs as it is in a python step');
    expect(note.message).toContain('serve: skip');
    expect(flow.steps.find((s) => s.kind === 'python')!.code).toContain("df['Record_id']=rec_id");
    expect(seed.notes.filter((n) => n.level === 'placeholder')).toHaveLength(0);
    expect(seed.notes.some((n) => n.message.includes('s3://healthcare-diabetes-12332/healthcare/'))).toBe(true);
  });

  it('writes commented YAML that holds the same flow', () => {
    expect(seed.yaml.startsWith('# Imported by `sluice flow import` from the SageMaker Data Wrangler flow HealthCareUncleanWrangler.flow.')).toBe(true);
    expect(seed.yaml).toContain('# Data Wrangler node a9f2102e-e29c-4312-ba74-e4e12c40c01e: sagemaker.spark.manage_columns_0.1 (Drop column)');
    expect(seed.yaml).toContain(`# Data Wrangler node ${PANDAS_NODE}: sagemaker.spark.custom_code_0.1 (Python (Pandas))`);
    expect(seed.yaml).not.toContain('# TODO: this placeholder');
    expect(seed.yaml).toContain("label_value: 'no'"); // stays text for YAML 1.1 readers too
    // One comment per step, each right before it.
    expect(seed.yaml.match(/# Data Wrangler node /g)).toHaveLength(flow.steps.length);
    expect(parse(seed.yaml)).toEqual(JSON.parse(JSON.stringify(flow)));
  });

  it('parseFlow accepts the imported flow as it is (test/flow/seedPython.test.ts runs it)', () => {
    const spec = parseFlow(seed.yaml, 'seed.flow.yaml');
    expect(spec.steps.find((s) => s.kind === 'python')).toMatchObject({ kind: 'python', mode: 'dataframe', serve: 'refuse', name: 'EventTime_Pandas' });
  });

  it('a PySpark placeholder is rejected by parseFlow, naming it and its code', () => {
    const pyspark = { ...seed.flow, steps: [{ kind: 'todo_custom_code', node: PANDAS_NODE, language: 'pyspark', code: "df = df.withColumn('x', F.lit(1))" }] };
    const e = errorOf(() => parseFlow(JSON.stringify(pyspark), 'seed.flow.yaml'));
    expect(e.code).toBe('FLOW_PLACEHOLDER');
    expect(e.message).toContain('step 1 is a placeholder for custom pyspark code');
    expect(e.location?.step).toBe(0);
    expect(e.hint).toContain('F.lit(1)');
  });

  it('with the python step replaced by record_id + event_time + drop_missing it is the native recipe', async () => {
    const replaced = flow.steps.flatMap((s): StepSpec[] =>
      s.kind === 'python'
        ? [
            { kind: 'record_id', output: 'record_id', method: 'hash' },
            { kind: 'event_time', output: 'event_time', from: 'now', format: 'epoch_seconds' },
            { kind: 'drop_missing' },
          ]
        : [s],
    );
    const text = seed.yaml.replace(/^steps:[\s\S]*?(?=^report:)/m, `steps: ${JSON.stringify(replaced)}\n`);
    const spec = parseFlow(text, 'replaced.flow.yaml');
    const native = parseFlow(readFileSync('examples/diabetes/diabetes.flow.yaml', 'utf8'), 'diabetes.flow.yaml');
    expect(core(spec.steps)).toEqual(core(native.steps));
    expect(spec.report).toEqual(native.report);
    expect(spec.target).toBe(native.target);

    // And it runs on the seed's data set: 69,570 rows, the 12 columns the seed ends with.
    const engine = await Engine.open();
    try {
      await readTable(engine, 'examples/diabetes/diabetic-readmission.csv', { name: 'raw' });
      const { fitted } = await fitFlow(engine, spec, 'raw');
      expect(fitted.rows).toEqual({ in: 69570, out: 69570 });
      expect(fitted.output).toHaveLength(12);
    } finally {
      engine.close();
    }
  });
});

describe('importing every operator family (operators.flow, nodes shuffled in the file)', () => {
  const r = importFixture('operators.flow');
  const kinds = r.flow.steps.map((s) => s.kind);

  it('walks the chain by inputs, not by file order, and maps each operator', () => {
    expect(kinds).toEqual([
      ...(stepDef('infer_types') ? ['infer_types'] : []),
      'cast',
      'rename_columns',
      'move_column',
      'duplicate_column',
      'impute',
      'impute',
      'impute',
      'missing_indicator',
      'drop_missing',
      'change_case',
      'trim',
      'split_column',
      'regex_extract',
      'compute',
      'todo_custom_code',
      'one_hot',
      'ordinal_encode',
      'scale',
      'clip_outliers',
      'todo_custom_code',
      'filter_rows',
      'vectorize_text',
      'drop_columns',
    ]);
    const s = (kind: string, i = 0) => r.flow.steps.filter((x) => x.kind === kind)[i]!;
    expect(s('cast')).toMatchObject({ columns: ['age'], to: 'integer' });
    expect(s('rename_columns')).toMatchObject({ mapping: { a1c_result: 'a1c' } });
    expect(s('impute', 0)).toMatchObject({ columns: ['race'], strategy: 'constant', value: 'Unknown' });
    expect(s('impute', 1)).toMatchObject({ columns: ['payer_code'], strategy: 'mode' });
    expect(s('impute', 2)).toMatchObject({ columns: ['num_lab_procedures'], strategy: 'mean' });
    expect(s('drop_missing')).toMatchObject({ columns: ['age'] });
    expect(s('compute')).toEqual({
      kind: 'compute',
      output: 'meds_per_day',
      expression: 'num_medications / (time_in_hospital + 1)',
      type: 'float',
      replace: true,
    });
    expect(s('drop_columns')).toEqual({ kind: 'drop_columns', columns: ['weight'] });
    expect(s('move_column')).toEqual({ kind: 'move_column', columns: ['a1c'], to: 'start' });
    expect(s('duplicate_column')).toEqual({ kind: 'duplicate_column', column: 'race', output: 'race_raw' });
    expect(s('missing_indicator')).toEqual({ kind: 'missing_indicator', columns: ['weight'] });
    expect(s('change_case')).toEqual({ kind: 'change_case', columns: ['race'], to: 'lower' });
    expect(s('trim')).toEqual({ kind: 'trim', columns: ['race'] });
    expect(s('split_column')).toEqual({ kind: 'split_column', column: 'diag_codes', delimiter: '|', outputs: ['diag_codes_0', 'diag_codes_1'] });
    // Spark's regexp_extract takes group 1 by default when the pattern has groups.
    expect(s('regex_extract')).toEqual({ kind: 'regex_extract', column: 'age', pattern: '(\\d+)-\\d+', output: 'age_low' });
    expect(s('one_hot')).toEqual({ kind: 'one_hot', columns: ['race'], unseen: 'other', other: true }); // Data Wrangler's "Keep"
    expect(s('ordinal_encode')).toEqual({ kind: 'ordinal_encode', columns: ['age'], unseen: 'missing' }); // "Replace with NaN"
    expect(s('scale')).toEqual({ kind: 'scale', columns: ['num_medications'], method: 'standard' });
    expect(s('clip_outliers')).toEqual({ kind: 'clip_outliers', columns: ['num_lab_procedures'], method: 'robust_stdev', k: 4 });
  });

  it('turns PySpark code and an untranslatable formula into placeholders with their code; custom SQL and Vectorize into steps', () => {
    const placeholders = r.flow.steps.filter((s) => s.kind === 'todo_custom_code');
    expect(placeholders.map((p) => [p.node, p.language])).toEqual([
      ['n17', 'spark-sql'],
      ['n22', 'pyspark'],
    ]);
    expect(placeholders[0]!.code).toBe('days = datediff(current_date(), admit_date)');
    expect(placeholders[1]!.code).toContain('F.lit(1)');
    // n24, featurize text "Vectorize" with Data Wrangler's defaults
    expect(r.flow.steps.find((s) => s.kind === 'vectorize_text')).toEqual({ kind: 'vectorize_text', column: 'notes', max_features: 10000 });
    // n23's `SELECT * FROM df WHERE age > 18`
    expect(r.flow.steps.find((s) => s.kind === 'filter_rows')).toEqual({ kind: 'filter_rows', expression: 'age > 18' });
    const notes = r.notes.filter((n) => n.level === 'placeholder');
    expect(notes.map((n) => n.node)).toEqual(['n17', 'n22']);
    expect(notes[0]!.message).toContain('Spark SQL function current_date() has no translation');
  });

  it('reports what it did not import, never dropping a node silently', () => {
    expect(r.notes.some((n) => n.node === 'n80' && n.level === 'warning' && n.message.includes('not imported'))).toBe(true);
    expect(r.notes.some((n) => n.node === 'n73' && n.message.includes('histogram'))).toBe(true);
    expect(r.flow.target).toBe('num_medications');
    expect(r.flow.report).toEqual({ problem_type: 'regression', correlation: 'both' });
  });

  it('without its placeholders, the imported flow passes parseFlow (schemas, expressions, regular expressions)', () => {
    const rest = { ...r.flow, steps: r.flow.steps.filter((s) => s.kind !== 'todo_custom_code') };
    const spec = parseFlow(JSON.stringify(rest), 'operators-without-placeholders.json');
    expect(spec.steps).toHaveLength(r.flow.steps.length - 2);
  });

  it('checks each produced step against this build: every step that exists validates', () => {
    for (const s of r.flow.steps) {
      const def = stepDef(s.kind);
      if (def) expect(def.schema.safeParse(s).success, JSON.stringify(s)).toBe(true);
      else expect(s.kind === 'todo_custom_code' || r.notes.some((n) => n.message.includes(`became a ${s.kind} step`))).toBe(true);
    }
  });
});

describe('bad input gets a SluiceError naming the file, what is wrong and how to fix it', () => {
  it('not JSON', () => {
    const e = errorOf(() => importFixture('not-json.flow'));
    expect(e.code).toBe('WRANGLER_NOT_JSON');
    expect(e.location).toMatchObject({ file: `${DIR}/not-json.flow`, line: 1, column: 1 });
    expect(e.hint).toContain('flow validate');
  });

  it('JSON without nodes, and with an empty node list', () => {
    const a = errorOf(() => importFixture('no-nodes.flow'));
    expect(a.code).toBe('WRANGLER_INVALID');
    expect(a.message).toContain('no "nodes" list');
    const b = errorOf(() => importFixture('empty-nodes.flow'));
    expect(b.message).toContain('without nodes');
    expect(errorOf(() => importWranglerFlow([1, 2], { file: 'array.flow' })).code).toBe('WRANGLER_INVALID');
    expect(errorOf(() => importWranglerFlow({ nodes: [{ node_id: 'a' }] }, { file: 'x.flow' })).message).toContain('node "a" has no operator');
  });

  it('a cycle', () => {
    const e = errorOf(() => importFixture('cycle.flow'));
    expect(e.code).toBe('WRANGLER_CYCLE');
    expect(e.message).toMatch(/n0[23] -> n0[23] -> n0[23]/);
  });

  it('an input that names no node', () => {
    const e = errorOf(() => importFixture('dangling.flow'));
    expect(e.code).toBe('WRANGLER_DANGLING_INPUT');
    expect(e.message).toContain('"does-not-exist"');
    expect(e.location?.field).toBe('nodes[1].inputs[0].node_id');
  });

  it('an unknown operator is a placeholder with a note, and the flow does not validate', () => {
    const r = importFixture('unknown-operator.flow');
    expect(r.flow.steps).toEqual([
      { kind: 'todo_custom_code', node: 'n02', language: 'data-wrangler', code: expect.stringContaining('"frequency": "1D"'), name: 'Resample' },
    ]);
    expect(r.notes[0]).toMatchObject({ level: 'placeholder', node: 'n02', operator: 'sagemaker.spark.time_series_0.1' });
    expect(errorOf(() => parseFlow(r.yaml, 'unknown.flow.yaml')).code).toBe('FLOW_PLACEHOLDER');
  });
});

// The fixture is the seed copied byte for byte (CI must not depend on ../shared); the hash says so.
describe('the seed fixture', () => {
  it('is the Data Wrangler flow of the AWS sample, unchanged', () => {
    const bytes = readFileSync(SEED);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe('76e2b347f640697b7967e99f5682664b858d84cc3a04752af6014ca7f17c894d');
    expect((JSON.parse(bytes.toString('utf8')) as { nodes: unknown[] }).nodes).toHaveLength(16);
  });
});
