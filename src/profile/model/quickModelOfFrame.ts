import { takeRows, takeTarget, type Frame, type Target } from '../../ml/frame.js';
import { trainBaseline } from '../../ml/baseline/trainBaseline.js';
import { trainGbdt } from '../../ml/gbdt/trainGbdt.js';
import { accuracy } from '../../ml/metrics/accuracy.js';
import { argmaxRows } from '../../ml/metrics/argmax.js';
import { balancedAccuracy } from '../../ml/metrics/balancedAccuracy.js';
import { confusionMatrix } from '../../ml/metrics/confusionMatrix.js';
import { logLoss } from '../../ml/metrics/logLoss.js';
import { macroF1 } from '../../ml/metrics/precisionRecallF1.js';
import { mae, r2, rmse } from '../../ml/metrics/regression.js';
import { rocAuc } from '../../ml/metrics/rocAuc.js';
import { stratifiedHoldout } from '../../ml/splits/stratifiedHoldout.js';
import type { ProblemType } from '../targetStats.js';
import type { QuickModel } from '../reportSchema.js';
import { split80 } from './split80.js';

/**
 * Training rows the quick model uses at most: a seeded stratified sample of the 80% above it.
 * A bound in rows, not in time, so the report's figures do not depend on the machine's load.
 */
export const QUICK_MODEL_MAX_TRAIN = 20_000;

const finite = (x: number) => (Number.isFinite(x) ? x : null);

/** Metrics of a model output (probabilities or values) on held-out rows. */
export function holdoutMetrics(target: Target, out: Float64Array): Record<string, number | null> {
  if (target.kind === 'regression') return { r2: finite(r2(target.values, out)), rmse: finite(rmse(target.values, out)), mae: finite(mae(target.values, out)) };
  const k = target.labels.length;
  const pred = argmaxRows(out, k);
  return {
    accuracy: finite(accuracy(target.codes, pred)),
    balancedAccuracy: finite(balancedAccuracy(target.codes, pred, k)),
    macroF1: finite(macroF1(target.codes, pred, k)),
    rocAucOvr: finite(rocAuc(target.codes, out, k)),
    logLoss: finite(logLoss(target.codes, out, k)),
  };
}

/**
 * What the quick model's fit needs, made from the report's frame on the calling thread: the
 * stratified 80/20 split (shared with prediction power, which needs it on that thread anyway).
 * The training part is bounded to {@link QUICK_MODEL_MAX_TRAIN} rows by {@link fitQuickModel},
 * on the fit's worker thread, so the calling thread only splits before posting the job.
 */
export interface QuickModelJob {
  /** The whole training part (80%): the baseline's; the model trains on a bounded sample of it. */
  train: Frame;
  trainY: Target;
  test: Frame;
  testY: Target;
  problemType: ProblemType;
  /** The data was sampled. */
  sampled: boolean;
}

/** The quick model without its baseline: what the fit's thread answers. */
export type QuickModelFit = Omit<QuickModel, 'baseline' | 'noBetterThanBaseline'>;

/** The {@link QuickModelJob} of a frame; undefined when there is nothing to fit (no features, under 10 rows). */
export function quickModelJob(frame: Frame, target: Target, problemType: ProblemType, sampled: boolean): QuickModelJob | undefined {
  if (frame.features.length === 0 || frame.nRows < 10) return undefined;
  const s = split80(frame, target);
  return { train: s.train, trainY: s.trainY, test: s.test, testY: s.testY, problemType, sampled };
}

/**
 * The quick model: histogram gradient-boosted trees (ml/gbdt, scikit-learn's defaults: early
 * stopping above 10,000 training rows) on a stratified 80/20 split, trained on at most {@link QUICK_MODEL_MAX_TRAIN}
 * rows of the 80% and measured on all of the 20%, with holdout metrics, confusion matrix and
 * gain importance, beside the baseline's. It tells
 * the approver how much signal the batch carries, not which model to deploy. Pure computation
 * on a loaded frame (no engine): {@link quickModelJob} on the calling thread, then
 * {@link fitQuickModel}, which can run on a worker thread (see `quickModel`), and
 * {@link quickModelBaseline}, joined by {@link withBaseline}.
 */
