/**
 * AutoML: from a frame and a target to a leaderboard and the best model, honestly.
 *
 *   validate -> hold out (stratified, never used for selection) -> folds on the rest
 *     -> search: defaults, then seeded random configurations; each candidate's first fold
 *        decides whether it earns the other folds (successive halving, halving rate 2)
 *     -> greedy ensemble selection over out-of-fold predictions (a candidate too)
 *     -> best by cross-validated metric -> refit on all training rows -> score the holdout
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
import { availableParallelism } from 'node:os';
import { SluiceError } from '../../core/errors.js';
import { EnsembleModel } from '../ensemble/ensembleModel.js';
import { type Frame, takeTarget, type Target, targetLength } from '../frame.js';
import { loadModel } from '../loadModel.js';
import { isBetter, METRICS, type MetricName, scoreMetric } from '../metrics/metricRegistry.js';
import type { Model } from '../model.js';
import { Rng } from '../random.js';
import { stratifiedHoldout } from '../splits/stratifiedHoldout.js';
import { stratifiedKFold } from '../splits/stratifiedKFold.js';
import { LEARNERS, learnersFor, type TrainableLearner } from '../learners.js';
import { type BudgetPlan, MIN_SAMPLE_ROWS, planBudget, SEARCH_MARGIN } from './budgetPlan.js';
import type { Candidate } from './candidate.js';
import { checkAutoMLInput } from './checkAutoMLInput.js';
import { collapsedOutput } from './collapsedOutput.js';
import { CALIBRATION_ROWS, calibrateFitCost, type FitCost } from './fitCost.js';
import { ensembleCandidate, mean, std } from './ensembleCandidate.js';
import type { FitResult, FitTask } from './fitTask.js';
import { type Leaderboard, type LeaderboardEntry, scoreAll, sortEntries } from './leaderboard.js';
import { DEFAULT_METRIC, problemTypeOf } from './problemType.js';
import { type CandidateSpec, defaultCandidates, randomCandidate } from './searchSpace.js';
import { WorkerPool } from './workerPool.js';

export interface AutoMLOptions {
  /** Selection metric; default per problem type as Autopilot (f1, accuracy, mse). */
  metric?: MetricName;
  /** Seconds for the whole run (default 60). */
  timeLimit?: number;
  seed?: number;
  /** Fraction held out for the final, unbiased score (default 0.2; at most {@link MAX_HOLDOUT_ROWS} rows). */
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
  onProgress?: (event: { phase: 'search' | 'ensemble' | 'refit' | 'done'; entry?: LeaderboardEntry; message: string; metric: MetricName }) => void;
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

/** Held-out rows at most, whatever the holdout fraction (see runAutoML). */
export const MAX_HOLDOUT_ROWS = 50_000;
/** Gradient-boosting models averaged in a refit (different seeds, all training rows). */
const REFIT_BAG = 3;

/**
 * Trains and compares candidate models and returns the leaderboard and the refit best model.
 *
 * @example
 * const { leaderboard, best, model } = await runAutoML(frame, target, { metric: 'log_loss', timeLimit: 60 });
 */
