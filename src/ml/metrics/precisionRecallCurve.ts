import { binaryClfCurve } from './binaryClfCurve.js';

export interface PrCurve {
  precision: number[];
  recall: number[];
  /** One fewer than points: the last point (recall 0, precision 1) has no threshold. */
  thresholds: number[];
}

/**
 * The precision-recall curve of scores for a binary truth, one point per distinct score by
 * increasing threshold, ending at (recall 0, precision 1), as scikit-learn 1.2's
 * `precision_recall_curve` (without positives, recall is 1 everywhere, as there).
 */
export function precisionRecallCurve(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): PrCurve {
  const { tps, fps, thresholds } = binaryClfCurve(positive, score);
  const P = tps[tps.length - 1] ?? 0;
  const precision: number[] = [];
  const recall: number[] = [];
  const th: number[] = [];
  for (let i = tps.length - 1; i >= 0; i--) {
    const ps = tps[i]! + fps[i]!;
    precision.push(ps === 0 ? 0 : tps[i]! / ps);
    recall.push(P === 0 ? 1 : tps[i]! / P);
    th.push(thresholds[i]!);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds: th };
}
