import { SluiceError } from '../core/errors.js';
import { frameFromView } from '../data/frameFromView.js';
import { Engine } from '../engine/Engine.js';
import { readTable } from '../engine/readTable.js';
import { quoteIdent } from '../engine/sql.js';
import { planSql } from '../flow/planSql.js';
import { alignFrame } from '../ml/align.js';
import type { Target } from '../ml/frame.js';
import { METRICS, scoreMetric, type MetricName } from '../ml/metrics/metricRegistry.js';
import { loadArtifact, type Artifact } from './loadArtifact.js';

export interface ArtifactScore {
  metric: MetricName;
  value: number;
  /** Rows scored: the file's rows that kept a target through the model's own recipe. */
  rows: number;
  /** Rows whose target label the model never saw in training (scored as wrong). */
  unseenLabels: number;
}

/**
 * Scores a trained model on a labelled raw data file through the model's own fitted recipe
 * (train mode: the target is transformed as at training, rows the recipe removes are removed),
 * so that models trained with different fitted parameters are compared on the same raw rows.
 * A class the model never saw gets probability 0 (the row counts as wrong).
 *
 * @example
 * const s = await scoreArtifact('.sluice/models/readmission/3', 'holdout.parquet', 'log_loss');
 */
export async function scoreArtifact(artifactOrPath: string | Artifact, dataPath: string, metric: MetricName): Promise<ArtifactScore> {
  const artifact = typeof artifactOrPath === 'string' ? await loadArtifact(artifactOrPath) : artifactOrPath;
  const { model, fitted } = artifact;
  const spec = METRICS[metric];
  if (!spec) throw new SluiceError('ML_UNKNOWN_METRIC', `unknown metric "${String(metric)}"`, { location: { field: 'model.metric' } });
  if (spec.task !== model.task) {
    throw new SluiceError('ML_METRIC_TASK', `metric "${metric}" is for ${spec.task}, the model at ${artifact.dir} does ${model.task}`, { location: { field: 'model.metric' }, hint: 'choose a metric for the model\'s problem type' });
  }
  const targetColumn = fitted.target;
  if (!targetColumn) throw new SluiceError('SCORE_NO_TARGET', `the model at ${artifact.dir} has a recipe without a target, so it cannot be scored`, { hint: 'train it with a target' });
  const engine = await Engine.open({ memoryLimit: process.env.SLUICE_MEMORY_LIMIT ?? '1GB' });
  try {
    const input = engine.tempName('score_input');
    const info = await readTable(engine, dataPath, { name: input });
    const view = engine.tempName('score_applied');
    await engine.exec(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS ${planSql(fitted, input, info.columns, 'train', dataPath)}`);
    const loaded = await frameFromView(engine, view, {
      features: model.schema.map((s) => ({ name: s.name, kind: s.kind })),
      target: { column: targetColumn, cast: model.task === 'regression' ? 'DOUBLE' : 'VARCHAR' },
    });
    const rows = loaded.frame.nRows;
    if (rows === 0) {
      throw new SluiceError('SCORE_NO_ROWS', `no row of ${dataPath} has a target value after the model's recipe`, { location: { file: dataPath, field: targetColumn }, hint: 'score on labelled data' });
    }
    const out = model.output(alignFrame(model.schema, loaded.frame));
    const values = loaded.targetValues ?? [];
    if (model.task === 'regression') {
      const target: Target = { kind: 'regression', values: Float64Array.from(values, Number) };
      return { metric, value: scoreMetric(metric, target, out), rows, unseenLabels: 0 };
    }
    // Classification: the model's labels, plus one column for labels it never saw (probability 0).
    const k = model.labels.length;
    const index = new Map(model.labels.map((l, i) => [l, i]));
    const codes = new Int32Array(rows);
    let unseen = 0;
    for (let i = 0; i < rows; i++) {
      const c = index.get(String(values[i]));
      if (c === undefined) unseen++;
      codes[i] = c ?? k;
    }
    let proba = out;
    let labels = model.labels;
    if (unseen > 0) {
      proba = new Float64Array(rows * (k + 1));
      for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) proba[i * (k + 1) + j] = out[i * k + j]!;
      labels = [...model.labels, '\u0000unseen'];
    }
    const value = scoreMetric(metric, { kind: 'classification', codes, labels }, proba);
    return { metric, value, rows, unseenLabels: unseen };
  } finally {
    engine.close();
  }
}
