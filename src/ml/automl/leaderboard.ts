import type { Target } from '../frame.js';
import { METRICS, type MetricName, scoreMetric } from '../metrics/metricRegistry.js';
import type { LearnerName } from '../learners.js';
import type { ProblemType } from './problemType.js';

export interface LeaderboardEntry {
  id: string;
  learner: LearnerName;
  params: Record<string, unknown>;
  /** `pruned`: dropped after its first fold scored below the median (successive halving). */
  status: 'ok' | 'pruned' | 'skipped' | 'failed';
  /** Why it was pruned, skipped or failed. */
  reason?: string;
  /** Cross-validated selection metric: mean and standard deviation over folds, and each fold. */
  cv?: { mean: number; std: number; folds: number[] };
  /** Every holdout metric; never used for selection. */
  holdout?: Record<string, number>;
  /** `refit`: the model refit on all training rows; `fold-models`: the average of the fold models. */
  holdoutSource?: 'refit' | 'fold-models';
  /** Mean fit time per fold, seconds. */
  fitSeconds?: number;
  /** Fit time on all training rows, seconds (the final model only). */
  refitSeconds?: number;
  predictMsPerRow?: number;
  info?: Record<string, unknown>;
  /** Ensemble members and their weights. */
  members?: { id: string; weight: number }[];
  best: boolean;
}

export interface Leaderboard {
  problemType: ProblemType;
  metric: MetricName;
  higherIsBetter: boolean;
  validation: { kind: 'k-fold'; k: number } | { kind: 'validation-split'; fraction: number };
  trainRows: number;
  holdoutRows: number;
  seed: number;
  timeLimitSeconds: number;
  elapsedSeconds: number;
  droppedFeatures: { name: string; reason: string }[];
  /** How the time budget was spent: rows searched and refit (samples when all rows would not fit), the refit's estimate, calibrated costs. */
  budget?: {
    searchRows: number;
    refitRows: number;
    availableTrainRows: number;
    refitModels: number;
    refitEstimateSeconds: number;
    plannedSearchSeconds: number;
    secondsPerUnit: Partial<Record<string, number>>;
  };
  /** Completed candidates best first, then pruned, failed and skipped ones. */
  entries: LeaderboardEntry[];
}

/** The holdout metrics reported for a problem type. */
export function reportMetrics(type: ProblemType): MetricName[] {
  if (type === 'regression') return ['rmse', 'mse', 'mae', 'r2'];
  const m: MetricName[] = ['accuracy', 'balanced_accuracy', 'macro_f1', 'roc_auc', 'log_loss'];
  return type === 'binary' ? [...m, 'f1'] : m;
}

/** All report metrics of an output. */
export function scoreAll(type: ProblemType, target: Target, output: Float64Array): Record<string, number> {
  return Object.fromEntries(reportMetrics(type).map((m) => [m, scoreMetric(m, target, output)]));
}

const STATUS_ORDER = { ok: 0, pruned: 1, failed: 2, skipped: 3 } as const;

/** Sorts entries: completed by CV score (best first), then the rest by status, stably. */
export function sortEntries(entries: LeaderboardEntry[], metric: MetricName): LeaderboardEntry[] {
  const sign = METRICS[metric].higherIsBetter ? -1 : 1;
  return [...entries].sort((a, b) => {
    const s = STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
    if (s !== 0 || a.status !== 'ok') return s;
    const am = a.cv?.mean ?? NaN;
    const bm = b.cv?.mean ?? NaN;
    if (Number.isNaN(am) || Number.isNaN(bm)) return Number.isNaN(am) ? 1 : Number.isNaN(bm) ? -1 : 0;
    return sign * (am - bm);
  });
}
