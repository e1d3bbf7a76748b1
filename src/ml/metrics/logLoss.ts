/**
 * Mean negative log-likelihood of the true classes under row-major `n x k` probabilities.
 * Probabilities are clipped to `[eps, 1 - eps]` and each row renormalised, exactly as
 * scikit-learn 1.2's `log_loss`, so a confident mistake costs about 34.5 instead of infinity.
 */
export function logLoss(yTrue: Int32Array, proba: Float64Array, k: number, eps = 1e-15): number {
  const n = yTrue.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let rowSum = 0;
    for (let j = 0; j < k; j++) rowSum += Math.min(1 - eps, Math.max(eps, proba[o + j]!));
    const p = Math.min(1 - eps, Math.max(eps, proba[o + yTrue[i]!]!)) / rowSum;
    sum -= Math.log(p);
  }
  return n === 0 ? NaN : sum / n;
}
