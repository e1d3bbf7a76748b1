import { confusionMatrix } from './confusionMatrix.js';

export interface PerClassScores {
  precision: number[];
  recall: number[];
  f1: number[];
  /** Number of rows of each true class. */
  support: number[];
}

/**
 * Precision, recall and F1 of each class, one-vs-rest. A ratio with a zero denominator is 0,
 * as scikit-learn's `precision_recall_fscore_support` with its default `zero_division`.
 */
export function precisionRecallF1(yTrue: Int32Array, yPred: Int32Array, k: number): PerClassScores {
  const m = confusionMatrix(yTrue, yPred, k);
  const out: PerClassScores = { precision: [], recall: [], f1: [], support: [] };
  for (let c = 0; c < k; c++) {
    const tp = m[c]![c]!;
    let predicted = 0;
    for (let t = 0; t < k; t++) predicted += m[t]![c]!;
    const support = m[c]!.reduce((a, b) => a + b, 0);
    const p = predicted === 0 ? 0 : tp / predicted;
    const r = support === 0 ? 0 : tp / support;
    out.precision.push(p);
    out.recall.push(r);
    out.f1.push(p + r === 0 ? 0 : (2 * p * r) / (p + r));
    out.support.push(support);
  }
  return out;
}

/** The unweighted mean of per-class F1 over all `k` classes (scikit-learn's `average="macro"`). */
export function macroF1(yTrue: Int32Array, yPred: Int32Array, k: number): number {
  const { f1 } = precisionRecallF1(yTrue, yPred, k);
  return f1.reduce((a, b) => a + b, 0) / k;
}

/** F1 of one class (the positive one, class code 1 by default) for binary problems. */
export function f1Score(yTrue: Int32Array, yPred: Int32Array, positive = 1): number {
  const k = Math.max(2, positive + 1);
  return precisionRecallF1(yTrue, yPred, k).f1[positive]!;
}
