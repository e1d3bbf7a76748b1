/**
 * The confusion matrix: `m[t][p]` counts rows of true class `t` predicted as `p` (rows are
 * truth, columns predictions, as in scikit-learn). Codes outside [0, k) are ignored.
 */
export function confusionMatrix(yTrue: Int32Array, yPred: Int32Array, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    if (t >= 0 && t < k && p >= 0 && p < k) m[t]![p]!++;
  }
  return m;
}
