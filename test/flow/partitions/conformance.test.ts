import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Engine } from '../../../src/engine/Engine.js';
import { readTable } from '../../../src/engine/readTable.js';
import { fitFlow } from '../../../src/flow/fitFlow.js';
import type { FlowSpec } from '../../../src/flow/flowSchema.js';
import { parseFlow } from '../../../src/flow/loadFlow.js';
import { readInputs } from '../../../src/flow/loadInputs.js';
import { momentsOf } from '../../../src/flow/partitions/columnSummaries.js';
import { add, divide, fromDouble, mul, toText, ZERO } from '../../../src/flow/partitions/ExactSum.js';
import { FITS_WITHOUT_ROWS, PARTIAL_FITS } from '../../../src/flow/partitions/partialFits.js';
import { fitPartitioned } from '../../../src/flow/partitions/fitPartitioned.js';
import { WHOLE_BATCH } from '../../../src/flow/partitions/partitionProblems.js';
import { STEPS } from '../../../src/flow/steps/index.js';

/**
 * Every step kind that learns from the batch, fitted once on the whole diabetes file and once
 * from the merged summaries of its 4 partitions: the fitted flows must be the same.
 */

/** Steps before the fitted one, so the data has what every kind needs: a float with missing values, text, a date. */
const PREFACE = `
- { kind: compute, output: lab_score, type: float, expression: "CASE WHEN num_lab_procedures % 9 = 0 THEN NULL ELSE num_lab_procedures / (time_in_hospital + 0.7) END" }
- { kind: compute, output: note, type: string, expression: "CASE WHEN age % 20 = 5 THEN NULL ELSE race || ' patient, ' || gender || ' ' || CAST(age AS VARCHAR) END" }
- { kind: compute, output: age_text, type: string, expression: "CAST(age AS VARCHAR)" }
- { kind: compute, output: flag_text, type: string, expression: "CASE WHEN change = 1 THEN 'yes' ELSE 'no' END" }
- { kind: impute, columns: [num_medications], strategy: median }
`;

/** [name, step], one or more per method of every fitting kind. */
const CASES: Array<[string, string, { sums?: boolean }?]> = [
  ['impute mean (integer)', 'kind: impute\ncolumns: [time_in_hospital, num_lab_procedures]\nstrategy: mean'],
  ['impute mean (float)', 'kind: impute\ncolumns: [lab_score]\nstrategy: mean', { sums: true }],
  ['impute median', 'kind: impute\ncolumns: [lab_score, num_procedures]\nstrategy: median'],
  ['impute mode', 'kind: impute\ncolumns: [race, age, lab_score]\nstrategy: mode'],
  ['impute constant', 'kind: impute\ncolumns: [race]\nstrategy: constant\nvalue: unknown'],
  ['infer_types', 'kind: infer_types\ncolumns: [age_text, flag_text, note]'],
  ['vectorize_text', 'kind: vectorize_text\ncolumn: note\nmax_features: 12\nmin_df: 2\nmax_df: 0.9\nweighting: tfidf'],
  ['one_hot', 'kind: one_hot\ncolumns: [race, gender, age]\ntop_k: 4\nother: true\nunseen: error'],
  ['one_hot float', 'kind: one_hot\ncolumns: [lab_score]\ntop_k: 5'],
  ['ordinal_encode', 'kind: ordinal_encode\ncolumns: [race, age]\norder: { gender: [female, male] }'],
  ['scale standard (integer)', 'kind: scale\ncolumns: [num_lab_procedures, time_in_hospital]\nmethod: standard', { sums: true }],
  ['scale standard (float)', 'kind: scale\ncolumns: [lab_score]\nmethod: standard', { sums: true }],
  ['scale robust', 'kind: scale\ncolumns: [lab_score, num_medications]\nmethod: robust'],
  ['scale minmax', 'kind: scale\ncolumns: [lab_score, age]\nmethod: minmax'],
  ['scale maxabs', 'kind: scale\ncolumns: [lab_score]\nmethod: maxabs'],
  ['clip_outliers quantile', 'kind: clip_outliers\ncolumns: [lab_score, num_lab_procedures]\nmethod: quantile\nlower_quantile: 0.05\nupper_quantile: 0.95'],
  ['clip_outliers stdev (integer)', 'kind: clip_outliers\ncolumns: [num_lab_procedures]\nmethod: stdev\nk: 2', { sums: true }],
  ['clip_outliers stdev (float)', 'kind: clip_outliers\ncolumns: [lab_score]\nmethod: stdev\nk: 2', { sums: true }],
  ['clip_outliers robust_stdev', 'kind: clip_outliers\ncolumns: [lab_score, num_medications]\nmethod: robust_stdev\nk: 2'],
  ['bin equal_width', 'kind: bin\ncolumn: lab_score\nmethod: equal_width\nbins: 7'],
  ['bin quantile', 'kind: bin\ncolumn: lab_score\nmethod: quantile\nbins: 5'],
  ['bin quantile (integer)', 'kind: bin\ncolumn: num_medications\nmethod: quantile\nbins: 3'],
  ['filter_rows', 'kind: filter_rows\nexpression: age >= 40'],
  ['join', 'kind: join\nwith: race_groups\nhow: left\non: [race]'],
];

