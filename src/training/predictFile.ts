import { SluiceError } from '../core/errors.js';
import { logicalToDuckType, type ColumnSchema } from '../core/types.js';
import { frameFromView } from '../data/frameFromView.js';
import { Engine } from '../engine/Engine.js';
import { atomicWriteFile } from '../engine/atomicWriteFile.js';
import { readTable } from '../engine/readTable.js';
import { quoteIdent } from '../engine/sql.js';
import { planSql, requiredInputs } from '../flow/planSql.js';
import { alignFrame } from '../ml/align.js';
import { argmaxRows } from '../ml/metrics/argmax.js';
import { loadArtifact, type Artifact } from './loadArtifact.js';

export interface Predictions {
  /** Column names of the output, in order. */
  columns: string[];
  /** The record ids, when the flow makes them. */
  recordIds?: unknown[];
  /** Classification: predicted label per row and probabilities (row-major, label order). */
  labels?: string[];
  predicted?: string[];
  proba?: Float64Array;
  /** Regression: the predicted values. */
  values?: Float64Array;
  rows: number;
}

/**
 * Scores a data file with a trained model: checks the raw columns the fitted flow needs (each
 * missing or mistyped column is an error naming it), applies the fitted flow in serve mode
 * (no target, no row-removing steps, so every input row gets a prediction, in input order),
 * then the model. Deterministic: the same model and file give the same bytes.
 *
 * @example
 * await predictFile('out', 'new.csv', { out: 'predictions.csv' });
 */
export async function predictFile(modelPath: string | Artifact, dataPath: string, options: { out?: string } = {}): Promise<Predictions> {
  const artifact = typeof modelPath === 'string' ? await loadArtifact(modelPath) : modelPath;
  const { model, fitted } = artifact;
  const engine = await Engine.open({ memoryLimit: process.env.SLUICE_MEMORY_LIMIT ?? '1GB' });
  let predictions: Predictions;
  try {
    const input = engine.tempName('predict_input');
    const info = await readTable(engine, dataPath, { name: input });
    await checkInputs(engine, input, info.columns, requiredInputs(fitted, 'serve'), dataPath);
    const view = engine.tempName('predict_applied');
    await engine.exec(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS ${planSql(fitted, input, info.columns, 'serve', dataPath)}`);
    const recordId = fitted.flow.record_id && fitted.output.some((c) => c.name === fitted.flow.record_id) ? fitted.flow.record_id : undefined;
    const loaded = await frameFromView(engine, view, {
      features: model.schema.map((s) => ({ name: s.name, kind: s.kind })),
      ...(recordId ? { extra: [recordId] } : {}),
    });
    const output = model.output(alignFrame(model.schema, loaded.frame));
    const n = loaded.frame.nRows;
    const head = recordId ? [recordId] : [];
    if (model.task === 'classification') {
      const codes = argmaxRows(output, model.labels.length);
      predictions = {
        columns: [...head, 'predicted_label', ...model.labels.map((l) => `probability_${l}`)],
        labels: model.labels,
        predicted: Array.from(codes, (c) => model.labels[c]!),
        proba: output,
        rows: n,
      };
    } else {
      predictions = { columns: [...head, 'prediction'], values: output, rows: n };
    }
    if (recordId) predictions.recordIds = loaded.extra[0] ?? [];
  } finally {
    engine.close();
  }
  if (options.out) await atomicWriteFile(options.out, predictionsCsv(predictions));
  return predictions;
}

/** The predictions as CSV: numbers in their shortest exact form, text quoted when needed. */
export function predictionsCsv(p: Predictions): string {
  const lines = [p.columns.map(csvCell).join(',')];
  const k = p.labels?.length ?? 0;
  for (let i = 0; i < p.rows; i++) {
    const cells: string[] = [];
    if (p.recordIds) cells.push(csvCell(p.recordIds[i]));
    if (p.predicted && p.proba) {
      cells.push(csvCell(p.predicted[i]));
      for (let j = 0; j < k; j++) cells.push(String(p.proba[i * k + j]));
    } else if (p.values) {
      cells.push(String(p.values[i]));
    }
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'bigint' ? v.toString() : String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Every required column present, and convertible to the type it had at training time. */
async function checkInputs(engine: Engine, relation: string, present: ColumnSchema[], required: ColumnSchema[], file: string): Promise<void> {
  const have = new Map(present.map((c) => [c.name, c]));
  const missing = required.filter((c) => !have.has(c.name));
  if (missing.length > 0) {
    throw new SluiceError('PREDICT_MISSING_COLUMN', `${file} has no column ${missing.map((c) => `"${c.name}"`).join(', ')}, which the model needs`, {
      location: { file, field: missing[0]!.name },
      hint: `the model needs the columns ${required.map((c) => `${c.name} (${c.type})`).join(', ')}`,
    });
  }
  for (const c of required) {
    const got = have.get(c.name)!;
    if (got.type === c.type) continue;
    const col = quoteIdent(c.name);
    const bad = await engine.query<{ v: string }>(
      `SELECT CAST(${col} AS VARCHAR) AS v FROM ${quoteIdent(relation)} WHERE ${col} IS NOT NULL AND TRY_CAST(${col} AS ${logicalToDuckType(c.type)}) IS NULL LIMIT 1`,
    );
    if (bad.length > 0) {
      throw new SluiceError('PREDICT_BAD_TYPE', `column "${c.name}" of ${file} is ${got.type}, the model needs ${c.type}: the value "${bad[0]!.v}" cannot be read as ${c.type}`, {
        location: { file, field: c.name },
        hint: `give "${c.name}" ${c.type} values, as in the training data`,
      });
    }
  }
}
