import { binaryClfCurve } from './binaryClfCurve.js';

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Score threshold of each point; the first point (0, 0) has `Infinity`. */
  thresholds: number[];
}

/**
 * The ROC curve of scores for a binary truth, with collinear intermediate points dropped
 * (scikit-learn's `roc_curve(drop_intermediate=True)`), starting at (0, 0).
 */
export function rocCurve(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): RocCurve {
  let { tps, fps, thresholds } = binaryClfCurve(positive, score);
  if (fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const d2f = fps[i + 1]! - 2 * fps[i]! + fps[i - 1]!;
      const d2t = tps[i + 1]! - 2 * tps[i]! + tps[i - 1]!;
      if (d2f !== 0 || d2t !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    tps = keep.map((i) => tps[i]!);
    fps = keep.map((i) => fps[i]!);
    thresholds = keep.map((i) => thresholds[i]!);
  }
  const P = tps[tps.length - 1] ?? 0;
  const N = fps[fps.length - 1] ?? 0;
  return {
    fpr: [0, ...fps.map((f) => (N === 0 ? NaN : f / N))],
    tpr: [0, ...tps.map((t) => (P === 0 ? NaN : t / P))],
    thresholds: [Infinity, ...thresholds],
  };
}
