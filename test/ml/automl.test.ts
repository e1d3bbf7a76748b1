import { describe, expect, it } from 'vitest';
import { runAutoML } from '../../src/ml/automl/runAutoML.js';
import { detectProblemType, targetFromValues } from '../../src/ml/automl/problemType.js';
import { type Frame, takeRows, takeTarget } from '../../src/ml/frame.js';
import { loadModel } from '../../src/ml/loadModel.js';
import { scoreMetric } from '../../src/ml/metrics/metricRegistry.js';
import { regressionData, xorData } from './synthetic.js';
import { rejectionOf as codeOf } from '../support/errors.js';

describe('runAutoML on worker threads', () => {
  it('ranks candidates by cross-validation, refits the best, and scores it on the untouched holdout', async () => {
    const { frame, target } = xorData(1500, 31, 0.1);
    const events: string[] = [];
    const r = await runAutoML(frame, target, {
      metric: 'log_loss',
      timeLimit: 40,
      workers: 2,
      maxCandidates: 7,
      seed: 1,
      onProgress: (e) => events.push(e.phase),
    });
    const lb = r.leaderboard;
    expect(lb.problemType).toBe('binary');
    expect(lb.validation).toEqual({ kind: 'k-fold', k: 5 });
    // Train and holdout rows partition the data.
    expect(r.trainRows.length + r.holdoutRows.length).toBe(1500);
    expect(new Set([...r.trainRows, ...r.holdoutRows]).size).toBe(1500);
    // Exactly one best, first in the list, and better than the baseline in CV.
    expect(lb.entries.filter((e) => e.best)).toEqual([r.best]);
    expect(lb.entries[0]).toBe(r.best);
    const baseline = lb.entries.find((e) => e.learner === 'baseline')!;
    expect(baseline.status).toBe('ok');
    expect(r.best.cv!.mean).toBeLessThan(baseline.cv!.mean);
    for (const e of lb.entries.filter((x) => x.status === 'ok')) {
      expect(e.cv!.folds.length).toBe(5);
      expect(e.fitSeconds).toBeGreaterThanOrEqual(0);
      expect(e.predictMsPerRow).toBeGreaterThan(0);
      expect(e.holdout!.log_loss).toBeGreaterThan(0);
    }
    // Completed entries are sorted by CV log loss.
    const ok = lb.entries.filter((e) => e.status === 'ok').map((e) => e.cv!.mean);
    expect(ok).toEqual([...ok].sort((a, b) => a - b));
    // The reported holdout score is the refit model's on the holdout rows.
    expect(r.best.holdoutSource).toBe('refit');
    const holdout = takeRows(frame, r.holdoutRows);
    const yHold = takeTarget(target, r.holdoutRows);
    const proba = r.model.predictProba(holdout);
    expect(scoreMetric('log_loss', yHold, proba)).toBeCloseTo(r.best.holdout!.log_loss!, 10);
    expect(r.best.holdout!.log_loss!).toBeLessThan(baseline.holdout!.log_loss! - 0.2);
    // The model serialises and loads back to identical predictions.
    const back = loadModel(JSON.stringify(r.model.toJSON()));
    expect(Array.from(back.predictProba(holdout))).toEqual(Array.from(proba));
    expect(events).toContain('refit');
    expect(events[events.length - 1]).toBe('done');
  });

  it('can be cancelled', async () => {
    const { frame, target } = xorData(3000, 32);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const err = await codeOf(runAutoML(frame, target, { timeLimit: 60, workers: 2, signal: ac.signal }));
    expect(err.code).toBe('ML_CANCELLED');
  });
});

describe('runAutoML inline', () => {
  it('handles regression with the default metric', async () => {
    const { frame, target } = regressionData(600, 33);
    const r = await runAutoML(frame, target, { timeLimit: 30, workers: 0, maxCandidates: 4, folds: 3 });
    expect(r.leaderboard.metric).toBe('mse');
    expect(r.leaderboard.problemType).toBe('regression');
    const baseline = r.leaderboard.entries.find((e) => e.learner === 'baseline')!;
    expect(r.best.learner).not.toBe('baseline');
    expect(r.best.holdout!.r2!).toBeGreaterThan(0.8);
    expect(baseline.holdout!.r2!).toBeLessThan(0.05);
  });

  it('drops a feature missing in every row and says so', async () => {
    const { frame, target } = xorData(300, 34);
    const withEmpty: Frame = { ...frame, features: [...frame.features, { name: 'empty', kind: 'numeric', values: new Float64Array(300).fill(NaN) }] };
    const r = await runAutoML(withEmpty, target, { timeLimit: 20, workers: 0, maxCandidates: 2, folds: 3 });
    expect(r.leaderboard.droppedFeatures).toEqual([{ name: 'empty', reason: 'missing in every row' }]);
    expect(r.model.schema.map((s) => s.name)).not.toContain('empty');
  });
});

