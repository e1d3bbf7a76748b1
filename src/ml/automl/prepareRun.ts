import { availableParallelism } from 'node:os';
import { SluiceError } from '../../core/errors.js';
import { type Frame, takeTarget, type Target, targetLength } from '../frame.js';
import { LEARNERS, learnersFor } from '../learners.js';
import { stratifiedHoldout } from '../splits/stratifiedHoldout.js';
import { stratifiedKFold } from '../splits/stratifiedKFold.js';
import type { AutoMLOptions } from './autoMLOptions.js';
import type { AutoMLRun } from './autoMLRun.js';
import { planBudget, SEARCH_MARGIN } from './budgetPlan.js';
import { checkAutoMLInput } from './checkAutoMLInput.js';
import { CALIBRATION_ROWS, calibrateFitCost } from './fitCost.js';
import { DEFAULT_METRIC, problemTypeOf } from './problemType.js';
import { sampleRows } from './sampleRows.js';

/** Held-out rows at most, whatever the holdout fraction (see runAutoML). */
export const MAX_HOLDOUT_ROWS = 50_000;
/** Gradient-boosting models averaged in a refit (different seeds, all training rows). */
export const REFIT_BAG = 3;

/**
 * The first phase of a run: validate the input, hold out rows (stratified, never used for
 * selection), measure fit costs and plan the budget, choose the rows searched (a stratified
 * sample when full-size fits would not leave room for a comparison) and their folds.
 */
export function prepareRun(frame: Frame, target: Target, options: AutoMLOptions): AutoMLRun {
  const t0 = Date.now();
  // A monotonic, sub-millisecond clock for the search budget; deadlines handed to learners are epoch ms.
  const p0 = performance.now();
  const elapsedMs = (): number => performance.now() - p0;
  const type = problemTypeOf(target);
  const metric = options.metric ?? DEFAULT_METRIC[type];
  const timeLimit = options.timeLimit ?? 60;
  const seed = options.seed ?? 0;
  const checked = checkAutoMLInput(frame, target, { metric, timeLimit, holdout: options.holdout ?? 0.2 });
  const data = checked.frame;
  const limitMs = timeLimit * 1000;
  const signal = options.signal;
  const throwIfAborted = (): void => {
    if (signal?.aborted) throw new SluiceError('ML_CANCELLED', 'training was cancelled', { httpStatus: 409 });
  };
  throwIfAborted();

  // The holdout: a fraction of the rows, at most MAX_HOLDOUT_ROWS (every candidate predicts it;
  // 50,000 rows measure accuracy within ±0.005, and the rest of a big file trains instead).
  const holdoutFraction = Math.min(options.holdout ?? 0.2, MAX_HOLDOUT_ROWS / Math.max(1, targetLength(target)));
  const { train: allTrain, test } = stratifiedHoldout(target, { testFraction: holdoutFraction, seed });
  const learners = options.learners ?? LEARNERS.filter((l) => !l.search.always).map((l) => l.name);
  const workers = options.workers ?? Math.min(8, availableParallelism());
  const capacity = Math.max(1, workers);

  // The budget: estimated fit costs decide the search rows and what the refit may take.
  const cost =
    options.fitCost ??
    (allTrain.length > CALIBRATION_ROWS
      ? calibrateFitCost(
          data,
          target,
          learners.filter((l) => learnersFor(type === 'regression' ? 'regression' : 'classification').includes(l)),
          { seed },
        )
      : {});
  const planStartMs = elapsedMs();
  const plan = planBudget({
    budgetSeconds: (limitMs - planStartMs) / 1000,
    trainRows: allTrain.length,
    features: data.features.length,
    workers: capacity,
    cost,
    refitBag: REFIT_BAG,
  });
  const searchEndMs = planStartMs + plan.searchSeconds * 1000;
  const sampled = plan.searchRows < allTrain.length;
  const train = sampled ? sampleRows(allTrain, target, plan.searchRows, seed + 2) : allTrain;
  const trainTarget = takeTarget(target, train);
  const largeData = sampled || train.length > (options.largeDataRows ?? 100_000);
  const folds = largeData
    ? [stratifiedHoldout(trainTarget, { testFraction: 0.2, seed: seed + 1 })]
    : stratifiedKFold(trainTarget, { k: options.folds ?? defaultFolds(train.length, data.features.length, timeLimit), seed: seed + 1 });
  const report = options.onProgress ?? ((): void => {});
  const run: AutoMLRun = {
    type,
    metric,
    timeLimit,
    seed,
    data,
    target,
    droppedFeatures: checked.dropped,
    learners,
    workers,
    capacity,
    t0,
    limitMs,
    finalDeadline: t0 + limitMs,
    grace: Math.max(1000, 0.05 * limitMs),
    elapsedMs,
    throwIfAborted,
    progress: (e) => report({ ...e, metric }),
    cost,
    plan,
    searchEndMs,
    taskDeadline: t0 + searchEndMs + 0.5 * SEARCH_MARGIN * limitMs,
    allTrain,
    test,
    testTarget: takeTarget(target, test),
    train,
    trainTarget,
    largeData,
    folds,
    foldTargets: folds.map((f) => takeTarget(trainTarget, f.test)),
    foldTrainRows: folds[0]!.train.length,
    width: target.kind === 'classification' ? target.labels.length : 1,
  };
  if (sampled) {
    run.progress({
      phase: 'search',
      message: `searching on a stratified sample of ${plan.searchRows} of ${allTrain.length} training rows: full-size fits would not fit the ${timeLimit.toFixed(0)}-second budget (estimated ${plan.reference ?? 'fit'} refit ${plan.refitSeconds.toFixed(1)} s)`,
    });
  }
  return run;
}

/**
 * Five folds, or three when the data are big for the time limit (more than 5,000 cells per
 * second of limit, e.g. 55,000 rows x 15 columns in 60 s): then two more candidates finish
 * in the time the fourth and fifth folds would take, which helps the search more.
 */
function defaultFolds(rows: number, cols: number, timeLimit: number): number {
  return rows * cols > 5000 * timeLimit ? 3 : 5;
}
