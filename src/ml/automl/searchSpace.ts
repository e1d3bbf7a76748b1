/**
 * What AutoML tries: each learner's default configurations first, in the order their ranks give
 * (so a short time limit still gets good models), then random draws from the learners' search
 * spaces, seeded, each learner drawn with its weight (ml/learners.ts). Gradient boosting gets most
 * draws; it is the strongest learner on tabular data and early stopping makes its iteration
 * count free.
 */
import { LEARNERS, type TrainableLearner } from '../learners.js';
import type { Task } from '../model.js';
import type { Rng } from '../random.js';
import type { ProblemType } from './problemType.js';

export interface CandidateSpec {
  learner: TrainableLearner;
  params: Record<string, unknown>;
}

/** The learners a search may use: those in `learners` (and those always in) that learn this problem's targets. */
function eligible(type: ProblemType, learners: readonly TrainableLearner[]): (typeof LEARNERS)[number][] {
  const task: Task = type === 'regression' ? 'regression' : 'classification';
  return LEARNERS.filter((l) => (l.tasks as readonly Task[]).includes(task) && (l.search.always === true || learners.includes(l.name)));
}

/** The configurations tried first, in order. */
export function defaultCandidates(type: ProblemType, learners: readonly TrainableLearner[]): CandidateSpec[] {
  return eligible(type, learners)
    .flatMap((l) => l.search.defaults.map((d) => ({ rank: d.rank, spec: { learner: l.name, params: { ...d.params } } })))
    .sort((a, b) => a.rank - b.rank)
    .map((d) => d.spec);
}

/** One random configuration (the first always-in learner when no learner has draws). */
export function randomCandidate(type: ProblemType, learners: readonly TrainableLearner[], rng: Rng): CandidateSpec {
  const allowed = eligible(type, learners).filter((l) => l.search.weight > 0 && l.search.draw);
  if (allowed.length === 0) return { learner: LEARNERS.find((l) => l.search.always)!.name, params: {} };
  const total = allowed.reduce((a, l) => a + l.search.weight, 0);
  let u = rng.float() * total;
  let learner = allowed[0]!;
  for (const l of allowed) {
    if (u < l.search.weight) {
      learner = l;
      break;
    }
    u -= l.search.weight;
  }
  return { learner: learner.name, params: learner.search.draw!(rng) };
}
