import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BAD_VALUE, coerceValue } from '../core/coerceValue.js';
import { SluiceError } from '../core/errors.js';
import { Engine } from '../engine/Engine.js';
import { atomicWriteFile } from '../engine/atomicWriteFile.js';
import { scanCsv } from '../engine/csvScan.js';
import { readTable } from '../engine/readTable.js';
import { quoteIdent, quoteLiteral } from '../engine/sql.js';
import { writeTable } from '../engine/writeTable.js';
import type { Row } from '../flow/step.js';
import { argmaxRows } from '../ml/metrics/argmax.js';
import { RecordScorer } from '../artifact/RecordScorer.js';
import { loadArtifact, type Artifact } from '../artifact/loadArtifact.js';
import { notesCsv, type PredictionNote } from './predictionNotes.js';

export type { PredictionNote } from './predictionNotes.js';

export interface PredictFileOptions {
  /** Where to write the predictions (written atomically). */
  out?: string;
  /**
   * `predictions` (the default, `sluice predict`): a CSV of the record id (when the flow makes
   * one), `predicted_label` and `probability_<label>` (regression: `prediction`).
   * `appended` (`sluice models predict`): the input row for row, plus those columns and
   * `prediction_error`, as CSV or Parquet by the extension of `out`.
   */
  layout?: 'predictions' | 'appended';
  /** Writes what was done to which cell (line, column, value, action, detail) as CSV. */
  errors?: string;
  /** Refuse the file on the first value that cannot be read as its column's type. */
  strict?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface Predictions {
  /** Column names of the prediction columns, in order. */
  columns: string[];
  /** The record ids, when the flow makes them. */
  recordIds?: unknown[];
  /** Classification: predicted label per row (null when the row was not scored) and probabilities (row-major, label order; NaN when not scored). */
  labels?: string[];
  predicted?: Array<string | null>;
  proba?: Float64Array;
  /** Regression: the predicted values (NaN when not scored). */
  values?: Float64Array;
  rows: number;
  /** Rows that got a prediction; `rows - scored` got a row-level error. */
  scored: number;
  /** Per row, why it was not scored (undefined when it was). */
  rowErrors: Array<string | undefined>;
  /** Every value read as missing and every row not scored, in row order. */
  notes: PredictionNote[];
}

/** Rows read from DuckDB and scored per round. */
const CHUNK = 10_000;

/**
 * Batch predictions for a data file (CSV, Parquet, JSON lines): the one code path of
 * `sluice predict` and `sluice models predict`, reading values by the endpoint's rules
 * (src/core/coerceValue.ts) and scoring them with the endpoint's scorer
 * (src/artifact/RecordScorer.ts).
 *
 * Only the raw columns the model depends on are required (the manifest's `inputSignature`); others are
 * ignored when present. Each value is read with the one definition of missing the flow was fitted
 * with; a value that cannot be read as its column's type becomes a missing value (the fitted flow
 * imputes it, the trees route it), and a note says so. A record the flow refuses (an unseen
 * category where the flow says `error`, ...) gets a row-level error; every other record is
 * scored, in input order. `strict` refuses the file at the first unreadable value instead.
 * Deterministic: the same model and file give the same bytes.
 *
 * @example
 * const p = await predictFile('out', 'new.csv', { out: 'predictions.csv', errors: 'notes.csv' });
 * console.log(`${p.scored} of ${p.rows} rows scored, ${p.notes.length} notes`);
 */
export async function predictFile(modelPath: string | Artifact, dataPath: string, options: PredictFileOptions = {}): Promise<Predictions> {
  const artifact = typeof modelPath === 'string' ? await loadArtifact(modelPath) : modelPath;
  const { model, fitted } = artifact;
  const layout = options.layout ?? 'predictions';
  const scorer = new RecordScorer(artifact, { recordId: true });
  const recordId = scorer.recordId;
  const required = scorer.inputs;
  const missing = scorer.missing;
  const file = dataPath;
  const engine = await Engine.open({ memoryLimit: process.env.SLUICE_MEMORY_LIMIT ?? '1GB' });
  const tmp = join(tmpdir(), `sluice-predictions-${process.pid}-${randomBytes(4).toString('hex')}.jsonl`);
  try {
    const raw = engine.tempName('predict_in');
    // Text stays text: each value is read as the model's input type below, dates in their trained format.
    const info = await readTable(engine, dataPath, { name: raw, missing, recognise: false });
    const have = new Map(info.columns.map((c) => [c.name, c]));
    const absent = required.filter((c) => !have.has(c.name));
    if (absent.length > 0) {
      throw new SluiceError('PREDICT_MISSING_COLUMN', `${file} has no column ${absent.map((c) => `"${c.name}"`).join(', ')}, which the model needs`, {
        location: { file, field: absent[0]!.name },
        hint: `the model needs the columns ${required.map((c) => `${c.name} (${c.type})`).join(', ')}; other columns are ignored`,
      });
    }
    const k = model.task === 'classification' ? model.labels.length : 1;
    const predCols = model.task === 'classification' ? ['predicted_label', ...model.labels.map((l) => `probability_${l}`)] : ['prediction'];
    if (layout === 'appended') {
      const clash = [...predCols, 'prediction_error'].find((c) => have.has(c));
      if (clash)
        throw new SluiceError('PREDICT_COLUMN_CLASH', `${file} already has a column "${clash}"`, {
          location: { file, field: clash },
          hint: 'rename or drop that column first',
        });
    }
    // Every fitted input the file has: the signature, plus what a record id's hash reads.
    const feed = fitted.input.filter((c) => c.name !== fitted.target && have.has(c.name));
    const n = info.rows;
    const out = new Float64Array(n * k).fill(Number.NaN);
    const rowErrors: Array<string | undefined> = new Array(n);
    const ids: unknown[] | undefined = recordId ? new Array(n).fill(null) : undefined;
    const pending: Array<Omit<PredictionNote, 'line'> & { row: number }> = [];
    const cols = feed.length > 0 ? feed.map((c) => quoteIdent(c.name)).join(', ') : '1 AS __none';
    let scored = 0;
    for (let offset = 0; offset < n; offset += CHUNK) {
      const rows = await engine.query(`SELECT ${cols} FROM ${quoteIdent(raw)} LIMIT ${CHUNK} OFFSET ${offset}`);
      let firstBad: (Omit<PredictionNote, 'line'> & { row: number; type: string }) | undefined;
      const records: Row[] = rows.map((r, i) => {
        const rec: Row = {};
        for (const c of feed) {
          const rawValue = r[c.name] instanceof Date ? (r[c.name] as Date).toISOString() : r[c.name];
          const v = coerceValue(rawValue, c.type, missing, c.format);
          if (v === BAD_VALUE) {
            const note = {
              row: offset + i,
              column: c.name,
              value: String(rawValue),
              action: 'read as missing' as const,
              detail: `not ${c.type === 'integer' ? 'an' : 'a'} ${c.type}`,
            };
            if (options.strict) firstBad ??= { ...note, type: c.type };
            else pending.push(note);
            rec[c.name] = null;
          } else rec[c.name] = v;
        }
        return rec;
      });
      if (firstBad) {
        const [located] = await withLines([firstBad], info.format === 'csv' ? dataPath : undefined);
        throw strictError(located!, firstBad.type, file);
      }
      const s = scorer.score(records);
      out.set(s.output, offset * k);
      scored += s.scored;
      s.refusals.forEach((refusal, i) => {
        const row = offset + i;
        if (ids) ids[row] = s.ids![i];
        if (!refusal) return;
        rowErrors[row] = refusal.message;
        const field = refusal.field;
        pending.push({
          row,
          column: field ?? '',
          value: field !== undefined && records[i]![field] !== undefined ? String(records[i]![field]) : '',
          action: 'not scored',
          detail: refusal.message,
        });
      });
      options.onProgress?.(Math.min(offset + CHUNK, n), n);
    }
    const notes = await withLines(pending, info.format === 'csv' ? dataPath : undefined);
    const predictions: Predictions = { columns: [...(recordId && layout === 'predictions' ? [recordId] : []), ...predCols], rows: n, scored, rowErrors, notes };
    if (ids) predictions.recordIds = ids;
    if (model.task === 'classification') {
      const codes = argmaxRows(out, k);
      predictions.labels = model.labels;
      predictions.proba = out;
      predictions.predicted = Array.from(codes, (c, i) => (rowErrors[i] === undefined ? model.labels[c]! : null));
    } else {
      predictions.values = out;
    }
    if (options.out && layout === 'predictions') await atomicWriteFile(options.out, predictionsCsv(predictions));
    if (options.out && layout === 'appended') await writeAppended(engine, raw, predictions, predCols, tmp, options.out);
    if (options.errors) await atomicWriteFile(options.errors, notesCsv(notes));
    return predictions;
  } finally {
    await rm(tmp, { force: true });
    engine.close();
  }
}

/** The predictions as CSV: numbers in their shortest exact form, text quoted when needed; a row not scored has empty cells. */
export function predictionsCsv(p: Predictions): string {
  const lines = [p.columns.map(csvCell).join(',')];
  const k = p.labels?.length ?? 0;
  const num = (x: number): string => (Number.isNaN(x) ? '' : String(x));
  for (let i = 0; i < p.rows; i++) {
    const cells: string[] = [];
    if (p.recordIds && p.columns.length > (p.labels ? k + 1 : 1)) cells.push(csvCell(p.recordIds[i]));
    if (p.predicted && p.proba) {
      cells.push(csvCell(p.predicted[i]));
      for (let j = 0; j < k; j++) cells.push(num(p.proba[i * k + j]!));
    } else if (p.values) {
      cells.push(num(p.values[i]!));
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

/** The input, row for row, with the prediction columns and `prediction_error` (CSV or Parquet). */
async function writeAppended(engine: Engine, raw: string, p: Predictions, predCols: string[], tmp: string, output: string): Promise<void> {
  const k = p.labels?.length ?? 1;
  const lines: string[] = [];
  for (let i = 0; i < p.rows; i++) {
    const o: Record<string, unknown> = {};
    if (p.predicted && p.proba) {
      o.predicted_label = p.predicted[i];
      for (let j = 0; j < k; j++) o[predCols[j + 1]!] = p.rowErrors[i] === undefined ? p.proba[i * k + j] : null;
    } else if (p.values) o.prediction = p.rowErrors[i] === undefined ? p.values[i] : null;
    o.prediction_error = p.rowErrors[i] === undefined ? null : `row ${i + 1}: ${p.rowErrors[i]}`;
    lines.push(JSON.stringify(o));
  }
  await writeFile(tmp, lines.join('\n') + '\n');
  const types = [...predCols.map((c) => `${quoteLiteral(c)}: '${c === 'predicted_label' ? 'VARCHAR' : 'DOUBLE'}'`), `'prediction_error': 'VARCHAR'`].join(', ');
  // POSITIONAL JOIN pairs row i of the input with prediction i: both keep file order.
  await writeTable(
    engine,
    `SELECT r.*, ${[...predCols, 'prediction_error'].map((c) => `p.${quoteIdent(c)}`).join(', ')}
     FROM ${quoteIdent(raw)} r POSITIONAL JOIN read_json(${quoteLiteral(tmp)}, format = 'newline_delimited', columns = {${types}}) p`,
    output,
  );
}

/** The notes with the line of their row: the CSV line the record starts on, else the row number (1-based). */
async function withLines(pending: Array<Omit<PredictionNote, 'line'> & { row: number }>, csvPath: string | undefined): Promise<PredictionNote[]> {
  if (pending.length === 0) return [];
  const lines = csvPath ? await recordLines(csvPath) : undefined;
  return pending.map((p) => ({ line: lines ? lines[p.row]! : p.row + 1, ...p }));
}

/** The line each data record of a CSV file starts on. */
async function recordLines(path: string): Promise<Int32Array> {
  let lines = new Int32Array(1024);
  let n = 0;
  await scanCsv(path, {
    onRecord: (line) => {
      if (n === lines.length) {
        const next = new Int32Array(lines.length * 2);
        next.set(lines);
        lines = next;
      }
      lines[n++] = line;
    },
  });
  return lines.subarray(0, n);
}

function strictError(note: PredictionNote, type: string, file: string): SluiceError {
  return new SluiceError(
    'PREDICT_BAD_TYPE',
    `${basename(file)}, line ${note.line}: column "${note.column}" holds "${note.value}", which cannot be read as ${type}`,
    {
      location: { file, line: note.line, field: note.column },
      hint: `give "${note.column}" ${type} values, as in the training data, or leave out --strict to read such values as missing (noted with --errors FILE)`,
    },
  );
}
