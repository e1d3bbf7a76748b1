import type { Leaderboard, LeaderboardEntry } from '../ml/automl/leaderboard.js';
import { type Frame, takeRows, type Target } from '../ml/frame.js';
import { calibrationCurve } from '../ml/metrics/calibrationCurve.js';
import { confusionMatrix } from '../ml/metrics/confusionMatrix.js';
import { argmaxRows } from '../ml/metrics/argmax.js';
import { METRICS } from '../ml/metrics/metricRegistry.js';
import { precisionRecallCurve } from '../ml/metrics/precisionRecallCurve.js';
import { precisionRecallF1 } from '../ml/metrics/precisionRecallF1.js';
import { binaryAuc } from '../ml/metrics/rocAuc.js';
import { rocCurve } from '../ml/metrics/rocCurve.js';
import type { Model } from '../ml/model.js';
import { permutationImportance } from '../ml/permutationImportance.js';
import { Rng } from '../ml/random.js';
import type { ClassCurve, ModelReport } from './modelReport.js';

/** Holdout rows permutation importance uses at most (it predicts features x repeats times). */
const IMPORTANCE_ROWS = 2500;
const IMPORTANCE_REPEATS = 3;
/** Points kept per curve: enough for a smooth line, small enough for the HTML. */
const CURVE_POINTS = 150;

export interface EvaluateInput {
  model: Model;
  /** The holdout rows (never used for selection) and their target. */
  frame: Frame;
  target: Target;
  /** The model's output on `frame`. */
  output: Float64Array;
  leaderboard: Leaderboard;
  best: LeaderboardEntry;
  seed: number;
  source: ModelReport['source'];
  targetColumn: string;
  skippedColumns: ModelReport['skippedColumns'];
}

/**
 * Builds the model quality report on the holdout: confusion matrix, per-class precision /
 * recall / F1, one-vs-rest ROC and precision-recall curves, calibration, permutation feature
 * importance (log loss for classification, on at most 2,500 holdout rows, seeded) and the
 * leaderboard.
 */
export function evaluateModel(input: EvaluateInput): ModelReport {
  const { frame, target, output, leaderboard: lb, best } = input;
  const metric = lb.metric;
  const baseline = lb.entries.find((e) => e.learner === 'baseline' && e.status === 'ok');
  const report: ModelReport = {
    format: 'sluice.model-report',
    formatVersion: 1,
    generatedAt: new Date().toISOString(),
    source: input.source,
    target: input.targetColumn,
    problemType: lb.problemType,
    metric,
    higherIsBetter: METRICS[metric].higherIsBetter,
    best: { id: best.id, learner: best.learner, params: best.params },
    holdout: { rows: frame.nRows, metrics: best.holdout ?? {} },
    ...(baseline?.holdout ? { baseline: { id: baseline.id, metrics: baseline.holdout } } : {}),
    importance: importance(input),
    leaderboard: lb.entries.map((e) => ({
      id: e.id,
      learner: e.learner,
      status: e.status,
      best: e.best,
      cvMean: num(e.cv?.mean),
      cvStd: num(e.cv?.std),
      holdout: num(e.holdout?.[metric]),
      fitSeconds: num(e.fitSeconds),
      ...(e.reason ? { reason: e.reason } : {}),
    })),
    droppedFeatures: lb.droppedFeatures,
    skippedColumns: input.skippedColumns,
  };
  if (target.kind === 'classification') {
    const k = target.labels.length;
    const y = target.codes;
    const pred = argmaxRows(output, k);
    const scores = precisionRecallF1(y, pred, k);
    report.labels = target.labels;
    report.confusionMatrix = { labels: target.labels, counts: confusionMatrix(y, pred, k) };
    report.perClass = target.labels.map((label, c) => ({
      label,
      precision: scores.precision[c]!,
      recall: scores.recall[c]!,
      f1: scores.f1[c]!,
      support: scores.support[c]!,
    }));
    // Binary: the positive class (code 1) alone, as is usual; multiclass: every class vs the rest.
    const classes = k === 2 ? [1] : target.labels.map((_, c) => c);
    report.roc = [];
    report.precisionRecall = [];
    report.calibration = [];
    for (const c of classes) {
      const positive = Uint8Array.from(y, (v) => (v === c ? 1 : 0));
      const score = Float64Array.from({ length: frame.nRows }, (_, i) => output[i * k + c]!);
      const label = target.labels[c]!;
      const roc = rocCurve(positive, score);
      report.roc.push(curve(label, roc.fpr, roc.tpr, binaryAuc(positive, score)));
      const pr = precisionRecallCurve(positive, score);
      report.precisionRecall.push(curve(label, pr.recall, pr.precision, averagePrecision(pr.recall, pr.precision)));
      report.calibration.push({ label, ...calibrationCurve(positive, score, 10) });
    }
  } else {
    const rng = new Rng(input.seed);
    const idx = frame.nRows > 500 ? Array.from(rng.permutation(frame.nRows).subarray(0, 500)) : Array.from({ length: frame.nRows }, (_, i) => i);
    report.residuals = { actual: idx.map((i) => target.values[i]!), predicted: idx.map((i) => output[i]!) };
  }
  return report;
}

function importance(input: EvaluateInput): ModelReport['importance'] {
  const { frame, target, model } = input;
  let f = frame;
  let t = target;
  if (frame.nRows > IMPORTANCE_ROWS) {
    const rows = new Rng(input.seed).permutation(frame.nRows).subarray(0, IMPORTANCE_ROWS);
    f = takeRows(frame, rows);
    t =
      target.kind === 'classification'
        ? { ...target, codes: Int32Array.from(rows, (i) => target.codes[i]!) }
        : { ...target, values: Float64Array.from(rows, (i) => target.values[i]!) };
  }
  // Log loss for classification: it moves with every probability, where accuracy on a few
  // thousand rows barely moves at all; regression uses the selection metric.
  const metric = target.kind === 'classification' ? 'log_loss' : input.leaderboard.metric;
  // The model reads its own feature order; align the frame to it by name.
  const byName = new Map(f.features.map((x) => [x.name, x]));
  const aligned: Frame = { nRows: f.nRows, features: model.schema.map((s) => byName.get(s.name)!).filter(Boolean) };
  const imp = permutationImportance(model, aligned, t, metric, { repeats: IMPORTANCE_REPEATS, seed: input.seed });
  return {
    metric,
    rows: f.nRows,
    repeats: IMPORTANCE_REPEATS,
    features: imp.map((x) => ({ feature: x.name, importance: x.importance, std: x.std })).sort((a, b) => b.importance - a.importance),
  };
}

/** A curve downsampled to about {@link CURVE_POINTS} points, keeping both ends. */
function curve(label: string, x: number[], y: number[], area: number): ClassCurve {
  const step = Math.max(1, Math.ceil(x.length / CURVE_POINTS));
  const keep = x.map((_, i) => i).filter((i) => i % step === 0 || i === x.length - 1);
  return { label, x: keep.map((i) => round(x[i]!)), y: keep.map((i) => round(y[i]!)), area };
}

/**
 * Average precision: the sum over thresholds of (R_n - R_{n-1}) * P_n, as scikit-learn. The
 * curve runs from the lowest threshold to the highest; walking it backwards, recall grows.
 */
function averagePrecision(recall: number[], precision: number[]): number {
  let ap = 0;
  for (let i = recall.length - 2; i >= 0; i--) ap += (recall[i]! - recall[i + 1]!) * precision[i]!;
  return ap;
}

const round = (v: number): number => Math.round(v * 1e5) / 1e5;
const num = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);
