import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError } from '../cli/run.js';
import { sluiceAsync as sluice } from './sluiceAsync.js';
import { SMALL_HEADER, smallRows, tempDir, writeCsv } from './fixtures.js';

const dir = tempDir();
const data = writeCsv(dir, 'small.csv', SMALL_HEADER, smallRows(400));
const flow = join(dir, 'small.flow.yaml');
writeFileSync(flow, 'version: 1\nname: small\ntarget: label\nrecord_id: rid\nsteps:\n  - kind: record_id\n    output: rid\n    columns: [age, color, score]\n');
const out = join(dir, 'out');
let trained: Awaited<ReturnType<typeof sluice>>;

beforeAll(async () => {
  trained = await sluice(['train', data, '--target', 'label', '--flow', flow, '--time-limit', '8', '--seed', '3', '--out', out]);
}, 60_000);

describe.concurrent('sluice train (CLI) on a small file with a flow', async () => {
  it('prints progress on stderr, the leaderboard on stdout, and writes every output', async () => {
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/c0\s+baseline\s+ok/);
    expect(trained.stderr).toMatch(/best: c\d+/);
    expect(trained.stdout).toMatch(/learner/);
    // every candidate when there are 20 or fewer, else the top 20 and a count (issue 14 point 7)
    expect(trained.stdout).toMatch(/baseline|top 20 of \d+ candidates/);
    for (const f of ['leaderboard.json', 'model/SLUICE_MODEL.json', 'model/model.json', 'model/fitted-flow.json', 'model-report.json', 'model-report.html'])
      expect(existsSync(join(out, f)), f).toBe(true);
    // The manifest has its own name now: no model.json beside the artifact, no copy inside it.
    for (const f of ['model.json', 'model/manifest.json']) expect(existsSync(join(out, f)), f).toBe(false);
    const manifest = JSON.parse(readFileSync(join(out, 'model/SLUICE_MODEL.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'sluice.model-manifest',
      formatVersion: 2,
      artifact: { model: 'model.json', fittedFlow: 'fitted-flow.json' },
      problemType: 'binary',
      target: 'label',
      classLabels: ['high', 'low'],
      recordId: 'rid',
      seed: 3,
      timeLimitSeconds: 8,
    });
    // The record id is made by the flow, not a feature; the raw inputs are what serving needs.
    expect(manifest.features.map((f: { name: string }) => f.name).sort()).toEqual(['age', 'color', 'score']);
    expect(manifest.inputSignature).toEqual([
      { name: 'age', type: 'integer' },
      { name: 'color', type: 'string' },
      { name: 'score', type: 'float' },
    ]);
    // Every file of the artifact is hashed in the manifest.
    expect(Object.keys(manifest.files).sort()).toEqual(['fitted-flow.json', 'model.json']);
    expect(manifest.files['model.json'].bytes).toBe(readFileSync(join(out, 'model/model.json')).length);
    const lb = JSON.parse(readFileSync(join(out, 'leaderboard.json'), 'utf8'));
    expect(lb.entries.filter((e: { best: boolean }) => e.best)).toHaveLength(1);
    expect(lb.metric).toBe('f1');
  });

  it('predicts with the record id, labels and probabilities, the same from DIR and DIR/model', async () => {
    const newRows = smallRows(30, 99).map((r) => r.slice(0, 3));
    const input = writeCsv(dir, 'new.csv', SMALL_HEADER.slice(0, 3), newRows);
    const a = await sluice(['predict', out, input, '--out', join(dir, 'p1.csv')]);
    expect(a.code, a.stderr).toBe(0);
    const b = await sluice(['predict', join(out, 'model'), input, '--out', join(dir, 'p2.csv')]);
    expect(b.code, b.stderr).toBe(0);
    const text = readFileSync(join(dir, 'p1.csv'), 'utf8');
    expect(readFileSync(join(dir, 'p2.csv'), 'utf8')).toBe(text);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('rid,predicted_label,probability_high,probability_low');
    expect(lines).toHaveLength(31);
    // The model learned the structure: old red rows are "high", young blue ones "low".
    const byRow = lines.slice(1).map((l) => l.split(','));
    newRows.forEach((r, i) => {
      const [, label, pHigh, pLow] = byRow[i]!;
      expect(Number(pHigh) + Number(pLow)).toBeCloseTo(1, 9);
      if ((r[0] as number) > 65 && r[1] === 'red') expect(label).toBe('high');
      if ((r[0] as number) < 35 && r[1] === 'blue') expect(label).toBe('low');
    });
  });

  it('names a missing or mistyped column at prediction time', async () => {
    const noColor = writeCsv(dir, 'nocolor.csv', ['age', 'score'], [[40, 1.5]]);
    const r1 = await sluice(['predict', out, noColor, '--out', join(dir, 'x.csv')]);
    expectCleanError(r1, 'PREDICT_MISSING_COLUMN');
    expect(r1.stderr).toContain('"color"');
    const badAge = writeCsv(
      dir,
      'badage.csv',
      ['age', 'color', 'score'],
      [
        [40, 'red', 1.5],
        ['forty', 'blue', 2],
      ],
    );
    // --strict refuses the file at the line of the bad value, and writes nothing
    const r2 = await sluice(['predict', out, badAge, '--out', join(dir, 'x.csv'), '--strict']);
    expectCleanError(r2, 'PREDICT_BAD_TYPE');
    expect(r2.stderr).toContain('"age"');
    expect(r2.stderr).toContain('forty');
    expect(r2.stderr).toContain('line 3');
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
    const r3 = await sluice(['predict', dir, noColor, '--out', join(dir, 'x.csv')]);
    expectCleanError(r3, 'ARTIFACT_NOT_FOUND');
  });
});

