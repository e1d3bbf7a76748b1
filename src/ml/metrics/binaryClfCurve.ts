/**
 * Cumulative true and false positives at each distinct score, from the highest score down
 * (scikit-learn's `_binary_clf_curve`): the common core of ROC and precision-recall curves.
 */
export function binaryClfCurve(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): { tps: number[]; fps: number[]; thresholds: number[] } {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i);
  // Stable descending sort, so tied scores keep their order as scikit-learn's mergesort does.
  order.sort((a, b) => score[b]! - score[a]! || b - a);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let i = 0; i < n; i++) {
    const r = order[i]!;
    if (positive[r]) tp++;
    const last = i === n - 1 || score[order[i + 1]!]! !== score[r]!;
    if (last) {
      tps.push(tp);
      fps.push(i + 1 - tp);
      thresholds.push(score[r]!);
    }
  }
  return { tps, fps, thresholds };
}