describe('runAutoML rejects bad input with clear errors', () => {
  const { frame } = xorData(100, 35);
  const codes = (f: (i: number) => number): Int32Array => Int32Array.from({ length: 100 }, (_, i) => f(i));

  it('a target with one class', async () => {
    const e = await codeOf(runAutoML(frame, { kind: 'classification', codes: codes(() => 0), labels: ['yes'] }, { workers: 0 }));
    expect(e.code).toBe('ML_ONE_CLASS');
    expect(e.hint).toBeTruthy();
  });
  it('a class with a single row', async () => {
    const e = await codeOf(
      runAutoML(frame, { kind: 'classification', codes: codes((i) => (i === 7 ? 2 : i % 2)), labels: ['a', 'b', 'rare'] }, { workers: 0 }),
    );
    expect(e.code).toBe('ML_CLASS_TOO_SMALL');
    expect(e.message).toContain('"rare"');
  });
  it('features that are all missing', async () => {
    const empty: Frame = {
      nRows: 100,
      features: [
        { name: 'a', kind: 'numeric', values: new Float64Array(100).fill(NaN) },
        { name: 'b', kind: 'categorical', codes: new Int32Array(100).fill(-1), levels: ['x'] },
      ],
    };
    const e = await codeOf(runAutoML(empty, { kind: 'classification', codes: codes((i) => i % 2), labels: ['a', 'b'] }, { workers: 0 }));
    expect(e.code).toBe('ML_NO_USABLE_FEATURES');
  });
  it('too few rows', async () => {
    const small = takeRows(
      frame,
      Uint32Array.from({ length: 10 }, (_, i) => i),
    );
    const e = await codeOf(
      runAutoML(small, { kind: 'classification', codes: Int32Array.from({ length: 10 }, (_, i) => i % 2), labels: ['a', 'b'] }, { workers: 0 }),
    );
    expect(e.code).toBe('ML_TOO_FEW_ROWS');
  });
  it('a time limit too small for even the baseline, with a leaderboard saying what was skipped', async () => {
    const e = await codeOf(runAutoML(frame, { kind: 'classification', codes: codes((i) => i % 2), labels: ['a', 'b'] }, { workers: 0, timeLimit: 1e-6 }));
    expect(e.code).toBe('ML_TIME_LIMIT');
    const entries = (e.details as { leaderboard: { learner: string; status: string; reason: string }[] }).leaderboard;
    expect(entries[0]).toMatchObject({ learner: 'baseline', status: 'skipped' });
    expect(entries[0]!.reason).toMatch(/time limit/);
  });
  it('a metric that does not fit the problem', async () => {
    const e = await codeOf(runAutoML(frame, { kind: 'classification', codes: codes((i) => i % 2), labels: ['a', 'b'] }, { workers: 0, metric: 'rmse' }));
    expect(e.code).toBe('ML_METRIC_TASK');
  });
});

describe('problem type detection', () => {
  it('tells binary, multiclass and regression apart', () => {
    expect(detectProblemType(['yes', 'no', 'yes', null])).toBe('binary');
    expect(detectProblemType(['a', 'b', 'c'])).toBe('multiclass');
    expect(detectProblemType(Array.from({ length: 200 }, (_, i) => i % 4))).toBe('multiclass');
    expect(detectProblemType(Array.from({ length: 200 }, (_, i) => i * 1.5))).toBe('regression');
    expect(detectProblemType(Array.from({ length: 200 }, (_, i) => i))).toBe('regression');
  });
  it('builds targets with sorted labels and missing codes', () => {
    const t = targetFromValues(['10', '9', null, '10']);
    expect(t).toEqual({ kind: 'classification', codes: Int32Array.of(1, 0, -1, 1), labels: ['9', '10'] });
  });
});
