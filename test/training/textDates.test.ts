import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { runFlow } from '../../src/flow/runFlow.js';
import { reportFromFiles } from '../../src/profile/reportFromFiles.js';
import { loadFlowModelPredictor } from '../../src/server/endpoint/FlowModelPredictor.js';
import { parseInvocation } from '../../src/server/endpoint/parseInvocation.js';
import { isRecordError } from '../../src/server/endpoint/Predictor.js';
import { warningsOf } from '../../src/server/endpoint/recordWarnings.js';
import { predictFile } from '../../src/training/predictFile.js';
import { trainModel, type TrainResult } from '../../src/training/trainModel.js';
import { rejectionOf } from '../support/errors.js';
import { rng, tempDir } from './fixtures.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const quick = { learners: ['gbdt', 'logistic'] as ('gbdt' | 'logistic')[], maxCandidates: 2, ensemble: false };
const dir = tempDir('sluice-dates-');
let trained: TrainResult;

/** `admitted` as `Jun 12 1998`; the label depends on the year (with noise), so the date matters. */
function writeBatch(path: string, n: number, oneClass = false): void {
  const r = rng(3);
  const lines = ['age,admitted,label'];
  for (let i = 0; i < n; i++) {
    const year = 1990 + Math.floor(r() * 11);
    const late = year > 1995 !== r() < 0.2;
    lines.push(`${20 + Math.floor(r() * 60)},${MONTHS[Math.floor(r() * 12)]} ${1 + Math.floor(r() * 28)} ${year},${oneClass || late ? 'late' : 'early'}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

beforeAll(async () => {
  const data = join(dir, 'train.csv');
  writeBatch(data, 600);
  trained = await trainModel(data, { target: 'label', outDir: join(dir, 'out'), timeLimit: 30, search: quick });
}, 120_000);

describe('dates written as text: trained on, predicted with, the same parse (issue 12, point 5)', () => {
  it('trains on the parts of a text date, with its format recorded in the artifact', () => {
    const fitted = JSON.parse(readFileSync(join(dir, 'out', 'model', 'fitted-flow.json'), 'utf8')) as {
      input: Array<{ name: string; type: string; format?: string }>;
    };
    expect(fitted.input.find((c) => c.name === 'admitted')).toEqual({ name: 'admitted', type: 'date', format: 'mon d yyyy' });
    expect(trained.manifest.inputSignature).toContainEqual({ name: 'admitted', type: 'date', format: 'mon d yyyy' });
    const features = trained.model.schema.map((s) => s.name);
    expect(features).toContain('admitted_year');
    expect(features).not.toContain('admitted');
    expect(trained.data.skipped.find((s) => s.name === 'admitted')?.reason).toMatch(/reads its parts/);
  });

  it('parses the dates the same in a batch file, in the fitted flow SQL and at the endpoint', async () => {
    const file = join(dir, 'new.csv');
    writeFileSync(file, 'age,admitted\n50,Mar 3 1999\n60,Feb 30 1992\n70,sept 9 1991\n40,1993-07-04\n30,\n');
    const batch = await predictFile(join(dir, 'out'), file, { errors: join(dir, 'notes.csv') });
    expect(batch.scored).toBe(5);
    expect(batch.notes.map((n) => [n.line, n.column, n.value])).toEqual([[3, 'admitted', 'Feb 30 1992']]);

    const predictor = await loadFlowModelPredictor(join(dir, 'out', 'model'), 'dates', '1');
    const body = JSON.stringify({
      dataframe_records: [
        { age: 50, admitted: 'Mar 3 1999' },
        { age: 60, admitted: 'Feb 30 1992' },
        { age: 70, admitted: 'sept 9 1991' },
        { age: 40, admitted: '1993-07-04' },
        { age: 30, admitted: null },
      ],
    });
    const parsed = parseInvocation('application/json', body, predictor.inputs, 100, predictor.missing);
    expect(warningsOf(parsed.records[1])?.[0]?.field).toBe('admitted');
    const results = await predictor.predict(parsed.records);
    const k = batch.labels!.length;
    results.forEach((r, i) => {
      if (isRecordError(r)) throw new Error(r.error.message);
      const expected = Array.from(batch.proba!.subarray(i * k, i * k + k));
      r.probabilities.forEach((p, j) => {
        expect(p).toBeCloseTo(expected[j]!, 12);
      });
    });

    // The fitted flow's SQL (flow apply, scoring a holdout) reads the same dates.
    const engine = await Engine.open();
    try {
      const labelled = join(dir, 'labelled.csv');
      writeFileSync(
        labelled,
        readFileSync(file, 'utf8')
          .split('\n')
          .map((l, i) => (l === '' ? l : `${l},${i === 0 ? 'label' : 'late'}`))
          .join('\n'),
      );
      const run = await runFlow(engine, { input: labelled, fitted: trained.data.fitted });
      const rows = await engine.query(`SELECT admitted_year AS y, admitted_month AS m, admitted_day AS d FROM "${run.relation}"`);
      expect(rows.map((r) => [r.y, r.m, r.d].map((v) => (v === null ? null : Number(v))))).toEqual([
        [1999, 3, 3],
        [null, null, null],
        [1991, 9, 9],
        [1993, 7, 4],
        [null, null, null],
      ]);
    } finally {
      engine.close();
    }
  });

  it('says a one-class batch is the data at fault, in train and in the report', async () => {
    const data = join(dir, 'one.csv');
    writeBatch(data, 200, true);
    const e = await rejectionOf(trainModel(data, { target: 'label', outDir: join(dir, 'one'), timeLimit: 10, search: quick }));
    expect(e.code).toBe('TRAIN_ONE_CLASS');
    expect(e.message).toBe(
      'the target "label" has a single value, "late", in all 200 rows of one.csv that have one: a model needs at least two classes to learn from',
    );
    const { report } = await reportFromFiles(data, { target: 'label', outDir: join(dir, 'one-report') });
    const codes = report.warnings.filter((w) => w.columns.includes('label')).map((w) => w.code);
    expect(codes).toEqual(['single_class_target']);
    expect(report.warnings.find((w) => w.code === 'single_class_target')?.message).toMatch(
      /single class \(late\): every row of this batch has the same outcome/,
    );
    // and the report sees the text date as a date
    expect(report.columns.find((c) => c.name === 'admitted')?.type).toBe('datetime');
  });
});
