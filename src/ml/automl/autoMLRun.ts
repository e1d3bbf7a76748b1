import type { Frame, Target } from '../frame.js';
import type { MetricName } from '../metrics/metricRegistry.js';
import type { TrainableLearner } from '../learners.js';
import type { Holdout } from '../splits/stratifiedHoldout.js';
import type { AutoMLProgress } from './autoMLOptions.js';
import type { BudgetPlan } from './budgetPlan.js';
import type { Candidate } from './candidate.js';
import type { FitCost } from './fitCost.js';
import type { ProblemType } from './problemType.js';

/**
 * What the phases of one AutoML run share, fixed by `prepareRun` before the search: the checked
 * data, the clock and budget, the holdout, the rows searched and their folds.
 */
export interface AutoMLRun {
  type: ProblemType;
  metric: MetricName;
  /** Seconds for the whole run. */
  timeLimit: number;
  seed: number;
  /** The checked frame (unusable features dropped) and the target. */
  data: Frame;
  target: Target;
  droppedFeatures: { name: string; reason: string }[];
  learners: TrainableLearner[];
  /** Worker threads (0: the calling thread) and how many tasks run at once (at least 1). */
  workers: number;
  capacity: number;
  /** Epoch ms at the start; the limit ends at `finalDeadline`, and refits and safety nets get `grace` ms more. */
  t0: number;
  limitMs: number;
  finalDeadline: number;
  grace: number;
  /** Milliseconds since the start, on a monotonic clock (the search budget). */
  elapsedMs(): number;
  /** Throws ML_CANCELLED once the caller's signal is aborted. */
  throwIfAborted(): void;
  /** Reports a progress event (with the metric). */
  progress(e: Omit<AutoMLProgress, 'metric'>): void;
  cost: FitCost;
  plan: BudgetPlan;
  /** When the search stops starting candidates (elapsed ms), and the deadline its tasks get (epoch ms). */
  searchEndMs: number;
  taskDeadline: number;
  /** Every training row (input indices), and the held-out rows with their target. */
  allTrain: Uint32Array;
  test: Uint32Array;
  testTarget: Target;
  /** The rows searched: all training rows, or a stratified sample when full-size fits would not fit the budget. */
  train: Uint32Array;
  trainTarget: Target;
  /** A single validation split instead of k folds (a sample, or many rows). */
  largeData: boolean;
  /** Folds over `train` (indices into `train`) and each fold's validation target. */
  folds: Holdout[];
  foldTargets: Target[];
  foldTrainRows: number;
  /** Output width: the number of classes, 1 for regression. */
  width: number;
}

/**
 * A safety net against a hung worker, not the budget (learners stop at their deadlines): at
 * least 10 s, so a started task is not killed by a slow machine's scheduling. A candidate that
 * always trains gets a minute (a worker still starting on a busy machine).
 */
export function hardTimeout(run: AutoMLRun, c?: Candidate): number {
  return Math.max(c?.guaranteed ? 60_000 : 10_000, run.finalDeadline - Date.now() + run.grace);
}

/** The slowest finished (non-baseline) candidate's mean fold fit, in ms. */
export function slowestFitMs(candidates: readonly Candidate[]): number {
  return 1000 * Math.max(0, ...candidates.filter((c) => c.entry.status === 'ok' && c.learner !== 'baseline').map((c) => c.entry.fitSeconds ?? 0));
}
