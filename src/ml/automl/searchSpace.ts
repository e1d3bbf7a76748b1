/**
 * What AutoML tries: a fixed list of sensible defaults first (so a short time limit still gets
 * good models), then random draws from each learner's search space, seeded. Gradient boosting
 * gets most draws; it is the strongest learner on tabular data and early stopping makes its
 * iteration count free.
 */
import type { Rng } from '../random.js';
import type { TrainableLearner } from '../trainByName.js';
import type { ProblemType } from './problemType.js';

export interface CandidateSpec {
  learner: TrainableLearner;
  params: Record<string, unknown>;
}

/** The configurations tried first, in order. */
export function defaultCandidates(type: ProblemType, learners: readonly TrainableLearner[]): CandidateSpec[] {
  const out: CandidateSpec[] = [{ learner: 'baseline', params: {} }];
  const linear: TrainableLearner = type === 'regression' ? 'linear' : 'logistic';
  if (learners.includes('gbdt')) out.push({ learner: 'gbdt', params: {} });
  if (learners.includes(linear)) out.push({ learner: linear, params: {} });
  if (learners.includes('forest')) out.push({ learner: 'forest', params: { nTrees: 60, minSamplesLeaf: 20, sampleFraction: 0.5 } });
  if (learners.includes('gbdt')) {
    out.push({ learner: 'gbdt', params: { learningRate: 0.03, maxLeaves: 15, minSamplesLeaf: 50, l2: 1, maxIter: 1000 } });
    out.push({ learner: 'gbdt', params: { learningRate: 0.1, subsample: 1 } });
  }
  return out.filter((c) => c.learner === 'baseline' || learners.includes(c.learner));
}

/** One random configuration. */
export function randomCandidate(type: ProblemType, learners: readonly TrainableLearner[], rng: Rng): CandidateSpec {
  const linear: TrainableLearner = type === 'regression' ? 'linear' : 'logistic';
  const pool: [TrainableLearner, number][] = [
    ['gbdt', 0.75],
    ['forest', 0.15],
    [linear, 0.1],
  ];
  const allowed = pool.filter(([l]) => learners.includes(l));
  if (allowed.length === 0) return { learner: 'baseline', params: {} };
  const total = allowed.reduce((a, [, w]) => a + w, 0);
  let u = rng.float() * total;
  let learner = allowed[0]![0];
  for (const [l, w] of allowed) {
    if (u < w) {
      learner = l;
      break;
    }
    u -= w;
  }
  if (learner === 'gbdt') {
    return {
      learner,
      params: {
        learningRate: round(rng.logUniform(0.02, 0.2)),
        maxLeaves: rng.pick([7, 15, 31, 63, 127]),
        minSamplesLeaf: rng.pick([5, 10, 20, 50, 100, 200]),
        l2: rng.pick([0, 0.1, 1, 10]),
        subsample: round(rng.uniform(0.5, 1)),
        featureFraction: round(rng.uniform(0.5, 1)),
        maxIter: 1000,
        seed: rng.int(1000),
      },
    };
  }
  if (learner === 'forest') {
    return {
      learner,
      params: {
        nTrees: 100,
        minSamplesLeaf: rng.pick([3, 5, 10, 20, 50]),
        maxFeatures: rng.pick(['sqrt', 0.3, 0.5, 0.7] as const),
        sampleFraction: rng.pick([0.5, 0.7, 1]),
        seed: rng.int(1000),
      },
    };
  }
  if (learner === 'logistic') return { learner, params: { C: round(rng.logUniform(0.001, 100)) } };
  return { learner, params: { alpha: round(rng.logUniform(0.01, 1000)) } };
}

const round = (x: number): number => Number(x.toPrecision(3));
