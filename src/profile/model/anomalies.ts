import { fitIsolationForest } from '../../ml/isolationForest.js';
import type { ModelSectionInput } from '../reportPlugins.js';
import type { Anomalies, Cell } from '../reportSchema.js';
import { modelDataFromView, type ModelData } from './modelDataFromView.js';

/** Rows scored at most; a seeded sample above it (the report says so). */
export const ANOMALY_MAX_ROWS = 10_000;
const TOP = 10;

const cache = new WeakMap<ModelSectionInput, Promise<ModelData>>();

/**
 * Reads the rows the anomalies are scored on (once per report): the report's `prepareAnomalies`,
 * so that {@link anomalies} itself needs no query and runs while DuckDB computes the correlations.
 */
export function loadAnomalyData(input: ModelSectionInput): Promise<ModelData> {
  let p = cache.get(input);
  if (!p) {
    p = modelDataFromView(input.engine, input.relation, input.columns, undefined, ANOMALY_MAX_ROWS, input.stable);
    cache.set(input, p);
  }
  return p;
}

/**
 * The most anomalous rows by isolation forest (ml/isolationForest: 100 trees on subsamples of
 * 256 rows, seed 0) over every column but free text, dates and constants (the target included: an unusual label
 * for its features is an anomaly too), on at most 10,000 rows (a seeded sample above that). The
 * score is in (0, 1): about 0.5 for ordinary rows, near 1 for rows isolated in few splits.
 * `anomalousRows` counts the scored rows at or above `thresholds.anomalyScore`.
 */
export async function anomalies(input: ModelSectionInput): Promise<Anomalies | undefined> {
  const data = await loadAnomalyData(input);
  const { frame } = data;
  if (frame.features.length === 0 || frame.nRows < 10) return undefined;
  const forest = fitIsolationForest(frame, { seed: 0 });
  const scores = forest.score(frame);
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
  let anomalousRows = 0;
  for (const s of scores) if (s >= input.thresholds.anomalyScore) anomalousRows++;
  const row = (r: number): Record<string, Cell> => {
    const out: Record<string, Cell> = {};
    for (const f of frame.features) {
      if (f.kind === 'numeric') out[f.name] = Number.isNaN(f.values[r]!) ? null : f.values[r]!;
      else out[f.name] = f.codes[r]! < 0 ? null : f.levels[f.codes[r]!]!.replace('\u0000other', '(other)');
    }
    return out;
  };
  return {
    method: 'isolation_forest',
    sampled: data.sampled,
    scoredRows: frame.nRows,
    threshold: input.thresholds.anomalyScore,
    anomalousRows,
    top: order.slice(0, TOP).map((r) => ({ score: scores[r]!, row: row(r) })),
  };
}
