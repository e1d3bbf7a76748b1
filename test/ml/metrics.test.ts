/**
 * Metrics against scikit-learn 1.2.1 on fixed predictions. The inputs and the expected values
 * are in fixtures/sklearn_metrics.json, produced (from the repository root) by:
 *
 *   /usr/bin/python3 test/ml/fixtures/sklearn_metrics.py > test/ml/fixtures/sklearn_metrics.json
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accuracy } from '../../src/ml/metrics/accuracy.js';
import { argmaxRows } from '../../src/ml/metrics/argmax.js';
import { balancedAccuracy } from '../../src/ml/metrics/balancedAccuracy.js';
import { calibrationCurve } from '../../src/ml/metrics/calibrationCurve.js';
import { confusionMatrix } from '../../src/ml/metrics/confusionMatrix.js';
import { logLoss } from '../../src/ml/metrics/logLoss.js';
import { scoreMetric } from '../../src/ml/metrics/metricRegistry.js';
import { precisionRecallCurve } from '../../src/ml/metrics/precisionRecallCurve.js';
import { f1Score, macroF1, precisionRecallF1 } from '../../src/ml/metrics/precisionRecallF1.js';
import { mae, mse, r2, rmse } from '../../src/ml/metrics/regression.js';
import { aucFromRankSum, binaryAuc, rocAuc } from '../../src/ml/metrics/rocAuc.js';
import { Rng } from '../../src/ml/random.js';
import { rocCurve } from '../../src/ml/metrics/rocCurve.js';

interface Fixture {
  [scalar: string]: number | number[] | number[][];
  y: number[];
  proba: number[];
  pred: number[];
  accuracy: number;
  balanced_accuracy: number;
  macro_f1: number;
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  confusion: number[][];
  log_loss: number;
  roc_auc_ovr: number;
  binary_auc: number;
  binary_f1: number;
  binary_log_loss: number;
  roc_fpr: number[];
  roc_tpr: number[];
  roc_thresholds: number[];
  pr_precision: number[];
  pr_recall: number[];
  pr_thresholds: number[];
  cal_true: number[];
  cal_pred: number[];
  yr: number[];
  pr: number[];
  r2: number;
  rmse: number;
  mae: number;
  mse: number;
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/sklearn_metrics.json', import.meta.url), 'utf8')) as Fixture;
const y = Int32Array.from(fx.y);
const proba = Float64Array.from(fx.proba);
const pred = argmaxRows(proba, 3);
const yb = Int32Array.from(fx.y.map((c: number) => (c === 1 ? 1 : 0)));
const sb = Float64Array.from(fx.y.map((_: number, i: number) => proba[i * 3 + 1]!));

const close = (a: number[], b: number[]): void => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    expect(v).toBeCloseTo(b[i]!, 12);
  });
};

describe('classification metrics match scikit-learn', () => {
  it('argmax agrees with numpy', () => {
    expect(Array.from(pred)).toEqual(fx.pred);
  });
  it('accuracy, balanced accuracy, macro F1', () => {
    expect(accuracy(y, pred)).toBeCloseTo(fx.accuracy, 12);
    expect(balancedAccuracy(y, pred, 3)).toBeCloseTo(fx.balanced_accuracy, 12);
    expect(macroF1(y, pred, 3)).toBeCloseTo(fx.macro_f1, 12);
  });
  it('per-class precision, recall, F1, support and the confusion matrix', () => {
    const s = precisionRecallF1(y, pred, 3);
    close(s.precision, fx.precision);
    close(s.recall, fx.recall);
    close(s.f1, fx.f1);
    expect(s.support).toEqual(fx.support);
    expect(confusionMatrix(y, pred, 3)).toEqual(fx.confusion);
  });
  it('log loss clips a confident row like scikit-learn', () => {
    expect(logLoss(y, proba, 3)).toBeCloseTo(fx.log_loss, 12);
    const p2 = new Float64Array(sb.length * 2);
    sb.forEach((v, i) => {
      p2[2 * i] = 1 - v;
      p2[2 * i + 1] = v;
    });
    expect(logLoss(yb, p2, 2)).toBeCloseTo(fx.binary_log_loss, 12);
    expect(rocAuc(yb, p2, 2)).toBeCloseTo(fx.binary_auc, 12);
  });
  it('ROC AUC one-vs-rest macro and binary, with tied scores', () => {
    expect(rocAuc(y, proba, 3)).toBeCloseTo(fx.roc_auc_ovr, 12);
  });
  it('the rank-sum AUC of tie groups: tied rows share their average rank; one class absent is NaN', () => {
    // Scores 0.1 0.1 | 0.5 0.5 | 0.9 with positives at one 0.5 and the 0.9: U = 5.5 of 6 pairs.
    expect(
      aucFromRankSum((visit) => {
        for (const [p, n] of [
          [0, 2],
          [1, 2],
          [1, 1],
        ] as const)
          visit(p, n);
      }),
    ).toBe(11 / 12);
    expect(binaryAuc([0, 0, 1, 0, 1], [0.1, 0.1, 0.5, 0.5, 0.9])).toBe(11 / 12);
    expect(aucFromRankSum((visit) => visit(0, 3))).toBeNaN();
    expect(binaryAuc([1, 1], [0.2, 0.3])).toBeNaN();
  });
  it('AUC with many ties and signed zeros equals the share of positive-negative pairs ordered right (ties count half)', () => {
    const rng = new Rng(5);
    for (let t = 0; t < 20; t++) {
      const n = 50 + rng.int(300);
      const levels = 1 + rng.int(12);
      // Few distinct scores (many ties), -0 beside 0, and rows given in no particular order.
      const score = Array.from({ length: n }, () => (rng.float() < 0.1 ? -0 : rng.int(levels) / levels));
      const positive = Array.from({ length: n }, () => (rng.float() < 0.3 ? 1 : 0));
      let pairs = 0;
      let right = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          if (positive[i] && !positive[j]) {
            pairs++;
            right += score[i]! > score[j]! ? 1 : score[i] === score[j] ? 0.5 : 0;
          }
      expect(binaryAuc(positive, score)).toBeCloseTo(right / pairs, 12);
    }
  });
  it('binary F1 of the positive class', () => {
    const hard = Int32Array.from(sb, (v) => (v > 0.5 ? 1 : 0));
    expect(f1Score(yb, hard)).toBeCloseTo(fx.binary_f1, 12);
  });
  it('ROC curve with intermediate points dropped', () => {
    const c = rocCurve(yb, sb);
    close(c.fpr, fx.roc_fpr);
    close(c.tpr, fx.roc_tpr);
    close(c.thresholds.slice(1), fx.roc_thresholds);
  });
  it('precision-recall curve', () => {
    const c = precisionRecallCurve(yb, sb);
    close(c.precision, fx.pr_precision);
    close(c.recall, fx.pr_recall);
    close(c.thresholds, fx.pr_thresholds);
  });
  it('calibration bins', () => {
    const c = calibrationCurve(yb, sb, 5);
    close(c.probTrue, fx.cal_true);
    close(c.probPred, fx.cal_pred);
  });
  it('the registry scores by name', () => {
    const target = { kind: 'classification' as const, codes: y, labels: ['a', 'b', 'c'] };
    expect(scoreMetric('log_loss', target, proba)).toBeCloseTo(fx.log_loss, 12);
    expect(scoreMetric('macro_f1', target, proba)).toBeCloseTo(fx.macro_f1, 12);
    expect(() => scoreMetric('rmse', target, proba)).toThrow(/regression/);
  });
});

describe('regression metrics match scikit-learn', () => {
  const yr = Float64Array.from(fx.yr);
  const pr = Float64Array.from(fx.pr);
  it('R2, RMSE, MSE, MAE', () => {
    expect(r2(yr, pr)).toBeCloseTo(fx.r2, 12);
    expect(rmse(yr, pr)).toBeCloseTo(fx.rmse, 12);
    expect(mse(yr, pr)).toBeCloseTo(fx.mse, 12);
    expect(mae(yr, pr)).toBeCloseTo(fx.mae, 12);
  });
});
