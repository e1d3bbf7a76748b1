import type { Leaderboard } from '../ml/automl/leaderboard.js';
import type { ProblemType } from '../ml/automl/problemType.js';
import type { MetricName } from '../ml/metrics/metricRegistry.js';

/** One class's one-vs-rest curve, downsampled for drawing. */
export interface ClassCurve {
  label: string;
  x: number[];
  y: number[];
  /** Area under the curve (ROC AUC, or average precision for precision-recall). */
  area: number;
}

/**
 * The model quality report (`model-report.json`): a JSON snapshot first, rendered to HTML
 * second, as the insights report is. Every figure is on the holdout rows, which model
 * selection never saw.
 */
export interface ModelReport {
  format: 'sluice.model-report';
  formatVersion: 1;
  generatedAt: string;
  source: { file: string; sha256: string };
  target: string;
  problemType: ProblemType;
  metric: MetricName;
  higherIsBetter: boolean;
  best: { id: string; learner: string; params: Record<string, unknown> };
  holdout: { rows: number; metrics: Record<string, number> };
  baseline?: { id: string; metrics: Record<string, number> };
  /** Classification only. */
  labels?: string[];
  confusionMatrix?: { labels: string[]; counts: number[][] };
  perClass?: Array<{ label: string; precision: number; recall: number; f1: number; support: number }>;
  roc?: ClassCurve[];
  precisionRecall?: ClassCurve[];
  calibration?: Array<{ label: string; probPred: number[]; probTrue: number[]; count: number[] }>;
  /** Regression only: predicted against actual for a sample of holdout rows. */
  residuals?: { actual: number[]; predicted: number[] };
  importance: { metric: MetricName; rows: number; repeats: number; features: Array<{ feature: string; importance: number; std: number }> };
  leaderboard: Array<{
    id: string;
    learner: string;
    status: string;
    best: boolean;
    cvMean: number | null;
    cvStd: number | null;
    holdout: number | null;
    fitSeconds: number | null;
    reason?: string;
  }>;
  droppedFeatures: Leaderboard['droppedFeatures'];
  skippedColumns: Array<{ name: string; reason: string }>;
}