describe('sluice predict on dirty data (issue 12): a prediction for every record', () => {
  it('reads unparseable values as missing, scores every record, prints counts and writes the notes file', async () => {
    // line 3: "forty" for an integer; line 4: NA (a missing token, not noted); line 5: a word for a float;
    // the extra column is ignored, the target is not needed
    const file = join(dir, 'dirty.csv');
    writeFileSync(file, 'age,color,score,extra\n40,red,1.5,x\nforty,blue,2,y\nNA,green,0.5,z\n"33",red,"lots",w\n');
    const notes = join(dir, 'dirty-notes.csv');
    const r = await sluice(['predict', out, file, '--out', join(dir, 'dirty-pred.csv'), '--errors', notes]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('predicted 4 of 4 rows');
    expect(r.stderr).toContain('2 values read as missing (age: 1, score: 1)');
    expect(readFileSync(notes, 'utf8')).toBe(
      'line,column,value,action,detail\n3,age,forty,read as missing,not an integer\n5,score,lots,read as missing,not a float\n',
    );
    const lines = readFileSync(join(dir, 'dirty-pred.csv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(5);
    for (const l of lines.slice(1)) expect(l.split(',')[1]).toMatch(/^(high|low)$/);
  });
});

describe.concurrent('sluice train (CLI): bad input gives clear errors, never a stack trace', async () => {
  const train = (file: string, ...args: string[]) => sluice(['train', file, '--out', join(dir, `bad-${Math.random().toString(36).slice(2)}`), ...args]);

  it('a target column the data does not have', async () => {
    const r = await train(data, '--target', 'lable');
    expectCleanError(r, 'TRAIN_MISSING_TARGET');
    expect(r.stderr).toContain('"lable"');
    expect(r.stderr).toContain('label');
  });

  it('a target with one class', async () => {
    const rows = smallRows(100).map((r) => [...r.slice(0, 3), 'high']);
    const r = await train(writeCsv(dir, 'oneclass.csv', SMALL_HEADER, rows), '--target', 'label');
    // a message about the data, before any learner runs (issue 12, point 5)
    expectCleanError(r, 'TRAIN_ONE_CLASS');
    expect(r.stderr).toContain('the target "label" has a single value, "high", in all 100 rows of oneclass.csv');
  });

  it('a class with a single row', async () => {
    const rows = smallRows(100);
    rows[5]![3] = 'maybe';
    const r = await train(writeCsv(dir, 'lonely.csv', SMALL_HEADER, rows), '--target', 'label');
    expectCleanError(r, 'ML_CLASS_TOO_SMALL');
    expect(r.stderr).toContain('"maybe"');
  });

  it('features missing in every row', async () => {
    const rows = smallRows(100).map((r) => [null, null, null, r[3]]);
    expectCleanError(await train(writeCsv(dir, 'empty.csv', SMALL_HEADER, rows), '--target', 'label'), 'TRAIN_NO_FEATURES');
  });

  it('too few rows', async () => {
    expectCleanError(await train(writeCsv(dir, 'tiny.csv', SMALL_HEADER, smallRows(12)), '--target', 'label'), 'ML_TOO_FEW_ROWS');
  });

  it('a time limit too small for even the baseline: the leaderboard says what was skipped and why', async () => {
    const o = join(dir, 'toofast');
    const r = await sluice(['train', data, '--target', 'label', '--time-limit', '0.000001', '--out', o]);
    expectCleanError(r, 'ML_TIME_LIMIT');
    const lb = JSON.parse(readFileSync(join(o, 'leaderboard.json'), 'utf8'));
    expect(lb.status).toBe('failed');
    expect(lb.entries.length).toBeGreaterThan(0);
    expect(lb.entries.find((e: { learner: string }) => e.learner === 'baseline')).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('time limit'),
    });
    expect(existsSync(join(o, 'model'))).toBe(false);
  });

  it('flags that make no sense', async () => {
    const [metric, unknown, holdout, type] = await Promise.all([
      train(data, '--target', 'label', '--metric', 'rmse'),
      train(data, '--target', 'label', '--metric', 'auc'),
      train(data, '--target', 'label', '--holdout', '1.5'),
      train(data, '--target', 'label', '--problem-type', 'regression'),
    ]);
    expectCleanError(metric!, 'ML_METRIC_TASK');
    expectCleanError(unknown!, 'CLI_USAGE');
    expectCleanError(holdout!, 'CLI_USAGE');
    expectCleanError(type!, 'TRAIN_TARGET_NOT_NUMERIC');
  });
});