export async function runAutoML(frame: Frame, target: Target, options: AutoMLOptions = {}): Promise<AutoMLResult> {
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
  const finalDeadline = t0 + limitMs;
  const grace = Math.max(1000, 0.05 * limitMs);
  const signal = options.signal;
  const throwIfAborted = (): void => {
    if (signal?.aborted) throw new SluiceError('ML_CANCELLED', 'training was cancelled', { httpStatus: 409 });
  };
  throwIfAborted();

  // The holdout: a fraction of the rows, at most MAX_HOLDOUT_ROWS (every candidate predicts it;
  // 50,000 rows measure accuracy within ±0.005, and the rest of a big file trains instead).
  const holdoutFraction = Math.min(options.holdout ?? 0.2, MAX_HOLDOUT_ROWS / Math.max(1, targetLength(target)));
  const { train: allTrain, test } = stratifiedHoldout(target, { testFraction: holdoutFraction, seed });
  const testTarget = takeTarget(target, test);
  const learners = options.learners ?? LEARNERS.filter((l) => !l.search.always).map((l) => l.name);
  const nWorkers = options.workers ?? Math.min(8, availableParallelism());
  const capacity = Math.max(1, nWorkers);

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
  const plan: BudgetPlan = planBudget({
    budgetSeconds: (limitMs - planStartMs) / 1000,
    trainRows: allTrain.length,
    features: data.features.length,
    workers: capacity,
    cost,
    refitBag: REFIT_BAG,
  });
  const searchEndMs = planStartMs + plan.searchSeconds * 1000;
  const taskDeadline = t0 + searchEndMs + 0.5 * SEARCH_MARGIN * limitMs;
  const sampled = plan.searchRows < allTrain.length;
  const train = sampled ? sampleRows(allTrain, target, plan.searchRows, seed + 2) : allTrain;
  const trainTarget = takeTarget(target, train);
  const largeData = sampled || train.length > (options.largeDataRows ?? 100_000);
  const folds = largeData
    ? [stratifiedHoldout(trainTarget, { testFraction: 0.2, seed: seed + 1 })]
    : stratifiedKFold(trainTarget, { k: options.folds ?? defaultFolds(train.length, data.features.length, timeLimit), seed: seed + 1 });
  const foldTargets = folds.map((f) => takeTarget(trainTarget, f.test));
  const width = target.kind === 'classification' ? target.labels.length : 1;

  const pool = new WorkerPool(nWorkers, data, target);
  const onAbort = (): void => pool.abort();
  signal?.addEventListener('abort', onAbort);
  const candidates: Candidate[] = [];
  const report = options.onProgress ?? ((): void => {});
  const progress = (e: { phase: 'search' | 'ensemble' | 'refit' | 'done'; entry?: LeaderboardEntry; message: string }): void => report({ ...e, metric });
  if (sampled) {
    progress({
      phase: 'search',
      message: `searching on a stratified sample of ${plan.searchRows} of ${allTrain.length} training rows: full-size fits would not fit the ${timeLimit.toFixed(0)}-second budget (estimated ${plan.reference ?? 'fit'} refit ${plan.refitSeconds.toFixed(1)} s)`,
    });
  }
  const foldTrainRows = folds[0]!.train.length;

  const fitTask = (c: Candidate, f: number): FitTask => ({
    id: candidates.indexOf(c) * 1000 + f,
    learner: c.learner,
    params: c.entry.params,
    trainRows: Uint32Array.from(folds[f]!.train, (i) => train[i]!),
    predictRows: [Uint32Array.from(folds[f]!.test, (i) => train[i]!), test],
    ...(c.guaranteed ? {} : { deadline: taskDeadline }),
    returnModel: false,
    // Boosting early-stops on the validation fold (as AutoGluon does): its 20% of the rows
    // give a steadier stopping point than a tenth of the fold's training rows, and the refit
    // then trains on every row for the folds' mean number of iterations.
    earlyStopOnFirst: c.learner === 'gbdt',
  });
  // A safety net against a hung worker, not the budget (learners stop at their deadlines): at
  // least 10 s, so a started task is not killed by a slow machine's scheduling.
  // A candidate that always trains gets a minute (a worker still starting on a busy machine).
  const hardTimeout = (c?: Candidate): number => Math.max(c?.guaranteed ? 60_000 : 10_000, finalDeadline - Date.now() + grace);
  // Time to keep for the refit: the plan's estimate, or the slowest finished candidate's fold
  // fit scaled to the refit rows, times the rounds a bag of refits takes on the workers.
  const slowestFitMs = (): number =>
    1000 * Math.max(0, ...candidates.filter((c) => c.entry.status === 'ok' && c.learner !== 'baseline').map((c) => c.entry.fitSeconds ?? 0));
  const refitReserveMs = (): number =>
    Math.max(
      Number.isFinite(plan.refitSeconds) ? 1000 * plan.refitSeconds : 0,
      1.2 * slowestFitMs() * (plan.refitRows / foldTrainRows) * Math.ceil(plan.refitBag / capacity),
    );

  const runCandidate = async (c: Candidate): Promise<void> => {
    try {
      c.folds[0] = await pool.run(fitTask(c, 0), hardTimeout(c));
      const s0 = scoreMetric(metric, foldTargets[0]!, c.folds[0].outputs[0]!);
      if (c.learner !== 'baseline' && collapsedOutput(c.folds[0].outputs[0]!, width)) {
        c.entry.status = 'pruned';
        c.entry.reason = `collapsed: its first fold predicts the same ${target.kind === 'classification' ? 'class probabilities' : 'value'} for every row (it learned nothing, as the baseline)`;
        c.entry.cv = { mean: s0, std: NaN, folds: [s0] };
        return;
      }
      if (c.prunable && folds.length > 1) {
        const peers = candidates
          .filter((o) => o !== c && o.learner !== 'baseline' && o.folds[0])
          .map((o) => scoreMetric(metric, foldTargets[0]!, o.folds[0]!.outputs[0]!));
        if (peers.length >= 4) {
          const sorted = peers.sort((a, b) => (METRICS[metric].higherIsBetter ? b - a : a - b));
          const median = sorted[Math.floor(sorted.length / 2)]!;
          if (!isBetter(metric, s0, median)) {
            c.entry.status = 'pruned';
            c.entry.reason = `first fold ${metric} ${s0.toPrecision(4)} was not better than the median of ${peers.length} candidates (${median.toPrecision(4)})`;
            c.entry.cv = { mean: s0, std: NaN, folds: [s0] };
            return;
          }
        }
      }
      const rest = await Promise.all(folds.slice(1).map((_, i) => pool.runFirst(fitTask(c, i + 1), hardTimeout(c))));
      rest.forEach((r, i) => (c.folds[i + 1] = r));
      finishCandidate(c);
    } catch (e) {
      if (e instanceof SluiceError && e.code === 'ML_CANCELLED') throw e;
      c.entry.status = 'failed';
      c.entry.reason = e instanceof Error ? e.message : String(e);
    } finally {
      progress({ phase: 'search', entry: c.entry, message: `${c.entry.id} ${c.entry.learner}: ${c.entry.status}` });
    }
  };

  const finishCandidate = (c: Candidate): void => {
    const results = c.folds as FitResult[];
    const oof = new Float64Array(train.length * width);
    const scores = results.map((r, f) => {
      const rows = folds[f]!.test;
      const out = r.outputs[0]!;
      for (let i = 0; i < rows.length; i++) for (let j = 0; j < width; j++) oof[rows[i]! * width + j] = out[i * width + j]!;
      return scoreMetric(metric, foldTargets[f]!, out);
    });
    const bag = new Float64Array(test.length * width);
    for (const r of results) for (let i = 0; i < bag.length; i++) bag[i]! += r.outputs[1]![i]! / results.length;
    c.oof = oof;
    c.holdoutBag = bag;
    Object.assign(c.entry, {
      status: 'ok',
      cv: { mean: mean(scores), std: std(scores), folds: scores },
      holdout: scoreAll(type, testTarget, bag),
      holdoutSource: 'fold-models',
      fitSeconds: mean(results.map((r) => r.fitSeconds)),
      predictMsPerRow: mean(results.map((r) => r.predictMsPerRow)),
      info: results[0]!.info,
    });
    // A model cut short by the time limit in some folds is not the configuration it claims to
    // be, and its out-of-fold predictions would mislead the ensemble: listed, not used.
    const truncated = results.filter((r) => r.info.stoppedBy === 'deadline').length;
    if (truncated > 0) {
      c.entry.status = 'failed';
      c.entry.reason = `${truncated} of ${results.length} folds were cut short by the time limit`;
    }
  };

  // Search.
  const defaults = defaultCandidates(type, learners);
  const rng = new Rng(seed);
  const running = new Set<Promise<void>>();
  const addCandidate = (spec: CandidateSpec, prunable: boolean, status: LeaderboardEntry['status'] = 'ok'): Candidate => {
    const c: Candidate = {
      entry: { id: `c${candidates.length}`, learner: spec.learner, params: spec.params, status, best: false },
      learner: spec.learner,
      prunable,
      folds: [],
    };
    candidates.push(c);
    return c;
  };
  let next = 0;
  try {
    while (true) {
      throwIfAborted();
      const outOfTime = next >= (options.minCandidates ?? 0) && (elapsedMs() >= searchEndMs || limitMs - elapsedMs() < refitReserveMs());
      if (outOfTime || (options.maxCandidates !== undefined && next >= options.maxCandidates)) break;
      if (pool.load >= capacity) {
        await Promise.race([...running, delay(25)]);
        continue;
      }
      const isDefault = next < defaults.length;
      const spec = isDefault ? defaults[next]! : randomCandidate(type, learners, rng);
      next++;
      const c = addCandidate(spec, !isDefault);
      if (next <= (options.minCandidates ?? 0)) c.guaranteed = true;
      const p: Promise<void> = runCandidate(c).finally(() => running.delete(p));
      running.add(p);
    }
    await Promise.all(running);
    throwIfAborted();
    const capped = options.maxCandidates !== undefined && next >= options.maxCandidates;
    for (let i = next; i < defaults.length; i++) {
      const c = addCandidate(defaults[i]!, false, 'skipped');
      c.entry.reason = capped
        ? `the candidate limit (${options.maxCandidates}) was reached before it could start`
        : 'the time limit was reached before it could start';
    }

    // Ensemble.
    const done = candidates.filter((c) => c.entry.status === 'ok' && c.oof);
    if (done.length === 0) {
      throw new SluiceError('ML_TIME_LIMIT', `no candidate finished within the ${timeLimit}-second time limit, not even the baseline`, {
        hint: 'raise the time limit',
        details: { leaderboard: candidates.map((c) => c.entry) },
      });
    }
    if (options.ensemble !== false) {
      const ens = ensembleCandidate(done, { id: `c${candidates.length}`, type, metric, width, trainTarget, testTarget, folds, foldTargets });
      if (ens) {
        candidates.push(ens);
        progress({ phase: 'ensemble', entry: ens.entry, message: `ensemble of ${ens.entry.members!.length} candidates` });
      }
    }

    // Best by cross-validated score, then refit on all training rows.
    const ranked = sortEntries(
      candidates.map((c) => c.entry),
      metric,
    );
    const best = ranked[0]!;
    best.best = true;
    // Gradient boosting is refit as a bag of REFIT_BAG models with different seeds: on the seed
    // data single refits' holdout log loss varied by 0.0015 with the seed, their average did not.
    const members = (best.learner === 'ensemble' ? best.members! : [{ id: best.id, weight: 1 }]).map((m) => ({
      c: candidates.find((x) => x.entry.id === m.id)!,
      weight: m.weight,
    }));
    // What is left of the budget decides the refit: its estimate from the members' measured
    // fold fits, scaled to the rows; a bag shrinks to one model, then the rows to a sample.
    const leftS = (limitMs - elapsedMs()) / 1000;
    const estimate = (rows: number, bag: number): number => {
      const fits = members.flatMap((m) => Array<number>(m.c.learner === 'gbdt' ? bag : 1).fill((m.c.entry.fitSeconds ?? 0) * (rows / foldTrainRows)));
      return fits.reduce((a, x) => a + x, 0) / Math.min(capacity, fits.length);
    };
    let bag = plan.refitBag;
    let refitRowCount = allTrain.length;
    // A refit that costs next to nothing (the baseline, small data) always takes every row.
    const fits = (rows: number, b: number): boolean => estimate(rows, b) <= Math.max(leftS, 0.02 * timeLimit);
    if (!fits(refitRowCount, bag)) bag = 1;
    if (!fits(refitRowCount, bag)) {
      const perRow = estimate(1, bag);
      refitRowCount = Math.min(allTrain.length, Math.max(Math.min(allTrain.length, MIN_SAMPLE_ROWS), Math.floor(leftS / perRow)));
    }
    const refitTrain = refitRowCount < allTrain.length ? sampleRows(allTrain, target, refitRowCount, seed + 3) : allTrain;
    const refitPlan = members.flatMap(({ c, weight }) => {
      const copies = c.learner === 'gbdt' ? bag : 1;
      const params = refitParams(c, folds.length);
      const seed0 = Number(params.seed ?? 0);
      return Array.from({ length: copies }, (_, s) => ({ c, params: copies > 1 ? { ...params, seed: seed0 + s } : params, weight: weight / copies }));
    });
    const refitEstimate = estimate(refitTrain.length, bag);
    progress({
      phase: 'refit',
      entry: best,
      message: `refitting ${best.id} on ${refitTrain.length}${refitTrain.length < allTrain.length ? ` of ${allTrain.length} (a stratified sample: all rows would not fit ${leftS > 0 ? `the ${leftS.toFixed(0)} s left` : 'after the time limit was reached'})` : ''} rows (${refitPlan.length} model${refitPlan.length > 1 ? 's' : ''}, estimated ${refitEstimate.toFixed(1)} s)`,
    });
    // Never so early that the refit cannot do what its estimate says (a run already over its
    // limit still gets a whole model, not one tree).
    const refitDeadline = Math.max(finalDeadline + grace, Date.now() + 3 * 1000 * refitEstimate + grace);
    const refits = await Promise.all(
      refitPlan.map((r, i) =>
        // Iterative learners stop adding trees or iterations at the limit plus a margin: the
        // budget holds; a refit cut short says so in its info (stoppedBy: deadline).
        pool.run(
          { id: 900_000 + i, learner: r.c.learner, params: r.params, trainRows: refitTrain, predictRows: [test], returnModel: true, deadline: refitDeadline },
          Math.max(hardTimeout(), 2 * grace + 10 * slowestFitMs() * (refitTrain.length / foldTrainRows)),
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
    const holdoutOut = new Float64Array(refits[0]!.outputs[0]!.length);
    refits.forEach((r, i) => r.outputs[0]!.forEach((v, j) => (holdoutOut[j]! += weights[i]! * v)));
    Object.assign(best, {
      holdout: scoreAll(type, testTarget, holdoutOut),
      holdoutSource: 'refit',
      refitSeconds: refits.reduce((a, r) => a + r.fitSeconds, 0),
      info: { ...best.info, refit: refitPlan.map((r, i) => ({ from: r.c.entry.id, weight: r.weight, params: r.params, ...refits[i]!.info })) },
    });
    const leaderboard: Leaderboard = {
      problemType: type,
      metric,
      higherIsBetter: METRICS[metric].higherIsBetter,
      validation: largeData ? { kind: 'validation-split', fraction: 0.2 } : { kind: 'k-fold', k: folds.length },
      trainRows: refitTrain.length,
      holdoutRows: test.length,
      budget: {
        searchRows: train.length,
        refitRows: refitTrain.length,
        availableTrainRows: allTrain.length,
        refitModels: refitPlan.length,
        refitEstimateSeconds: refitEstimate,
        plannedSearchSeconds: plan.searchSeconds,
        secondsPerUnit: cost,
      },
      seed,
      timeLimitSeconds: timeLimit,
      elapsedSeconds: elapsedMs() / 1000,
      droppedFeatures: checked.dropped,
      entries: ranked,
    };
    progress({ phase: 'done', entry: best, message: `best: ${best.id} (${best.learner})` });
    return { leaderboard, best, model, trainRows: refitTrain, holdoutRows: test, holdoutOutput: holdoutOut };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (signal?.aborted) pool.abort();
    else await pool.close();
  }
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

/**
 * Five folds, or three when the data are big for the time limit (more than 5,000 cells per
 * second of limit, e.g. 55,000 rows x 15 columns in 60 s): then two more candidates finish
 * in the time the fourth and fifth folds would take, which helps the search more.
 */
function defaultFolds(rows: number, cols: number, timeLimit: number): number {
  return rows * cols > 5000 * timeLimit ? 3 : 5;
}

/** A stratified sample of `count` of `rows` (input row indices), ascending. */
function sampleRows(rows: Uint32Array, target: Target, count: number, seed: number): Uint32Array {
  const h = stratifiedHoldout(takeTarget(target, rows), { testFraction: count / rows.length, seed });
  return Uint32Array.from(h.test, (i) => rows[i]!);
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
