import { type Feature, type Frame, targetLength, type Target } from './frame.js';
import { METRICS, type MetricName, scoreMetric } from './metrics/metricRegistry.js';
import type { Model } from './model.js';
import { Rng } from './random.js';

export interface PermutationImportance {
  name: string;
  /** Mean loss of score when the feature is shuffled (positive = the model relies on it). */
  importance: number;
  std: number;
}

/**
 * Permutation feature importance (Breiman, 2001; scikit-learn's `permutation_importance`): how
 * much the metric worsens when one column is shuffled, breaking its link to the target while
 * keeping its distribution. Model-agnostic; compute it on held-out rows.
 *
 * @example
 * const imp = permutationImportance(model, holdoutFrame, holdoutTarget, 'log_loss', { repeats: 5 });
 */
export function permutationImportance(
  model: Model,
  frame: Frame,
  target: Target,
  metric: MetricName,
  options: { repeats?: number; seed?: number } = {},
): PermutationImportance[] {
  const repeats = options.repeats ?? 5;
  const rng = new Rng(options.seed ?? 0);
  const n = targetLength(target);
  const sign = METRICS[metric].higherIsBetter ? 1 : -1;
  const base = scoreMetric(metric, target, model.output(frame));
  return frame.features.map((f, fi) => {
    const drops: number[] = [];
    for (let k = 0; k < repeats; k++) {
      const perm = rng.permutation(n);
      const shuffled: Feature =
        f.kind === 'numeric' ? { ...f, values: Float64Array.from(perm, (i) => f.values[i]!) } : { ...f, codes: Int32Array.from(perm, (i) => f.codes[i]!) };
      const features = frame.features.slice();
      features[fi] = shuffled;
      drops.push(sign * (base - scoreMetric(metric, target, model.output({ nRows: frame.nRows, features }))));
    }
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    const std = Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, repeats - 1));
    return { name: f.name, importance: mean, std };
  });
}
