import { SluiceError } from '../../core/errors.js';
import { isBetter, METRICS, scoreMetric } from '../metrics/metricRegistry.js';
import { type AutoMLRun, hardTimeout } from './autoMLRun.js';
import type { Candidate } from './candidate.js';
import { collapsedOutput } from './collapsedOutput.js';
import { mean, std } from './ensembleCandidate.js';
import type { FitResult, FitTask } from './fitTask.js';
import { scoreAll } from './leaderboard.js';
import type { WorkerPool } from './workerPool.js';

/**
 * Trains one candidate on the folds: the first fold decides whether it earns the others (a
 * collapsed output, or a score not better than the median of the candidates so far, prunes it:
 * successive halving), then the rest run and the candidate is scored. Never throws but for a
 * cancellation: a failure is the entry's status and reason. `candidates` is every candidate
 * started so far, `c` among them.
 */
export async function trainCandidate(run: AutoMLRun, pool: WorkerPool, candidates: readonly Candidate[], c: Candidate): Promise<void> {
  const { metric, folds, foldTargets } = run;
  try {
    c.folds[0] = await pool.run(fitTask(run, candidates, c, 0), hardTimeout(run, c));
    const s0 = scoreMetric(metric, foldTargets[0]!, c.folds[0].outputs[0]!);
    if (c.learner !== 'baseline' && collapsedOutput(c.folds[0].outputs[0]!, run.width)) {
      c.entry.status = 'pruned';
      c.entry.reason = `collapsed: its first fold predicts the same ${run.target.kind === 'classification' ? 'class probabilities' : 'value'} for every row (it learned nothing, as the baseline)`;
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
    const rest = await Promise.all(folds.slice(1).map((_, i) => pool.runFirst(fitTask(run, candidates, c, i + 1), hardTimeout(run, c))));
    rest.forEach((r, i) => {
      c.folds[i + 1] = r;
    });
    scoreCandidate(run, c);
  } catch (e) {
    if (e instanceof SluiceError && e.code === 'ML_CANCELLED') throw e;
    c.entry.status = 'failed';
    c.entry.reason = e instanceof Error ? e.message : String(e);
  } finally {
    run.progress({ phase: 'search', entry: c.entry, message: `${c.entry.id} ${c.entry.learner}: ${c.entry.status}` });
  }
}

/** The task that fits candidate `c` on fold `f` and predicts the fold's validation rows and the holdout. */
function fitTask(run: AutoMLRun, candidates: readonly Candidate[], c: Candidate, f: number): FitTask {
  const { folds, train } = run;
  return {
    id: candidates.indexOf(c) * 1000 + f,
    learner: c.learner,
    params: c.entry.params,
    trainRows: Uint32Array.from(folds[f]!.train, (i) => train[i]!),
    predictRows: [Uint32Array.from(folds[f]!.test, (i) => train[i]!), run.test],
    ...(c.guaranteed ? {} : { deadline: run.taskDeadline }),
    returnModel: false,
    // Boosting early-stops on the validation fold (as AutoGluon does): its 20% of the rows
    // give a steadier stopping point than a tenth of the fold's training rows, and the refit
    // then trains on every row for the folds' mean number of iterations.
    earlyStopOnFirst: c.learner === 'gbdt',
  };
}

/** A candidate whose folds all finished: its out-of-fold outputs, fold scores, and the fold models' holdout average. */
function scoreCandidate(run: AutoMLRun, c: Candidate): void {
  const { width, folds } = run;
  const results = c.folds as FitResult[];
  const oof = new Float64Array(run.train.length * width);
  const scores = results.map((r, f) => {
    const rows = folds[f]!.test;
    const out = r.outputs[0]!;
    for (let i = 0; i < rows.length; i++) for (let j = 0; j < width; j++) oof[rows[i]! * width + j] = out[i * width + j]!;
    return scoreMetric(run.metric, run.foldTargets[f]!, out);
  });
  const bag = new Float64Array(run.test.length * width);
  for (const r of results) for (let i = 0; i < bag.length; i++) bag[i]! += r.outputs[1]![i]! / results.length;
  c.oof = oof;
  c.holdoutBag = bag;
  Object.assign(c.entry, {
    status: 'ok',
    cv: { mean: mean(scores), std: std(scores), folds: scores },
    holdout: scoreAll(run.type, run.testTarget, bag),
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
}
