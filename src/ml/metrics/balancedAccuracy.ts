import { confusionMatrix } from './confusionMatrix.js';

/**
 * The mean of per-class recall over the classes present in `yTrue` (scikit-learn's
 * `balanced_accuracy_score`): a majority-class predictor scores `1 / k` whatever the imbalance.
 */
export function balancedAccuracy(yTrue: Int32Array, yPred: Int32Array, k: number): number {
  const m = confusionMatrix(yTrue, yPred, k);
  let sum = 0;
  let present = 0;
  for (let c = 0; c < k; c++) {
    const row = m[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    if (support === 0) continue;
    sum += row[c]! / support;
    present++;
  }
  return present === 0 ? NaN : sum / present;
}
