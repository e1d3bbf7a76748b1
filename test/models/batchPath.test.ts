import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFlowModelPredictor, type FlowModelPredictor } from '../../src/server/endpoint/FlowModelPredictor.js';
import { parseInvocation } from '../../src/server/endpoint/parseInvocation.js';
import { isRecordError, type PredictionResult } from '../../src/server/endpoint/Predictor.js';
import { warningsOf } from '../../src/server/endpoint/recordWarnings.js';
import { DIABETES_CSV, trainDiabetesModel } from './diabetesModel.js';

/**
 * The endpoint's batch path (the flow over every record of a request, then the trees tree by
 * tree over all rows) against its single-record path (one record per call), on the diabetes
 * model: 10,000 records with missing values, missing tokens, unparseable numbers and categories
 * the model never saw, as CSV and as JSON dataframe_split. The answers must be equal bit for bit.
 */
let predictor: FlowModelPredictor;
let header: string[];
let cells: string[][];

beforeAll(async () => {
  const trained = await trainDiabetesModel({ rows: 10_000, maxIter: 30 });
  predictor = await loadFlowModelPredictor(trained.dir, 'readmission', '1');
  const lines = readFileSync(DIABETES_CSV, 'utf8').trim().split('\n');
  header = lines[0]!.split(',');
  const odd = ['', 'NA', 'nan', 'not a number', '-inf', '1e400', '999999', '-3', '2.5', 'martian', 'unknown'];
  cells = lines.slice(1, 10_001).map((l, r) =>
    l.split(',').map((v, f) => {
      if (header[f] === 'readmitted') return v;
      // Every column gets odd values in some records: missing, tokens, text, out of range, unseen.
      return (r * 7 + f * 3) % 11 === 0 ? odd[(r + f) % odd.length]! : v;
    }),
  );
}, 600_000);

const scores = (results: PredictionResult[]): unknown[] => results.map((p) => (isRecordError(p) ? p.error : [p.predicted_label, ...p.probabilities]));

describe('the batch path equals the single-record path (diabetes model, 10,000 records)', () => {
  it('CSV and JSON dataframe_split, odd values included', async () => {
    const csv = [header.join(','), ...cells.map((r) => r.join(','))].join('\n');
    const fromCsv = parseInvocation('text/csv', csv, predictor.inputs, 100_000, predictor.missing);
    const json = JSON.stringify({ dataframe_split: { columns: header, data: cells } });
    const fromJson = parseInvocation('application/json', json, predictor.inputs, 100_000, predictor.missing);
    expect(fromCsv.records).toHaveLength(10_000);
    expect(fromJson.records).toEqual(fromCsv.records);
    // The odd values were read as missing with a warning, not refused.
    expect(fromCsv.records.filter((r) => warningsOf(r)).length).toBeGreaterThan(100);

    const batch = await predictor.predict(fromCsv.records);
    const single: PredictionResult[] = [];
    for (const r of fromCsv.records) single.push(...(await predictor.predict([r])));
    expect(scores(batch)).toEqual(scores(single));
    expect(scores(await predictor.predict(fromJson.records))).toEqual(scores(single));
    // Both classes are predicted: the comparison is not between constant answers.
    expect(new Set(single.map((p) => (isRecordError(p) ? 'error' : p.predicted_label))).size).toBeGreaterThan(1);
  }, 600_000);

  it('records given as JSON values (numbers, null, unseen text) score alike in a batch and alone', async () => {
    const records = cells.slice(0, 2000).map((row, r) => {
      const o: Record<string, unknown> = {};
      header.forEach((h, f) => {
        const v = row[f]!;
        o[h] = r % 13 === f ? null : /^-?\d+$/.test(v) ? Number(v) : v;
      });
      return o;
    });
    const parsed = parseInvocation('application/json', JSON.stringify({ dataframe_records: records }), predictor.inputs, 100_000, predictor.missing);
    const batch = await predictor.predict(parsed.records);
    const single: PredictionResult[] = [];
    for (const r of parsed.records) single.push(...(await predictor.predict([r])));
    expect(scores(batch)).toEqual(scores(single));
  }, 600_000);
});
