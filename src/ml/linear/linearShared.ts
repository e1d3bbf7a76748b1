import { type LearnerDefinition, numberSetting } from '../learnerDefinition.js';
import type { LinearModel } from './linearModel.js';

/** What logistic and ridge regression share as learners: solver settings, cost, facts shown. */
export const linearShared = {
  settings: {
    maxIter: { types: ['integer'], description: 'L-BFGS iterations' },
    maxLevels: { types: ['integer'], description: 'one-hot columns per categorical feature (rarer levels share one)' },
  },
  cost: {
    // rows x features x iterations (at most 100)
    units: (p: Record<string, unknown>, rows: number, features: number): number =>
      rows * Math.max(1, features) * Math.min(numberSetting(p, 'maxIter', 100), 100),
    calibration: { maxIter: 30 },
  },
  info: (model: unknown): Record<string, unknown> => {
    const m = model as LinearModel;
    return { iterations: m.iterations, converged: m.converged };
  },
} satisfies Pick<LearnerDefinition, 'settings' | 'cost' | 'info'>;
