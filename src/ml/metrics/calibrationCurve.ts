export interface CalibrationCurve {
  /** Observed frequency of positives in each non-empty bin. */
  probTrue: number[];
  /** Mean predicted probability in each non-empty bin. */
  probPred: number[];
  /** Rows in each non-empty bin. */
  count: number[];
}

/**
 * Reliability diagram data: predicted probabilities of the positive class are cut into
 * `nBins` equal-width bins on [0, 1] (a probability equal to an inner edge falls in the lower
 * bin) and empty bins are dropped, as scikit-learn's `calibration_curve(strategy="uniform")`.
 */
export function calibrationCurve(positive: ArrayLike<boolean | number>, prob: ArrayLike<number>, nBins = 10): CalibrationCurve {
  const step = 1 / nBins;
  const edges = Array.from({ length: nBins - 1 }, (_, i) => (i + 1) * step);
  const sumP = new Float64Array(nBins);
  const sumT = new Float64Array(nBins);
  const cnt = new Float64Array(nBins);
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i]!;
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    sumP[lo]! += p;
    sumT[lo]! += positive[i] ? 1 : 0;
    cnt[lo]!++;
  }
  const out: CalibrationCurve = { probTrue: [], probPred: [], count: [] };
  for (let b = 0; b < nBins; b++) {
    const c = cnt[b]!;
    if (c === 0) continue;
    out.probTrue.push(sumT[b]! / c);
    out.probPred.push(sumP[b]! / c);
    out.count.push(c);
  }
  return out;
}
