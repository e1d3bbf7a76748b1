/**
 * The learners, listed once. Names, `trainByName`, `loadModel`, AutoML's search space and fit
 * costs, and the `model.learners` setting derive from this list; adding a learner is its model,
 * its definition file and one line here (docs/architecture.md, "Adding a learner").
 */
import { baselineLearner } from './baseline/baselineLearner.js';
import { forestLearner } from './forest/forestLearner.js';
import { gbdtLearner } from './gbdt/gbdtLearner.js';
import type { LearnerDefinition } from './learnerDefinition.js';
import { linearLearner } from './linear/linearLearner.js';
import { logisticLearner } from './linear/logisticLearner.js';
import type { Task } from './model.js';

/** Every trainable learner, in the order AutoML weighs its random draws. */
export const LEARNERS = [gbdtLearner, forestLearner, logisticLearner, linearLearner, baselineLearner] as const;

/** Learners that can be trained from a name and plain-JSON hyperparameters (not ensembles). */
export type TrainableLearner = (typeof LEARNERS)[number]['name'];

/** A learner of the list, or an ensemble of their models. */
export type LearnerName = TrainableLearner | 'ensemble';

export const LEARNER_NAMES: readonly TrainableLearner[] = LEARNERS.map((l) => l.name);

export function isLearnerName(name: unknown): name is TrainableLearner {
  return typeof name === 'string' && (LEARNER_NAMES as readonly string[]).includes(name);
}

/** The definition of a learner (undefined for an unknown name). */
export function learnerDefinition(name: string): LearnerDefinition | undefined {
  return LEARNERS.find((l) => l.name === name);
}

/** Learners that can learn targets of `task`. */
export function learnersFor(task: Task): TrainableLearner[] {
  return LEARNERS.filter((l) => (l.tasks as readonly Task[]).includes(task)).map((l) => l.name);
}
