/**
 * Feature-engineering steps benchmark: a flow of the fitting steps (missing indicators, impute,
 * robust clipping, standard scaling, quantile bins, one-hot with other, ordinal, stratified split)
 * fitted and applied on the diabetes data in DuckDB, the same flow on records, and the same steps
 * in pandas + scikit-learn. Transform time only: every side reads the data once, before timing.
 * Run: node --import tsx bench/steps/featuresBench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { compileRecordTransform } from '../../src/flow/compileRecordTransform.js';
import { fitFlow } from '../../src/flow/fitFlow.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { planSql } from '../../src/flow/planSql.js';
import { writeTable } from '../../src/engine/writeTable.js';
import { PYTHON, ensureDebianPython, fmt, median, timed } from '../lib.js';

const DATA = 'examples/diabetes/diabetic-readmission.csv';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COPIES = Number(process.env.BENCH_COPIES ?? 16);

export const FEATURES_FLOW = `
version: 1
name: diabetes-features
target: readmitted
steps:
  - { kind: missing_indicator, columns: [time_in_hospital, num_medications] }
  - { kind: impute, columns: [time_in_hospital, num_medications, number_diagnoses], strategy: median }
  - { kind: clip_outliers, columns: [num_lab_procedures, num_medications], method: robust_stdev, k: 3 }
  - { kind: scale, columns: [num_lab_procedures, num_medications, time_in_hospital], method: standard }
  - { kind: bin, column: age, method: quantile, bins: 4 }
  - { kind: one_hot, columns: [race, max_glu_serum, a1c_result], top_k: 5, other: true, unseen: other }
  - { kind: ordinal_encode, columns: [gender] }
  - { kind: split, fractions: { train: 0.7, validation: 0.15, test: 0.15 }, seed: 1, stratify_by: readmitted }
`;

/** Fit + materialize, median of RUNS, in seconds; and the apply-only time of the fitted flow. */
async function sluice(engine: Engine, table: string): Promise<{ fit: number; apply: number; rows: number; cols: number }> {
  const spec = parseFlow(FEATURES_FLOW, 'features.flow.yaml');
  const fitTimes: number[] = [];
  const applyTimes: number[] = [];
  let rows = 0;
  let cols = 0;
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    const { fitted, relation } = await fitFlow(engine, spec, table);
    await engine.exec(`CREATE OR REPLACE TEMP TABLE out_fit AS SELECT * FROM "${relation}"`);
    fitTimes.push((performance.now() - t) / 1000);
    t = performance.now();
    await engine.exec(`CREATE OR REPLACE TEMP TABLE out_apply AS ${planSql(fitted, table, await engine.describe(table), 'train')}`);
    applyTimes.push((performance.now() - t) / 1000);
    rows = await engine.count('out_fit');
    cols = (await engine.describe('out_fit')).length;
  }
  return { fit: median(fitTimes), apply: median(applyTimes), rows, cols };
}

export async function featuresBench(): Promise<string> {
  const lines: string[] = [];
  // a spill folder of its own: DuckDB instances sharing one can delete each other's files
  const spill = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const engine = await Engine.open({ threads: 2, memoryLimit: '1GB', tempDirectory: spill });
  await readTable(engine, DATA, { name: 'diabetes' });
  const small = await sluice(engine, 'diabetes');

  // the record path: every row of the data set as a record, through the fitted flow
  const { fitted } = await fitFlow(engine, parseFlow(FEATURES_FLOW), 'diabetes');
  const records = await engine.query('SELECT * EXCLUDE (readmitted) FROM diabetes');
  const transform = compileRecordTransform(fitted);
  const recTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const out = transform(records);
    recTimes.push((performance.now() - t) / 1000);
    if (!out.every((r) => r.ok)) throw new Error('a record failed');
  }
  const rec = median(recTimes);
  const single: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    transform([records[i]!]);
    single.push((performance.now() - t) * 1000);
  }

  await engine.exec(`CREATE TABLE big AS SELECT * REPLACE (num_lab_procedures + (k % 7) AS num_lab_procedures) FROM diabetes, range(${COPIES}) t(k)`);
  const big = await sluice(engine, 'big');
  const bigCsv = join('bench/out', 'diabetes-x16.csv');
  await writeTable(engine, 'big', bigCsv);
  engine.close();
  rmSync(spill, { recursive: true, force: true });

  const hasPandas = ensureDebianPython(['pandas', 'sklearn'], ['python3-pandas', 'python3-sklearn']);
  const pd = hasPandas ? JSON.parse(timed(PYTHON, ['bench/steps/features_pandas.py', DATA, String(RUNS)]).stdout) : undefined;
  const pdBig = hasPandas ? JSON.parse(timed(PYTHON, ['bench/steps/features_pandas.py', bigCsv, String(Math.min(RUNS, 3))]).stdout) : undefined;

  lines.push('## Feature steps: 8 fitting steps on the diabetes data', '');
  lines.push(`Flow: \`FEATURES_FLOW\` in bench/steps/featuresBench.ts. DuckDB 2 threads; median of ${RUNS} runs; transform only (data already loaded).`, '');
  lines.push('| data | Sluice fit + materialize (s) | Sluice apply fitted (s) | pandas + scikit-learn (s) | ratio fit / pandas |', '|---|---|---|---|---|');
  lines.push(
    `| 69,570 rows → ${small.rows} rows × ${small.cols} cols | ${fmt(small.fit, 3)} | ${fmt(small.apply, 3)} | ${pd ? fmt(pd.seconds, 3) : 'n/a'} | ${pd ? fmt(small.fit / pd.seconds) : 'n/a'} |`,
  );
  lines.push(
    `| ${(69570 * COPIES).toLocaleString('en-US')} rows (${COPIES} copies) | ${fmt(big.fit, 3)} | ${fmt(big.apply, 3)} | ${pdBig ? fmt(pdBig.seconds, 3) : 'n/a'} | ${pdBig ? fmt(big.fit / pdBig.seconds) : 'n/a'} |`,
    '',
  );
  lines.push('Record path (serving, no database): the same fitted flow on JavaScript records.', '');
  lines.push('| measure | value |', '|---|---|');
  lines.push(`| 69,570 records in one call | ${fmt(rec, 3)} s (${fmt(records.length / rec / 1000, 0)}k records/s) |`);
  lines.push(`| one record per call, median of 2,000 | ${fmt(median(single), 1)} µs |`, '');
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write((await featuresBench()) + '\n');
}
