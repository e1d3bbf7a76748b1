/**
 * AutoML: from a frame and a target to a leaderboard and the best model, honestly.
 *
 *   validate -> hold out (stratified, never used for selection) -> folds on the rest
 *     -> search: defaults, then seeded random configurations; each candidate's first fold
 *        decides whether it earns the other folds (successive halving, halving rate 2)
 *     -> greedy ensemble selection over out-of-fold predictions (a candidate too)
 *     -> best by cross-validated metric -> refit on all training rows -> score the holdout
 *
 * Training runs on worker threads, a task per (candidate, fold), on all cores. The search
 * stops starting candidates at 75% of the time limit; the rest is for finishing folds, the
 * ensemble and the refit. Iterative learners get a deadline so none runs far past the limit.
 */
import { availableParallelism } from 'node:os';
import { SluiceError } from '../../core/errors.js';
import { EnsembleModel } from '../ensemble/ensembleModel.js';
import { type Frame, takeTarget, type Target } from '../frame.js';
import { loadModel } from '../loadModel.js';
import { isBetter, METRICS, type MetricName, scoreMetric } from '../metrics/metricRegistry.js';
import type { Model } from '../model.js';
import { Rng } from '../random.js';
import { stratifiedHoldout } from '../splits/stratifiedHoldout.js';
import { stratifiedKFold } from '../splits/stratifiedKFold.js';
import type { TrainableLearner } from '../trainByName.js';
import type { Candidate } from './candidate.js';
import { checkAutoMLInput } from './checkAutoMLInput.js';
import { ensembleSelection } from './ensembleSelection.js';
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
  /** Fraction held out for the final, unbiased score (default 0.2). */
  holdout?: number;
  /** Cross-validation folds (default 5). */
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
  signal?: AbortSignal;
  onProgress?: (event: { phase: 'search' | 'ensemble' | 'refit' | 'done'; entry?: LeaderboardEntry; message: string }) => void;
}

export interface AutoMLResult {
  leaderboard: Leaderboard;
  best: LeaderboardEntry;
  model: Model;
  /** Rows of the input used for training and held out. */
  trainRows: Uint32Array;
  holdoutRows: Uint32Array;
}

