import type { TrainableLearner } from '../trainByName.js';
import type { FitResult } from './fitTask.js';
import type { LeaderboardEntry } from './leaderboard.js';

/** A candidate as AutoML tracks it while it trains. */
export interface Candidate {
  entry: LeaderboardEntry;
  learner: TrainableLearner;
  /** Whether successive halving may prune it (the default configurations are always finished). */
  prunable: boolean;
  /** One of the candidates that always train (`minCandidates`): no deadline cuts it short. */
  guaranteed?: boolean;
  folds: (FitResult | undefined)[];
  /** Out-of-fold outputs, in training-row order (set once every fold is done). */
  oof?: Float64Array;
  /** Average of the fold models' holdout outputs. */
  holdoutBag?: Float64Array;
}
