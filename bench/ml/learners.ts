/** Sluice learners as the benchmark runs them. */
import type { Frame, Target } from '../../src/ml/frame.js';
import { trainGbdt } from '../../src/ml/gbdt/trainGbdt.js';
import { trainLogistic } from '../../src/ml/linear/trainLogistic.js';
import type { Model } from '../../src/ml/model.js';

export type BenchLearner = (frame: Frame, target: Target, opts: { timeLimit: number }) => Promise<{ model: Model; note?: string }>;

export const learners: Record<string, BenchLearner> = {
  gbdt: async (frame, target) => {
    const model = trainGbdt(frame, target);
    return { model, note: `${model.iterations} iterations (${model.stoppedBy})` };
  },
  logistic: async (frame, target) => {
    const model = trainLogistic(frame, target);
    return { model, note: `${model.iterations} L-BFGS iterations${model.converged ? '' : ' (not converged)'}` };
  },
};