let engine: Engine;
let dir: string;
const parts: string[] = [];

beforeAll(async () => {
  // One thread: the tables are one row group each (under 122,880 rows), which DuckDB scans in one
  // thread anyway; a second only adds scheduling to each of the file's ~2,700 small queries.
  engine = await Engine.open({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), 'sluice-partitions-'));
  await readTable(engine, 'examples/diabetes/diabetic-readmission.csv', { name: 'csv' });
  // The whole batch and its 4 partitions (unequal, contiguous), as Parquet files read back into
  // tables: what is compared is the fitting, not the reading (runPartitioned.test.ts and cli.test.ts
  // fit partitions read as views); as views, every one of the queries read the files again, 14 CPU-s
  // for the file against 8.5.
  await engine.exec(`COPY (SELECT * FROM csv) TO '${join(dir, 'whole.parquet')}' (FORMAT parquet)`);
  await readTable(engine, join(dir, 'whole.parquet'), { name: 'whole' });
  const bounds = [0, 9000, 31000, 52000, 69570];
  for (let p = 0; p < 4; p++) {
    const file = join(dir, `part-${p}.parquet`);
    await engine.exec(
      `COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER () AS rn FROM whole) WHERE rn > ${bounds[p]} AND rn <= ${bounds[p + 1]} ORDER BY rn) TO '${file}' (FORMAT parquet)`,
    );
    await readTable(engine, file, { name: `part${p}` });
    parts.push(`part${p}`);
  }
}, 120_000);
afterAll(() => {
  engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The flow as `sluice flow run` reads it (defaults filled in by the schema). */
function flowOf(step: string): FlowSpec {
  const indent = (yaml: string) =>
    yaml
      .trim()
      .split('\n')
      .map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`))
      .join('\n');
  return parseFlow(
    `version: 1\nname: conformance\ntarget: readmitted\ninputs:\n  race_groups: { file: race-groups.csv }\nsteps:\n${PREFACE.trim()
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n')}\n${indent(step)}\n`,
  );
}

const sides = () => readInputs(engine, { race_groups: { file: 'race-groups.csv', steps: [] } } as never, { baseDir: 'examples/diabetes' });

/**
 * Numbers equal, or within a relative `tolerance`: DuckDB's avg and stddev add doubles in an
 * order of their own and round on the way (Welford's method), so on this data they are off by up
 * to ~1e-14 relative, while the merged fit is rounded once from exact sums (below, and checked
 * with Python's fractions: the mean of lab_score is 10.916760741223685, DuckDB 10.916760741223552).
 */
function close(a: unknown, b: unknown, tolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => close(x, b[i], tolerance));
  if (a && b && typeof a === 'object' && typeof b === 'object')
    return (
      JSON.stringify(Object.keys(a).sort()) === JSON.stringify(Object.keys(b).sort()) &&
      Object.keys(a).every((k) => close((a as never)[k], (b as never)[k], tolerance))
    );
  return a === b;
}

describe('a flow fitted on 4 partitions is the flow fitted on the whole file', () => {
  it('every step kind that learns from data has a mergeable summary, learns from no row, or is refused', () => {
    const learning = STEPS.filter((s) => s.fit || s.batch).map((s) => s.kind);
    const uncovered = learning.filter((k) => !PARTIAL_FITS[k] && !FITS_WITHOUT_ROWS.has(k) && !WHOLE_BATCH[k]);
    expect(uncovered).toEqual([]);
    const tested = new Set(CASES.map(([, step]) => (parse(step) as { kind: string }).kind));
    expect([...Object.keys(PARTIAL_FITS), ...FITS_WITHOUT_ROWS].filter((k) => !tested.has(k))).toEqual([]);
  });

  for (const [name, step, how] of CASES) {
    it(name, async () => {
      const spec = flowOf(step);
      const single = await fitFlow(engine, spec, 'whole', { inputs: await sides() });
      const merged = await fitPartitioned(engine, spec, parts, { inputs: await sides() });
      const one = await fitPartitioned(engine, spec, ['whole'], { inputs: await sides() });
      const last = spec.steps.length - 1;
      // Partition-independent to the last bit: 1 partition or 4 give the same fitted flow.
      expect(merged.steps.map((s) => s.fitted)).toEqual(one.steps.map((s) => s.fitted));
      const a = merged.steps[last]!.fitted;
      const b = single.fitted.steps[last]!.fitted;
      if (how?.sums) expect(close(a, b, 1e-13), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(true);
      else expect(a).toEqual(b);
      expect(merged.steps.map((s) => s.output)).toEqual(single.fitted.steps.map((s) => s.output));
      expect(merged.rows.in).toBe(69570);
      expect((merged.dropped ?? []).map((d) => d.rows)).toEqual((single.fitted.dropped ?? []).map((d) => d.rows));
      expect(merged.notes ?? []).toEqual([]);
    }, 120_000);
  }

  it('the sums behind means and standard deviations are exact: each partition summed in DuckDB is the exact sum of its doubles', async () => {
    for (const p of parts) {
      for (const [column, expr] of [
        ['lab_score', 'CASE WHEN num_lab_procedures % 9 = 0 THEN NULL ELSE num_lab_procedures / (time_in_hospital + 0.7) END'],
        ['num_lab_procedures', 'num_lab_procedures'],
      ] as const) {
        await engine.exec(`CREATE OR REPLACE TEMP VIEW m AS SELECT ${expr} AS ${column} FROM ${p}`);
        const type = column === 'lab_score' ? ('float' as const) : ('integer' as const);
        const got = await momentsOf({ columns: [{ name: column, type }], target: undefined, mode: 'train', index: 0, engine, relation: 'm' }, column);
        const values = (await engine.query<{ v: number }>(`SELECT ${column}::DOUBLE AS v FROM m WHERE ${column} IS NOT NULL`)).map((r) => r.v);
        const sum = values.reduce((t, v) => add(t, fromDouble(v)), ZERO);
        const sumSq = values.reduce((t, v) => add(t, mul(fromDouble(v), fromDouble(v))), ZERO);
        expect(got).toEqual({ n: values.length, sum: toText(sum), sumSq: toText(sumSq) });
      }
    }
    // and the mean rounds once: Python's fractions give 10.916760741223685 for lab_score
    const whole = await engine.query<{ v: number }>(`SELECT num_lab_procedures / (time_in_hospital + 0.7) AS v FROM whole WHERE num_lab_procedures % 9 <> 0`);
    const exactSum = whole.reduce((t, r) => add(t, fromDouble(r.v)), ZERO);
    expect(divide(exactSum, BigInt(whole.length))).toBe(10.916760741223685);
  }, 120_000);

  it('quantiles from sketches (few exact values allowed) stay within the rank error they note', async () => {
    const spec = flowOf('kind: scale\ncolumns: [lab_score]\nmethod: robust');
    const merged = await fitPartitioned(engine, spec, parts, { inputs: await sides(), distribution: { exactLimit: 50, sketchSize: 128 } });
    const fitted = merged.steps.at(-1)!.fitted as { params: Record<string, { center: number; scale: number }> };
    const notes = (merged.notes ?? []).filter((n) => n.step === spec.steps.length - 1).map((n) => n.message);
    expect(notes.length).toBe(3); // the median and both quartiles
    const sorted = (
      await engine.query<{ v: number }>(
        `SELECT v FROM (SELECT num_lab_procedures / (time_in_hospital + 0.7) AS v, num_lab_procedures AS l FROM whole) WHERE l % 9 <> 0 ORDER BY v`,
      )
    ).map((r) => r.v);
    const error = Number(/within (\d+) ranks/.exec(notes[0]!)![1]);
    expect(error).toBeGreaterThan(0);
    expect(error).toBeLessThanOrEqual(sorted.length / 128); // n / B
    const h = 0.5 * (sorted.length - 1);
    expect(fitted.params.lab_score!.center).toBeGreaterThanOrEqual(sorted[Math.floor(h - error)]!);
    expect(fitted.params.lab_score!.center).toBeLessThanOrEqual(sorted[Math.ceil(h + error)]!);
  }, 120_000);
});
