import type { Anomalies, ChampionCheck, ColumnReport, Correlations, DriftReport, PredictionPower, Report, TargetReport } from '../reportSchema.js';
import type { Thresholds } from '../thresholds.js';

/** What the warning rules read: the computed sections of the report, never the data. */
export interface WarningContext {
  dataset: Report['dataset'];
  columns: ColumnReport[];
  target?: TargetReport;
  correlations: Correlations;
  predictionPower?: PredictionPower;
  anomalies?: Anomalies;
  drift?: DriftReport;
  champion?: ChampionCheck;
  thresholds: Thresholds;
  /** Columns the flow generates (record id, event time, split): no warnings about them. */
  generated?: readonly string[];
}

/** A share as a percentage for messages. */
export function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
}
