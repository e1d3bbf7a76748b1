import type { Target } from '../frame.js';
import { type MetricName, scoreMetric } from '../metrics/metricRegistry.js';
import type { Holdout } from '../splits/stratifiedHoldout.js';
import type { Candidate } from './candidate.js';
import { ensembleSelection } from './ensembleSelection.js';
import { scoreAll, sortEntries } from './leaderboard.js';
import type { ProblemType } from './problemType.js';

export interface EnsembleContext {
  id: string;
  type: ProblemType;
  metric: MetricName;
  width: number;
  trainTarget: Target;
  testTarget: Target;
  folds: Holdout[];
  foldTargets: Target[];
}

/**
 * The weighted-ensemble candidate: greedy selection over the out-of-fold outputs of the best
 * 20 completed candidates (baseline excluded). Its fold scores are those of the blended
 * out-of-fold outputs; its holdout output blends the members' fold-model outputs. Null when
 * fewer than two candidates get weight (the "ensemble" would be a single model).
 */
export function ensembleCandidate(done: Candidate[], ctx: EnsembleContext): Candidate | null {
  const pool = done.filter((c) => c.learner !== 'baseline' && c.oof && c.holdoutBag);
  if (pool.length < 2) return null;
  const top = sortEntries(
    pool.map((c) => c.entry),
    ctx.metric,
  )
    .slice(0, 20)
    .map((e) => pool.find((c) => c.entry === e)!);
  const sel = ensembleSelection(
    top.map((c) => c.oof!),
    ctx.trainTarget,
    ctx.metric,
  );
  const members = top.map((c, i) => ({ c, w: sel.weights[i]! })).filter((m) => m.w > 0);
  if (members.length < 2) return null;
  const blend = (get: (c: Candidate) => Float64Array): Float64Array => {
    const out = new Float64Array(get(members[0]!.c).length);
    for (const m of members) {
      const o = get(m.c);
      for (let i = 0; i < out.length; i++) out[i]! += m.w * o[i]!;
    }
    return out;
  };
  const oof = blend((c) => c.oof!);
  const w = ctx.width;
  const scores = ctx.folds.map((f, fi) => {
    const out = new Float64Array(f.test.length * w);
    f.test.forEach((r, i) => {
      out.set(oof.subarray(r * w, (r + 1) * w), i * w);
    });
    return scoreMetric(ctx.metric, ctx.foldTargets[fi]!, out);
  });
  const holdoutBag = blend((c) => c.holdoutBag!);
  const weights = members.map((m) => ({ id: m.c.entry.id, weight: m.w }));
  return {
    entry: {
      id: ctx.id,
      learner: 'ensemble',
      params: { members: weights },
      status: 'ok',
      members: weights,
      cv: { mean: mean(scores), std: std(scores), folds: scores },
      holdout: scoreAll(ctx.type, ctx.testTarget, holdoutBag),
      holdoutSource: 'fold-models',
      fitSeconds: members.reduce((a, m) => a + (m.c.entry.fitSeconds ?? 0), 0),
      predictMsPerRow: members.reduce((a, m) => a + (m.c.entry.predictMsPerRow ?? 0), 0),
      info: { selection: 'greedy (Caruana), weights fitted on the same out-of-fold predictions, so its CV score is optimistic' },
      best: false,
    },
    learner: 'baseline', // never trained as such: members are refit instead
    prunable: false,
    folds: [],
    oof,
    holdoutBag,
  };
}

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export const std = (xs: number[]): number => {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