export function quickModelOfFrame(frame: Frame, target: Target, problemType: ProblemType, sampled: boolean): QuickModel | undefined {
  const job = quickModelJob(frame, target, problemType, sampled);
  return job ? withBaseline(fitQuickModel(job), quickModelBaseline(job)) : undefined;
}

/** The fit on the bounded training sample and its holdout measures (see {@link quickModelOfFrame}). */
export function fitQuickModel(job: QuickModelJob): QuickModelFit {
  const bounded = boundTraining(job.train, job.trainY);
  const model = trainGbdt(bounded.frame, bounded.target, { seed: 0 });
  const out = model.output(job.test);
  const result: QuickModelFit = {
    learner: 'gbdt',
    iterations: model.iterations,
    problemType: job.problemType,
    trainRows: bounded.frame.nRows,
    validationRows: job.test.nRows,
    sampled: job.sampled || bounded.frame.nRows < job.train.nRows,
    metrics: holdoutMetrics(job.testY, out),
    featureImportance: model
      .featureImportance()
      .map((f) => ({ feature: f.name, importance: f.importance }))
      .sort((a, b) => b.importance - a.importance),
  };
  if (job.testY.kind === 'classification') {
    const k = job.testY.labels.length;
    result.confusionMatrix = { labels: job.testY.labels, counts: confusionMatrix(job.testY.codes, argmaxRows(out, k), k) };
  }
  return result;
}

/**
 * The baseline's holdout metrics (class priors or the mean, fitted on the whole training part):
 * computed on the calling thread while the fit runs on its worker, whose answer is the report's
 * longest path.
 */
export function quickModelBaseline(job: QuickModelJob): Record<string, number | null> {
  return holdoutMetrics(job.testY, trainBaseline(job.train, job.trainY).output(job.test));
}

/** The quick model of a fit and the baseline's metrics, with the metrics on which it does no better. */
export function withBaseline(fit: QuickModelFit, baseline: Record<string, number | null>): QuickModel {
  const { featureImportance, confusionMatrix, ...head } = fit;
  const result: QuickModel = { ...head, baseline: { metrics: baseline }, featureImportance };
  result.noBetterThanBaseline = noBetterThanBaseline(result.metrics, baseline);
  if (confusionMatrix) result.confusionMatrix = confusionMatrix;
  return result;
}

/** The training part, or a seeded stratified sample of {@link QUICK_MODEL_MAX_TRAIN} rows of it. */
function boundTraining(frame: Frame, target: Target): { frame: Frame; target: Target } {
  if (frame.nRows <= QUICK_MODEL_MAX_TRAIN) return { frame, target };
  const keep = stratifiedHoldout(target, { testFraction: QUICK_MODEL_MAX_TRAIN / frame.nRows, seed: 1 }).test;
  return { frame: takeRows(frame, keep), target: takeTarget(target, keep) };
}

/** The metrics that decide whether a model beats the baseline, and whether higher is better. */
const DECIDING: Record<string, boolean> = { logLoss: false, balancedAccuracy: true, rmse: false };

/**
 * The deciding metrics on which `model` does no better than `baseline` (equal counts as no
 * better: a model that learned nothing ties the baseline). A missing figure decides nothing.
 */
export function noBetterThanBaseline(model: Record<string, number | null>, baseline: Record<string, number | null>): string[] {
  return Object.entries(DECIDING)
    .filter(([k, higher]) => {
      const m = model[k];
      const b = baseline[k];
      if (m == null || b == null) return false;
      return higher ? m <= b + 1e-12 : m >= b - 1e-12;
    })
    .map(([k]) => k);
}
