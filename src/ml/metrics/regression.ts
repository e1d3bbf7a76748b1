/** Mean squared error. */
export function mse(yTrue: Float64Array, yPred: Float64Array): number {
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = yTrue[i]! - yPred[i]!;
    s += d * d;
  }
  return yTrue.length === 0 ? NaN : s / yTrue.length;
}

/** Root mean squared error, in the target's unit. */
export function rmse(yTrue: Float64Array, yPred: Float64Array): number {
  return Math.sqrt(mse(yTrue, yPred));
}

/** Mean absolute error. */
export function mae(yTrue: Float64Array, yPred: Float64Array): number {
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i]! - yPred[i]!);
  return yTrue.length === 0 ? NaN : s / yTrue.length;
}

/**
 * Coefficient of determination: 1 - SSE / SST. A constant truth gives 1 for a perfect
 * prediction and 0 otherwise, as scikit-learn's `r2_score`.
 */
export function r2(yTrue: Float64Array, yPred: Float64Array): number {
  const n = yTrue.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i]!;
  mean /= n;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    const d = yTrue[i]! - yPred[i]!;
    const t = yTrue[i]! - mean;
    sse += d * d;
    sst += t * t;
  }
  if (sst === 0) return sse === 0 ? 1 : 0;
  return 1 - sse / sst;
}
