import { describe, expect, it } from 'vitest';
import { BaselineModel, trainBaseline } from '../../src/ml/baseline/trainBaseline.js';
import { ForestModel } from '../../src/ml/forest/forestModel.js';
import { trainForest } from '../../src/ml/forest/trainForest.js';
import { accuracy } from '../../src/ml/metrics/accuracy.js';
import { logLoss } from '../../src/ml/metrics/logLoss.js';
import { r2 } from '../../src/ml/metrics/regression.js';
import { blobs, regressionData, xorData } from './synthetic.js';

const codes = (t: { kind: string; codes?: Int32Array }): Int32Array => t.codes!;

describe('trainForest', () => {
  it('learns the numeric-by-categorical interaction', () => {
    const train = xorData(3000, 21);
    const test = xorData(2000, 22);
    const m = trainForest(train.frame, train.target, { nTrees: 50 });
    const pred = m.predict(test.frame);
    expect(accuracy(codes(test.target), pred.kind === 'classification' ? pred.codes : new Int32Array())).toBeGreaterThan(0.9);
    const imp = Object.fromEntries(m.featureImportance().map((f) => [f.name, f.importance]));
    expect(imp.x1!).toBeLessThan(imp.x0!);
  });

  it('gives class frequencies that sum to one, and multiclass works', () => {
    const train = blobs(2000, 23);
    const test = blobs(2000, 24);
    const m = trainForest(train.frame, train.target, { nTrees: 50, minSamplesLeaf: 10 });
    const p = m.predictProba(test.frame);
    for (let i = 0; i < 20; i++) expect(p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]!).toBeCloseTo(1, 12);
    // LDA (Bayes) scores 0.235 on these blobs, a constant model 1.1.
    expect(logLoss(codes(test.target), p, 3)).toBeLessThan(0.35);
  });

  it('regression forest recovers a smooth function', () => {
    const train = regressionData(4000, 25);
    const test = regressionData(2000, 26);
    const m = trainForest(train.frame, train.target, { nTrees: 60 });
    const pred = m.predict(test.frame);
    const yt = test.target.kind === 'regression' ? test.target.values : new Float64Array();
    expect(r2(yt, pred.kind === 'regression' ? pred.values : new Float64Array())).toBeGreaterThan(0.9);
  });

  it('is seeded and survives a JSON round trip', () => {
    const { frame, target } = xorData(1500, 27);
    const a = trainForest(frame, target, { nTrees: 10, seed: 3 });
    const b = trainForest(frame, target, { nTrees: 10, seed: 3 });
    const c = trainForest(frame, target, { nTrees: 10, seed: 4 });
    expect(Array.from(a.predictProba(frame))).toEqual(Array.from(b.predictProba(frame)));
    expect(Array.from(a.predictProba(frame))).not.toEqual(Array.from(c.predictProba(frame)));
    const back = ForestModel.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(Array.from(back.predictProba(frame))).toEqual(Array.from(a.predictProba(frame)));
  });
});

describe('trainBaseline', () => {
  it('predicts class frequencies, or the mean', () => {
    const { frame } = xorData(10, 28);
    const m = trainBaseline(frame, { kind: 'classification', codes: Int32Array.of(0, 0, 0, 1, 0, 0, 1, 0, 0, 0), labels: ['a', 'b'] });
    expect(Array.from(m.predictProba(frame).slice(0, 2))).toEqual([0.8, 0.2]);
    const r = trainBaseline(frame, { kind: 'regression', values: Float64Array.from({ length: 10 }, (_, i) => i) });
    const pred = r.predict(frame);
    expect(pred.kind === 'regression' && pred.values[3]).toBe(4.5);
    expect(() => r.predictProba(frame)).toThrow(/regression model/);
    const back = BaselineModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(Array.from(back.predictProba(frame))).toEqual(Array.from(m.predictProba(frame)));
  });
});

describe('permutationImportance', () => {
  it('finds the features a model uses and not the noise', async () => {
    const { permutationImportance } = await import('../../src/ml/permutationImportance.js');
    const { trainGbdt } = await import('../../src/ml/gbdt/trainGbdt.js');
    const train = xorData(3000, 29);
    const test = xorData(1500, 30);
    const m = trainGbdt(train.frame, train.target, { maxIter: 60 });
    const imp = Object.fromEntries(permutationImportance(m, test.frame, test.target, 'accuracy', { repeats: 3 }).map((f) => [f.name, f.importance]));
    expect(imp.x0!).toBeGreaterThan(0.2);
    expect(imp.color!).toBeGreaterThan(0.2);
    expect(Math.abs(imp.x1!)).toBeLessThan(0.02);
  });
});