const ALL_LEARNERS: TrainableLearner[] = ['gbdt', 'forest', 'logistic', 'linear'];

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
  const taskDeadline = t0 + 0.8 * limitMs;
  const finalDeadline = t0 + limitMs;
  const grace = Math.max(2000, 0.1 * limitMs);
  const signal = options.signal;
  const throwIfAborted = (): void => {
    if (signal?.aborted) throw new SluiceError('ML_CANCELLED', 'training was cancelled', { httpStatus: 409 });
  };
  throwIfAborted();

  const { train, test } = stratifiedHoldout(target, { testFraction: options.holdout ?? 0.2, seed });
  const trainTarget = takeTarget(target, train);
  const testTarget = takeTarget(target, test);
  const largeData = train.length > (options.largeDataRows ?? 100_000);
  const folds = largeData
    ? [stratifiedHoldout(trainTarget, { testFraction: 0.2, seed: seed + 1 })]
    : stratifiedKFold(trainTarget, { k: options.folds ?? 5, seed: seed + 1 });
  const foldTargets = folds.map((f) => takeTarget(trainTarget, f.test));
  const width = target.kind === 'classification' ? target.labels.length : 1;
  const learners = options.learners ?? ALL_LEARNERS;

  const nWorkers = options.workers ?? Math.min(8, availableParallelism());
  const pool = new WorkerPool(nWorkers, data, target);
  const onAbort = (): void => pool.abort();
  signal?.addEventListener('abort', onAbort);
  const capacity = Math.max(1, nWorkers);
  const candidates: Candidate[] = [];
  const progress = options.onProgress ?? ((): void => {});

  const fitTask = (c: Candidate, f: number): FitTask => ({
    id: candidates.indexOf(c) * 1000 + f,
    learner: c.learner,
    params: c.entry.params,
    trainRows: Uint32Array.from(folds[f]!.train, (i) => train[i]!),
    predictRows: [Uint32Array.from(folds[f]!.test, (i) => train[i]!), test],
    deadline: taskDeadline,
    returnModel: false,
    // Boosting early-stops on the validation fold (as AutoGluon does): its 20% of the rows
    // give a steadier stopping point than a tenth of the fold's training rows, and the refit
    // then trains on every row for the folds' mean number of iterations.
    earlyStopOnFirst: c.learner === 'gbdt',
  });
  const hardTimeout = (): number => Math.max(1000, finalDeadline - Date.now() + grace);

  const runCandidate = async (c: Candidate): Promise<void> => {
    try {
      c.folds[0] = await pool.run(fitTask(c, 0), hardTimeout());
      const s0 = scoreMetric(metric, foldTargets[0]!, c.folds[0].outputs[0]!);
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
      const rest = await Promise.all(folds.slice(1).map((_, i) => pool.runFirst(fitTask(c, i + 1), hardTimeout())));
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
    const truncated = results.filter((r) => r.info.stoppedBy === 'deadline').length;
    if (truncated > 0) c.entry.info = { ...c.entry.info, foldsCutByTimeLimit: truncated };
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
      if (elapsedMs() >= 0.75 * limitMs || (options.maxCandidates !== undefined && next >= options.maxCandidates)) break;
      if (pool.load >= capacity) {
        await Promise.race([...running, delay(25)]);
        continue;
      }
      const isDefault = next < defaults.length;
      const spec = isDefault ? defaults[next]! : randomCandidate(type, learners, rng);
      next++;
      const c = addCandidate(spec, !isDefault);
      const p: Promise<void> = runCandidate(c).finally(() => running.delete(p));
      running.add(p);
    }
    await Promise.all(running);
    throwIfAborted();
    for (let i = next; i < defaults.length; i++) {
      const c = addCandidate(defaults[i]!, false, 'skipped');
      c.entry.reason = 'the time limit was reached before it could start';
    }

    // Ensemble.
    const done = candidates.filter((c) => c.entry.status === 'ok' && c.oof);
    if (done.length === 0) {
      throw new SluiceError('ML_TIME_LIMIT', `no candidate finished within the ${timeLimit}-second time limit, not even the baseline`, {
        hint: 'raise the time limit',
        details: { leaderboard: candidates.map((c) => c.entry) },
      });
    }
    let ensembleCand: Candidate | null = null;
    const pool2 = done.filter((c) => c.learner !== 'baseline');
    if (options.ensemble !== false && pool2.length >= 2) {
      const top = sortEntries(pool2.map((c) => c.entry), metric)
        .slice(0, 20)
        .map((e) => pool2.find((c) => c.entry === e)!);
      const sel = ensembleSelection(top.map((c) => c.oof!), trainTarget, metric);
      const members = top.map((c, i) => ({ c, w: sel.weights[i]! })).filter((m) => m.w > 0);
      if (members.length >= 2) {
        ensembleCand = { entry: { id: `c${candidates.length}`, learner: 'ensemble', params: {}, status: 'ok', best: false }, learner: 'baseline', prunable: false, folds: [] };
        candidates.push(ensembleCand);
        const blend = (get: (c: Candidate) => Float64Array): Float64Array => {
          const out = new Float64Array(get(members[0]!.c).length);
          for (const m of members) {
            const o = get(m.c);
            for (let i = 0; i < out.length; i++) out[i]! += m.w * o[i]!;
          }
          return out;
        };
        const oof = blend((c) => c.oof!);
        const scores = folds.map((f, fi) => {
          const out = new Float64Array(f.test.length * width);
          f.test.forEach((r, i) => out.set(oof.subarray(r * width, (r + 1) * width), i * width));
          return scoreMetric(metric, foldTargets[fi]!, out);
        });
        ensembleCand.oof = oof;
        ensembleCand.holdoutBag = blend((c) => c.holdoutBag!);
        Object.assign(ensembleCand.entry, {
          params: { members: members.map((m) => ({ id: m.c.entry.id, weight: m.w })) },
          members: members.map((m) => ({ id: m.c.entry.id, weight: m.w })),
          cv: { mean: mean(scores), std: std(scores), folds: scores },
          holdout: scoreAll(type, testTarget, ensembleCand.holdoutBag),
          holdoutSource: 'fold-models',
          fitSeconds: members.reduce((a, m) => a + (m.c.entry.fitSeconds ?? 0), 0),
          predictMsPerRow: members.reduce((a, m) => a + (m.c.entry.predictMsPerRow ?? 0), 0),
          info: { selection: 'greedy (Caruana), weights fitted on the same out-of-fold predictions, so its CV score is optimistic' },
        });
        progress({ phase: 'ensemble', entry: ensembleCand.entry, message: `ensemble of ${members.length} candidates` });
      }
    }

    // Best by cross-validated score, then refit on all training rows.
    const ranked = sortEntries(candidates.map((c) => c.entry), metric);
    const best = ranked[0]!;
    best.best = true;
    const bestCand = candidates.find((c) => c.entry === best)!;
    const toRefit = best.learner === 'ensemble' ? best.members!.map((m) => candidates.find((c) => c.entry.id === m.id)!) : [bestCand];
    progress({ phase: 'refit', entry: best, message: `refitting ${best.id} on ${train.length} rows` });
    const refits = await Promise.all(
      toRefit.map((c, i) =>
        pool.run({ id: 900_000 + i, learner: c.learner, params: refitParams(c), trainRows: train, predictRows: [test], deadline: finalDeadline, returnModel: true }, hardTimeout()),
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
    let model: Model;
    let holdoutOut: Float64Array;
    if (best.learner === 'ensemble') {
      const weights = best.members!.map((m) => m.weight);
      model = new EnsembleModel(models[0]!.task, models[0]!.labels, models[0]!.schema, models, weights);
      holdoutOut = new Float64Array(refits[0]!.outputs[0]!.length);
      refits.forEach((r, i) => r.outputs[0]!.forEach((v, j) => (holdoutOut[j]! += weights[i]! * v)));
    } else {
      model = models[0]!;
      holdoutOut = refits[0]!.outputs[0]!;
    }
    Object.assign(best, {
      holdout: scoreAll(type, testTarget, holdoutOut),
      holdoutSource: 'refit',
      refitSeconds: refits.reduce((a, r) => a + r.fitSeconds, 0),
    });
    if (best.learner !== 'ensemble') best.info = { ...best.info, refit: { ...refits[0]!.info, params: refitParams(bestCand) } };
    const leaderboard: Leaderboard = {
      problemType: type,
      metric,
      higherIsBetter: METRICS[metric].higherIsBetter,
      validation: largeData ? { kind: 'validation-split', fraction: 0.2 } : { kind: 'k-fold', k: folds.length },
      trainRows: train.length,
      holdoutRows: test.length,
      seed,
      timeLimitSeconds: timeLimit,
      elapsedSeconds: elapsedMs() / 1000,
      droppedFeatures: checked.dropped,
      entries: ranked,
    };
    progress({ phase: 'done', entry: best, message: `best: ${best.id} (${best.learner})` });
    return { leaderboard, best, model, trainRows: train, holdoutRows: test };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (signal?.aborted) pool.abort();
    else await pool.close();
  }
}

/** Refit hyperparameters: boosting keeps the folds' mean early-stopped iteration count. */
function refitParams(c: Candidate): Record<string, unknown> {
  if (c.learner !== 'gbdt') return c.entry.params;
  const iters = c.folds.map((f) => Number(f?.info.iterations ?? 0)).filter((x) => x > 0);
  if (iters.length === 0) return c.entry.params;
  return { ...c.entry.params, maxIter: Math.max(1, Math.round(mean(iters))), earlyStopping: false };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number => {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
