/**
 * AutoML: from a frame and a target to a leaderboard and the best model, honestly.
 *
 *   validate -> hold out (stratified, never used for selection) -> folds on the rest
 *                                                                      (prepareRun.ts)
 *     -> search: defaults, then seeded random configurations; each candidate's first fold
 *        decides whether it earns the other folds (successive halving, halving rate 2)
 *                                               (searchCandidates.ts, trainCandidate.ts)
 *     -> greedy ensemble selection over out-of-fold predictions (a candidate too)
 *                                                              (ensembleCandidate.ts)
 *     -> best by cross-validated metric -> refit on all training rows -> score the holdout
 *                                                                       (refitBest.ts)
 *
 * The function below is that list of calls; the phases share an {@link AutoMLRun}.
 *
 * Training runs on worker threads, a task per (candidate, fold), on all cores. The time limit
 * holds at any size (budgetPlan.ts): a timed small fit of each learner calibrates a cost
 * estimate; the refit's estimate is counted first (a bag shrinks to one model, then the refit
 * rows to a stratified sample, until it fits), and the search runs on a stratified sample of
 * the training rows when full-size fits would not leave room for a comparison. Candidates stop
 * starting when the planned search time is over or what is left would not cover the refit
 * (re-estimated from the finished candidates); their iterative learners get a deadline a little
 * later. Before the refit starts its cost is estimated again from the best candidate's measured
 * fits and its rows or bag cut to what is left; it gets a deadline at the limit plus a margin.
 * A candidate whose first fold predicts the same output for every row (it learned nothing,
 * e.g. a minimum leaf larger than the data) is pruned at once.
 */
import { SluiceError } from '../../core/errors.js';
import type { Frame, Target } from '../frame.js';
import { METRICS } from '../metrics/metricRegistry.js';
import type { AutoMLOptions, AutoMLResult } from './autoMLOptions.js';
import type { AutoMLRun } from './autoMLRun.js';
import type { Candidate } from './candidate.js';
import { ensembleCandidate } from './ensembleCandidate.js';
import { type Leaderboard, type LeaderboardEntry, sortEntries } from './leaderboard.js';
import { prepareRun } from './prepareRun.js';
import { type Refit, refitBest } from './refitBest.js';
import { searchCandidates } from './searchCandidates.js';
import { WorkerPool } from './workerPool.js';

export type { AutoMLOptions, AutoMLResult } from './autoMLOptions.js';
export { MAX_HOLDOUT_ROWS } from './prepareRun.js';

/**
 * Trains and compares candidate models and returns the leaderboard and the refit best model.
 *
 * @example
 * const { leaderboard, best, model } = await runAutoML(frame, target, { metric: 'log_loss', timeLimit: 60 });
 */
export async function runAutoML(frame: Frame, target: Target, options: AutoMLOptions = {}): Promise<AutoMLResult> {
  const run = prepareRun(frame, target, options);
  const pool = new WorkerPool(run.workers, run.data, target);
  const signal = options.signal;
  const onAbort = (): void => pool.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    const candidates = await searchCandidates(run, pool, options);
    const done = finishedCandidates(run, candidates);
    if (options.ensemble !== false) addEnsemble(run, candidates, done);
    const ranked = sortEntries(
      candidates.map((c) => c.entry),
      run.metric,
    );
    const best = ranked[0]!;
    best.best = true;
    const refit = await refitBest(run, pool, candidates, best, ranked);
    const leaderboard = leaderboardOf(run, ranked, refit);
    run.progress({ phase: 'done', entry: best, message: `best: ${best.id} (${best.learner})` });
    return { leaderboard, best, model: refit.model, trainRows: refit.trainRows, holdoutRows: run.test, holdoutOutput: refit.holdoutOutput };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (signal?.aborted) pool.abort();
    else await pool.close();
  }
}

/** The candidates that finished with out-of-fold outputs; ML_TIME_LIMIT when none did, not even the baseline. */
function finishedCandidates(run: AutoMLRun, candidates: Candidate[]): Candidate[] {
  const done = candidates.filter((c) => c.entry.status === 'ok' && c.oof);
  if (done.length === 0) {
    throw new SluiceError('ML_TIME_LIMIT', `no candidate finished within the ${run.timeLimit}-second time limit, not even the baseline`, {
      hint: 'raise the time limit',
      details: { leaderboard: candidates.map((c) => c.entry) },
    });
  }
  return done;
}

/** Adds the greedy weighted ensemble of the finished candidates, when at least two get weight. */
function addEnsemble(run: AutoMLRun, candidates: Candidate[], done: Candidate[]): void {
  const { type, metric, width, trainTarget, testTarget, folds, foldTargets } = run;
  const ens = ensembleCandidate(done, { id: `c${candidates.length}`, type, metric, width, trainTarget, testTarget, folds, foldTargets });
  if (!ens) return;
  candidates.push(ens);
  run.progress({ phase: 'ensemble', entry: ens.entry, message: `ensemble of ${ens.entry.members!.length} candidates` });
}

function leaderboardOf(run: AutoMLRun, ranked: LeaderboardEntry[], refit: Refit): Leaderboard {
  return {
    problemType: run.type,
    metric: run.metric,
    higherIsBetter: METRICS[run.metric].higherIsBetter,
    validation: run.largeData ? { kind: 'validation-split', fraction: 0.2 } : { kind: 'k-fold', k: run.folds.length },
    trainRows: refit.trainRows.length,
    holdoutRows: run.test.length,
    budget: {
      searchRows: run.train.length,
      refitRows: refit.trainRows.length,
      availableTrainRows: run.allTrain.length,
      refitModels: refit.models,
      refitEstimateSeconds: refit.estimateSeconds,
      plannedSearchSeconds: run.plan.searchSeconds,
      secondsPerUnit: run.cost,
    },
    seed: run.seed,
    timeLimitSeconds: run.timeLimit,
    elapsedSeconds: run.elapsedMs() / 1000,
    droppedFeatures: run.droppedFeatures,
    entries: ranked,
  };
}
