/**
 * Shared by the ONNX export tests: score records with Sluice's serving path and with
 * onnxruntime-node on the exported graph, and generated data that exercises every step the
 * graph can hold.
 */
import * as ort from 'onnxruntime-node';
import { compileRecordTransform } from '../../src/flow/compileRecordTransform.js';
import type { FittedFlow } from '../../src/flow/fittedFlow.js';
import type { Model } from '../../src/ml/model.js';
import type { OnnxExportSummary } from '../../src/onnx/exportOnnx.js';
import { pruneForServing } from '../../src/server/endpoint/pruneForServing.js';
import { rowsToFrame } from '../../src/server/endpoint/rowsToFrame.js';
import { rng, writeCsv } from '../support/data.js';

type Row = Record<string, unknown>;

/** Sluice's outputs for raw records, through the serving path (record transform, then the model). */
export function sluiceOutputs(model: Model, fitted: FittedFlow, records: Row[]): Float64Array {
  const transform = compileRecordTransform(
    pruneForServing(
      fitted,
      model.schema.map((s) => s.name),
    ),
  );
  const rows = transform(records).map((r, i) => {
    if (!r.ok) throw new Error(`record ${i}: ${r.error.message}`);
    return r.row;
  });
  return model.output(rowsToFrame(rows, model.schema));
}

/** The records as the graph's inputs: the flow's first `startsAfter` steps applied first (record path). */
export function graphFeeds(summary: OnnxExportSummary, fitted: FittedFlow, records: Row[]): Record<string, ort.Tensor> {
  let rows = records;
  if (summary.startsAfter > 0) {
    const head: FittedFlow = { ...fitted, steps: fitted.steps.slice(0, summary.startsAfter), output: fitted.steps[summary.startsAfter - 1]!.output };
    rows = compileRecordTransform(head)(records).map((r) => {
      if (!r.ok) throw new Error(r.error.message);
      return r.row;
    });
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of summary.inputs) {
    const values = rows.map((r) => r[input.name]);
    feeds[input.name] =
      input.tensor === 'double'
        ? new ort.Tensor(
            'float64',
            Float64Array.from(values, (v) => (v === null || v === undefined || v === '' ? NaN : Number(v))),
            [rows.length, 1],
          )
        : new ort.Tensor(
            'string',
            values.map((v) => (v === null || v === undefined ? '' : String(v))),
            [rows.length, 1],
          );
  }
  return feeds;
}

/** Runs the exported graph; returns the probability (or value) matrix and the labels. */
export async function onnxOutputs(
  bytes: Uint8Array,
  summary: OnnxExportSummary,
  feeds: Record<string, ort.Tensor>,
): Promise<{ values: Float64Array; labels?: string[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run(feeds);
  if (summary.task === 'classification') {
    return { values: out[summary.outputs[1]!.name]!.data as Float64Array, labels: Array.from(out[summary.outputs[0]!.name]!.data as string[]) };
  }
  return { values: out[summary.outputs[0]!.name]!.data as Float64Array };
}

/** The largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * A CSV with a numeric column with missing values (`dose`), an integer one (`visits`), a text
 * category with missing values (`color`), an integer category (`ward`), an ordered grade, a
 * boolean, free text kept as a categorical feature (`site`), a regression target (`cost`) and
 * a 3-class target (`outcome`) whose binary form is `readmit`.
 */
export function writeMixedCsv(dir: string, n: number, seed = 1): string {
  const r = rng(seed);
  const colors = ['red', 'blue', 'green', 'white', 'black', 'teal'];
  const grades = ['low', 'mid', 'high'];
  const sites = ['north', 'south', 'east', 'west', 'central'];
  const rows: unknown[][] = [];
  for (let i = 0; i < n; i++) {
    const dose = r() < 0.15 ? null : Math.round((r() * 100 - 20) * 1000) / 1000;
    const visits = r() < 0.1 ? null : Math.floor(r() * 12);
    const color = r() < 0.1 ? null : colors[Math.floor(r() ** 2 * colors.length)]!;
    const ward = 1 + Math.floor(r() * 5);
    const grade = r() < 0.05 ? null : grades[Math.floor(r() * 3)]!;
    const flag = r() < 0.5;
    const site = sites[Math.floor(r() * sites.length)]!;
    const score =
      (dose ?? 40) / 30 +
      (visits ?? 3) / 4 +
      (color === 'red' ? 1.5 : 0) +
      (grade === 'high' ? 1 : 0) +
      (flag ? 0.7 : 0) +
      (site === 'east' ? -1 : 0) +
      ward * 0.2 +
      (r() - 0.5) * 3;
    const outcome = score < 2.5 ? 'home' : score < 4 ? 'rehab' : 'readmitted';
    rows.push([dose, visits, color, ward, grade, flag, site, Math.round(score * 1000) / 10, outcome, outcome === 'readmitted' ? 'yes' : 'no']);
  }
  return writeCsv(dir, 'mixed.csv', ['dose', 'visits', 'color', 'ward', 'grade', 'flag', 'site', 'cost', 'outcome', 'readmit'], rows);
}

/** A flow over the mixed data with every step kind the graph holds. */
export function mixedFlowYaml(target: string, others: string[]): string {
  return [
    'version: 1',
    'name: mixed',
    `target: ${target}`,
    'steps:',
    `  - kind: drop_columns`,
    `    columns: [${others.join(', ')}]`,
    '  - kind: impute',
    '    columns: [dose]',
    '    strategy: median',
    '  - kind: impute',
    '    columns: [color]',
    '    strategy: mode',
    '  - kind: scale',
    '    columns: [dose, visits]',
    '    method: standard',
    '  - kind: one_hot',
    '    columns: [color]',
    '    top_k: 3',
    '    other: true',
    '  - kind: one_hot',
    '    columns: [ward]',
    '    unseen: missing',
    '  - kind: ordinal_encode',
    '    columns: [grade]',
    '    order: { grade: [low, mid, high] }',
    '  - kind: rename_columns',
    '    mapping: { visits: visit_count }',
    '',
  ].join('\n');
}
