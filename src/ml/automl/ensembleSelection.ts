import type { Target } from '../frame.js';
import { logLoss } from '../metrics/logLoss.js';
import { isBetter, type MetricName, scoreMetric } from '../metrics/metricRegistry.js';

/**
 * Greedy ensemble selection with replacement (Caruana et al., 2004, as AutoGluon's weighted
 * ensemble): start empty and, for `rounds` rounds, add the model whose addition makes the
 * average of out-of-fold predictions score best; weights are how often each model was added.
 * Stops early after `patience` rounds without improvement. Ties (common with accuracy) go to
 * the blend with the lower log loss.
 *
 * @param oof out-of-fold outputs of each candidate, same rows as `target`
 * @returns weights (summing to 1) and the blend's score
 */
export function ensembleSelection(oof: Float64Array[], target: Target, metric: MetricName, rounds = 25, patience = 8): { weights: number[]; score: number } {
  const m = oof.length;
  const len = oof[0]?.length ?? 0;
  const sum = new Float64Array(len);
  const trial = new Float64Array(len);
  const counts = new Array<number>(m).fill(0);
  const k = target.kind === 'classification' ? target.labels.length : 1;
  const tieBreak = (p: Float64Array): number => (target.kind === 'classification' ? logLoss(target.codes, p, k) : 0);
  let best = NaN;
  let bestTie = Infinity;
  let bestCounts = counts.slice();
  let since = 0;
  for (let round = 1; round <= rounds && since < patience; round++) {
    let pick = -1;
    let pickScore = NaN;
    let pickTie = Infinity;
    for (let i = 0; i < m; i++) {
      const o = oof[i]!;
      for (let j = 0; j < len; j++) trial[j] = (sum[j]! + o[j]!) / round;
      const s = scoreMetric(metric, target, trial);
      const t = tieBreak(trial);
      if (pick < 0 || isBetter(metric, s, pickScore) || (s === pickScore && t < pickTie)) {
        pick = i;
        pickScore = s;
        pickTie = t;
      }
    }
    const o = oof[pick]!;
    for (let j = 0; j < len; j++) sum[j]! += o[j]!;
    counts[pick]!++;
    if (Number.isNaN(best) || isBetter(metric, pickScore, best) || (pickScore === best && pickTie < bestTie - 1e-12)) {
      best = pickScore;
      bestTie = pickTie;
      bestCounts = counts.slice();
      since = 0;
    } else since++;
  }
  const total = bestCounts.reduce((a, b) => a + b, 0) || 1;
  return { weights: bestCounts.map((c) => c / total), score: best };
}
