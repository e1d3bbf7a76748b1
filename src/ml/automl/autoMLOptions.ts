import type { MetricName } from '../metrics/metricRegistry.js';
import type { Model } from '../model.js';
import type { TrainableLearner } from '../learners.js';
import type { FitCost } from './fitCost.js';
import type { Leaderboard, LeaderboardEntry } from './leaderboard.js';

/** A progress event of a run: a candidate done, the ensemble, the refit, the end. */
export type AutoMLProgress = { phase: 'search' | 'ensemble' | 'refit' | 'done'; entry?: LeaderboardEntry; message: string; metric: MetricName };

export interface AutoMLOptions {
  /** Selection metric; default per problem type as Autopilot (f1, accuracy, mse). */
  metric?: MetricName;
  /** Seconds for the whole run (default 60). */
  timeLimit?: number;
  seed?: number;
  /** Fraction held out for the final, unbiased score (default 0.2; at most `MAX_HOLDOUT_ROWS` (prepareRun.ts) rows). */
  holdout?: number;
  /** Cross-validation folds (default 5; 3 when rows x columns exceed 5,000 per second of time limit). */
  folds?: number;
  /** Past this many training rows, one stratified validation split (20%) replaces k-fold. */
  largeDataRows?: number;
  learners?: TrainableLearner[];
  /** Include a greedy weighted ensemble as a candidate (default true). */
  ensemble?: boolean;
  /** Worker threads (default: available cores, at most 8); 0 trains on the calling thread. */
  workers?: number;
  /** Stop after this many candidates (besides time); for reproducible runs and tests. */
  maxCandidates?: number;
  /**
   * Seconds per work unit per learner (fitCost.ts). Default: measured by timed small fits when
   * the training rows outnumber a calibration sample; none below (all rows fit any budget, and
   * the refit is estimated from the measured candidates). Tests pass fixed costs.
   */
  fitCost?: FitCost;
  /**
   * Candidates started whatever the time (the baseline, then the first defaults), so a run on
   * a machine slowed by others still ends with a model; default 0 (the limit is taken literally).
   */
  minCandidates?: number;
  signal?: AbortSignal;
  onProgress?: (event: AutoMLProgress) => void;
}

export interface AutoMLResult {
  leaderboard: Leaderboard;
  best: LeaderboardEntry;
  model: Model;
  /** Rows of the input the final model was fit on, and held out. */
  trainRows: Uint32Array;
  holdoutRows: Uint32Array;
  /** The final model's output on the held-out rows (in `holdoutRows` order). */
  holdoutOutput: Float64Array;
}
