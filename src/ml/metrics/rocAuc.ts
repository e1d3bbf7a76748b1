/**
 * Area under the ROC curve of scores for a binary truth (`positive[i]` true for positives),
 * via the rank-sum (Mann-Whitney U) identity with tied scores sharing their average rank,
 * which equals the trapezoidal area scikit-learn computes. NaN when one class is absent.
 *
 * The scores and the positives' scores are sorted as numbers (a typed array's own sort, several
 * times faster than ordering row indices through a comparator) and walked together: each
 * group of equal scores takes its size from the first and its positives from the second.
 */
export function binaryAuc(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): number {
  const n = score.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) nPos++;
  const all = new Float64Array(n);
  const pos = new Float64Array(nPos);
  for (let i = 0, j = 0; i < n; i++) {
    all[i] = score[i]!;
    if (positive[i]) pos[j++] = score[i]!;
  }
  all.sort();
  pos.sort();
  let j = 0;
  return aucFromRankSum((visit) => {
    let i = 0;
    while (i < n) {
      const s = all[i]!;
      let size = 1;
      while (i + size < n && all[i + size] === s) size++;
      // NaN scores (sorted last) are groups of one, as each is unequal to every score.
      const from = j;
      if (s !== s) j = Math.min(j + 1, nPos);
      else while (j < nPos && pos[j] === s) j++;
      visit(j - from, size);
      i += size;
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
