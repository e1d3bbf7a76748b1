import { SluiceError } from '../../core/errors.js';
import { EnsembleModel } from '../ensemble/ensembleModel.js';
import { loadModel } from '../loadModel.js';
import type { Model } from '../model.js';
import { type AutoMLRun, hardTimeout, slowestFitMs } from './autoMLRun.js';
import { MIN_SAMPLE_ROWS } from './budgetPlan.js';
import type { Candidate } from './candidate.js';
import { mean } from './ensembleCandidate.js';
import { scoreAll, type LeaderboardEntry } from './leaderboard.js';
import { sampleRows } from './sampleRows.js';
import type { WorkerPool } from './workerPool.js';

/** The refit best model, its holdout output, and what the refit took. */
export interface Refit {
  model: Model;
  /** Rows of the input the model was fit on (all training rows, or a stratified sample). */
  trainRows: Uint32Array;
  /** The model's output on the held-out rows. */
  holdoutOutput: Float64Array;
  /** Models fit (members of an ensemble, copies of a boosting bag). */
  models: number;
  estimateSeconds: number;
}

/**
 * The last phase: refit `best` (or each member of the best ensemble) on all training rows and
 * score it on the holdout. What is left of the budget decides the refit: its estimate from the
 * members' measured fold fits, scaled to the rows; a bag shrinks to one model, then the rows to
 * a sample. The best entry gets the refit model's holdout scores and the refits' info.
 */
export async function refitBest(
  run: AutoMLRun,
  pool: WorkerPool,
  candidates: readonly Candidate[],
  best: LeaderboardEntry,
  ranked: LeaderboardEntry[],
): Promise<Refit> {
  const { allTrain, foldTrainRows, capacity, timeLimit, grace } = run;
  // Gradient boosting is refit as a bag of REFIT_BAG models with different seeds: on the seed
  // data single refits' holdout log loss varied by 0.0015 with the seed, their average did not.
  const members = (best.learner === 'ensemble' ? best.members! : [{ id: best.id, weight: 1 }]).map((m) => ({
    c: candidates.find((x) => x.entry.id === m.id)!,
    weight: m.weight,
  }));
  const leftS = (run.limitMs - run.elapsedMs()) / 1000;
  const estimate = (rows: number, bag: number): number => {
    const fits = members.flatMap((m) => Array<number>(m.c.learner === 'gbdt' ? bag : 1).fill((m.c.entry.fitSeconds ?? 0) * (rows / foldTrainRows)));
    return fits.reduce((a, x) => a + x, 0) / Math.min(capacity, fits.length);
  };
  let bag = run.plan.refitBag;
  let refitRowCount = allTrain.length;
  // A refit that costs next to nothing (the baseline, small data) always takes every row.
  const fits = (rows: number, b: number): boolean => estimate(rows, b) <= Math.max(leftS, 0.02 * timeLimit);
  if (!fits(refitRowCount, bag)) bag = 1;
  if (!fits(refitRowCount, bag)) {
    const perRow = estimate(1, bag);
    refitRowCount = Math.min(allTrain.length, Math.max(Math.min(allTrain.length, MIN_SAMPLE_ROWS), Math.floor(leftS / perRow)));
  }
  const refitTrain = refitRowCount < allTrain.length ? sampleRows(allTrain, run.target, refitRowCount, run.seed + 3) : allTrain;
  const refitPlan = members.flatMap(({ c, weight }) => {
    const copies = c.learner === 'gbdt' ? bag : 1;
    const params = refitParams(c, run.folds.length);
    const seed0 = Number(params.seed ?? 0);
    return Array.from({ length: copies }, (_, s) => ({ c, params: copies > 1 ? { ...params, seed: seed0 + s } : params, weight: weight / copies }));
  });
  const refitEstimate = estimate(refitTrain.length, bag);
  run.progress({
    phase: 'refit',
    entry: best,
    message: `refitting ${best.id} on ${refitTrain.length}${refitTrain.length < allTrain.length ? ` of ${allTrain.length} (a stratified sample: all rows would not fit ${leftS > 0 ? `the ${leftS.toFixed(0)} s left` : 'after the time limit was reached'})` : ''} rows (${refitPlan.length} model${refitPlan.length > 1 ? 's' : ''}, estimated ${refitEstimate.toFixed(1)} s)`,
  });
  // Never so early that the refit cannot do what its estimate says (a run already over its
  // limit still gets a whole model, not one tree).
  const refitDeadline = Math.max(run.finalDeadline + grace, Date.now() + 3 * 1000 * refitEstimate + grace);
  const refits = await Promise.all(
    refitPlan.map((r, i) =>
      // Iterative learners stop adding trees or iterations at the limit plus a margin: the
      // budget holds; a refit cut short says so in its info (stoppedBy: deadline).
      pool.run(
        { id: 900_000 + i, learner: r.c.learner, params: r.params, trainRows: refitTrain, predictRows: [run.test], returnModel: true, deadline: refitDeadline },
        Math.max(hardTimeout(run), 2 * grace + 10 * slowestFitMs(candidates) * (refitTrain.length / foldTrainRows)),
      ),
    ),
  ).catch((e: unknown) => {
    if (e instanceof SluiceError && e.code === 'ML_CANCELLED') throw e;
    throw new SluiceError('ML_REFIT_FAILED', `refitting the best candidate on all training rows failed: ${e instanceof Error ? e.message : String(e)}`, {
      httpStatus: 500,
      hint: 'raise the time limit',
      details: { leaderboard: ranked },
      cause: e,
    });
  });
  const models = refits.map((r) => loadModel(r.model!));
  const weights = refitPlan.map((r) => r.weight);
  const model: Model = models.length === 1 ? models[0]! : new EnsembleModel(models[0]!.task, models[0]!.labels, models[0]!.schema, models, weights);
  const holdoutOutput = new Float64Array(refits[0]!.outputs[0]!.length);
  refits.forEach((r, i) => {
    r.outputs[0]!.forEach((v, j) => {
      holdoutOutput[j]! += weights[i]! * v;
    });
  });
  Object.assign(best, {
    holdout: scoreAll(run.type, run.testTarget, holdoutOutput),
    holdoutSource: 'refit',
    refitSeconds: refits.reduce((a, r) => a + r.fitSeconds, 0),
    info: { ...best.info, refit: refitPlan.map((r, i) => ({ from: r.c.entry.id, weight: r.weight, params: r.params, ...refits[i]!.info })) },
  });
  return { model, trainRows: refitTrain, holdoutOutput, models: refitPlan.length, estimateSeconds: refitEstimate };
}

/**
 * Refit hyperparameters. Boosting trains for the folds' mean early-stopped iteration count,
 * scaled by how many more rows the refit has (`k / (k - 1)`): more data support more steps
 * before overfitting, and near the optimum the loss curve is flat, so erring long costs little.
 */
function refitParams(c: Candidate, nFolds: number): Record<string, unknown> {
  if (c.learner !== 'gbdt') return c.entry.params;
  const iters = c.folds.map((f) => Number(f?.info.iterations ?? 0)).filter((x) => x > 0);
  if (iters.length === 0) return c.entry.params;
  const scale = nFolds > 1 ? nFolds / (nFolds - 1) : 1.25;
  return { ...c.entry.params, maxIter: Math.max(1, Math.round(mean(iters) * scale)), earlyStopping: false };
}
