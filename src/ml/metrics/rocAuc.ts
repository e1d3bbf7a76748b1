/**
 * Area under the ROC curve of scores for a binary truth (`positive[i]` true for positives),
 * via the rank-sum (Mann-Whitney U) identity with tied scores sharing their average rank,
 * which equals the trapezoidal area scikit-learn computes. NaN when one class is absent.
 */
export function binaryAuc(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): number {
  const n = score.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => score[a]! - score[b]!);
  return aucFromRankSum((visit) => {
    let i = 0;
    while (i < n) {
      let j = i;
      const s = score[order[i]!]!;
      let pos = positive[order[i]!] ? 1 : 0;
      while (j + 1 < n && score[order[j + 1]!]! === s) {
        j++;
        if (positive[order[j]!]) pos++;
      }
      visit(pos, j - i + 1);
      i = j + 1;
    }
  });
}

/**
 * The AUC by the rank-sum (Mann-Whitney U) identity, from the groups of tied scores in ascending
 * order: `groups(visit)` calls `visit(positives, size)` once per group, and the rows of a group
 * share their average rank. NaN when one class is absent. {@link binaryAuc} groups rows; the
 * report's prediction power groups bins (`binnedAuc`), whose rows share one score.
 *
 * @example
 * aucFromRankSum((visit) => { visit(0, 2); visit(1, 2); visit(1, 1); }); // 11/12
 */
export function aucFromRankSum(groups: (visit: (positives: number, size: number) => void) => void): number {
  let rank = 0;
  let nPos = 0;
  let rankSumPos = 0;
  groups((pos, size) => {
    rankSumPos += pos * (rank + (size + 1) / 2);
    nPos += pos;
    rank += size;
  });
  const nNeg = rank - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * ROC AUC from row-major `n x k` probabilities: for two classes the AUC of class 1's
 * probability; for more, the unweighted mean of one-vs-rest AUCs (scikit-learn's
 * `roc_auc_score(multi_class="ovr", average="macro")`). Classes absent from `yTrue` are skipped.
 */
export function rocAuc(yTrue: Int32Array, proba: Float64Array, k: number): number {
  const n = yTrue.length;
  const col = new Float64Array(n);
  const pos = new Uint8Array(n);
  const one = (c: number): number => {
    for (let i = 0; i < n; i++) {
      col[i] = proba[i * k + c]!;
      pos[i] = yTrue[i] === c ? 1 : 0;
    }
    return binaryAuc(pos, col);
  };
  return oneVsRestAuc(k, one);
}

/**
 * The AUC of `k` classes from the AUC of each class against the rest (`one(c)`, NaN when the
 * class is absent): class 1's for two classes, else the unweighted mean over the classes
 * present (scikit-learn's `multi_class="ovr", average="macro"`).
 */
export function oneVsRestAuc(k: number, one: (c: number) => number): number {
  if (k === 2) return one(1);
  let sum = 0;
  let m = 0;
  for (let c = 0; c < k; c++) {
    const a = one(c);
    if (Number.isNaN(a)) continue;
    sum += a;
    m++;
  }
  return m === 0 ? NaN : sum / m;
}
