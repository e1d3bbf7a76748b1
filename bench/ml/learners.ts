/** Sluice learners as the benchmark runs them. */
import type { Frame, Target } from '../../src/ml/frame.js';
import { trainBaseline } from '../../src/ml/baseline/trainBaseline.js';
import { trainForest } from '../../src/ml/forest/trainForest.js';
import { trainGbdt } from '../../src/ml/gbdt/trainGbdt.js';
import { trainLogistic } from '../../src/ml/linear/trainLogistic.js';
import type { Model } from '../../src/ml/model.js';
import { runAutoML } from '../../src/ml/automl/runAutoML.js';

export type BenchLearner = (frame: Frame, target: Target, opts: { timeLimit: number }) => Promise<{ model: Model; note?: string }>;

export const learners: Record<string, BenchLearner> = {
  gbdt: async (frame, target) => {
    const model = trainGbdt(frame, target);
    return { model, note: `${model.iterations} iterations (${model.stoppedBy})` };
  },
  baseline: async (frame, target) => ({ model: trainBaseline(frame, target) }),
  forest: async (frame, target) => {
    const model = trainForest(frame, target);
    const leaves = model.trees.reduce((a, t) => a + t.feature.filter((f) => f < 0).length, 0) / model.trees.length;
    return { model, note: `${model.trees.length} trees, ${leaves.toFixed(0)} leaves per tree` };
  },
  automl: async (frame, target, { timeLimit }) => {
    const r = await runAutoML(frame, target, { metric: 'log_loss', timeLimit, seed: 0 });
    const ok = r.leaderboard.entries.filter((e) => e.status === 'ok').length;
    const members = r.best.members?.map((m) => `${m.id} ${(m.weight * 100).toFixed(0)}%`).join(', ');
    return {
      model: r.model,
      note: `best ${r.best.id} ${r.best.learner}${members ? ` (${members})` : ''}; ${ok} candidates completed, ${r.leaderboard.entries.length} tried`,
    };
  },
  logistic: async (frame, target) => {
    const model = trainLogistic(frame, target);
    return { model, note: `${model.iterations} L-BFGS iterations${model.converged ? '' : ' (not converged)'}` };
  },
};
