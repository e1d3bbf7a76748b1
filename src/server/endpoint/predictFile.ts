import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../../core/errors.js';
import type { Engine } from '../../engine/Engine.js';
import { readTable } from '../../engine/readTable.js';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { writeTable } from '../../engine/writeTable.js';
import { BAD_VALUE, coerceValue } from './coerceValue.js';
import { isRecordError, type Predictor } from './Predictor.js';

export interface PredictFileResult {
  rows: number;
  /** Rows that could not be predicted (their prediction columns are empty, `prediction_error` says why). */
  failed: number;
  labels: string[];
}

/** Rows scored per round trip to DuckDB. */
const CHUNK = 10_000;

/**
 * Batch predictions for a data file (CSV, Parquet, JSON lines) with the same predictor the
 * endpoint serves. The output (CSV or Parquet, by extension, written atomically) is the input
 * with `predicted_label`, one `probability_<label>` column per class and `prediction_error`
 * appended, row for row in input order. A row that cannot be predicted does not stop the batch;
 * it is counted and explained in `prediction_error`.
 */
export async function predictFile(engine: Engine, predictor: Predictor, input: string, output: string, onProgress?: (done: number, total: number) => void): Promise<PredictFileResult> {
  const raw = engine.tempName('predict_in');
  const info = await readTable(engine, input, { name: raw });
  const have = new Set(info.columns.map((c) => c.name));
  const missing = predictor.inputs.filter((c) => !have.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new SluiceError('PREDICT_MISSING_COLUMN', `${input} has no column ${missing.map((m) => `"${m}"`).join(', ')}, which model ${predictor.name} version ${predictor.version} needs`, {
      location: { file: input, field: missing[0]! },
      hint: `the model needs ${predictor.inputs.map((c) => c.name).join(', ')}`,
    });
  }
  const labels = [...predictor.labels];
  const probCols = labels.map((l) => `probability_${l}`);
  const clash = ['predicted_label', 'prediction_error', ...probCols].find((c) => have.has(c));
  if (clash) {
    throw new SluiceError('PREDICT_COLUMN_CLASH', `${input} already has a column "${clash}"`, { location: { file: input, field: clash }, hint: 'rename or drop that column first' });
  }
  const tmp = join(tmpdir(), `sluice-predictions-${process.pid}-${randomBytes(4).toString('hex')}.jsonl`);
  const lines: string[] = [];
  let failed = 0;
  try {
    const cols = predictor.inputs.map((c) => quoteIdent(c.name)).join(', ');
    for (let offset = 0; offset < info.rows; offset += CHUNK) {
      const rows = await engine.query(`SELECT ${cols} FROM ${quoteIdent(raw)} LIMIT ${CHUNK} OFFSET ${offset}`);
      const records: Record<string, unknown>[] = [];
      const bad = new Map<number, string>();
      rows.forEach((r, i) => {
        const rec: Record<string, unknown> = {};
        for (const c of predictor.inputs) {
          const v = coerceValue(r[c.name] instanceof Date ? (r[c.name] as Date).toISOString() : r[c.name], c.type);
          if (v === BAD_VALUE) bad.set(i, `"${c.name}" is ${JSON.stringify(r[c.name])}, not ${c.type}`);
          rec[c.name] = v === BAD_VALUE ? null : v;
        }
        records.push(rec);
      });
      const results = await predictor.predict(records);
      results.forEach((res, i) => {
        const out: Record<string, unknown> = { predicted_label: null, prediction_error: null };
        for (const p of probCols) out[p] = null;
        const why = bad.get(i) ?? (isRecordError(res) ? res.error.message : undefined);
        if (why !== undefined) {
          failed++;
          out.prediction_error = `row ${offset + i + 1}: ${why}`;
        } else if (!isRecordError(res)) {
          out.predicted_label = res.predicted_label;
          res.probabilities.forEach((p, k) => (out[probCols[k]!] = p));
        }
        lines.push(JSON.stringify(out));
      });
      onProgress?.(Math.min(offset + CHUNK, info.rows), info.rows);
    }
    await writeFile(tmp, lines.join('\n') + '\n');
    const types = [`'predicted_label': 'VARCHAR'`, ...probCols.map((p) => `${quoteLiteral(p)}: 'DOUBLE'`), `'prediction_error': 'VARCHAR'`].join(', ');
    // POSITIONAL JOIN pairs row i of the input with prediction i: both keep file order.
    await writeTable(
      engine,
      `SELECT r.*, p.${quoteIdent('predicted_label')}, ${probCols.map((c) => `p.${quoteIdent(c)}`).join(', ')}, p.${quoteIdent('prediction_error')}
       FROM ${quoteIdent(raw)} r POSITIONAL JOIN read_json(${quoteLiteral(tmp)}, format = 'newline_delimited', columns = {${types}}) p`,
      output,
    );
  } finally {
    await rm(tmp, { force: true });
    await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(raw)}`).catch(() => undefined);
  }
  return { rows: info.rows, failed, labels };
}
