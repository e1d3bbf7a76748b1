import { fittedMissing } from '../flow/fittedFlow.js';
import { SluiceError } from '../core/errors.js';
import { frameFromView } from '../data/frameFromView.js';
import { Engine } from '../engine/Engine.js';
import { readTable } from '../engine/readTable.js';
import { applyFitted } from '../flow/applyFitted.js';
import { alignFrame } from '../ml/alignFrame.js';
import { takeRows, takeTarget, type Frame, type Target } from '../ml/frame.js';
import type { Model } from '../ml/model.js';
import { permutationImportance } from '../ml/permutationImportance.js';
import { Rng } from '../ml/random.js';
import { METRICS, scoreMetric, type MetricName } from '../ml/metrics/metricRegistry.js';
import { loadArtifact, type Artifact } from '../artifact/loadArtifact.js';

export interface ArtifactScore {
  metric: MetricName;
  value: number;
  /** Rows scored: the file's rows that kept a target through the model's own recipe. */
  rows: number;
  /** Rows whose target label the model never saw in training (scored as wrong). */
  unseenLabels: number;
  /** With `importance: true`: permutation importance of each model feature on these rows. */
  importance?: Record<string, number>;
}

/** Rows permutation importance uses at most, and its repeats (it predicts features x repeats times). */
const IMPORTANCE_ROWS = 2500;
const IMPORTANCE_REPEATS = 3;

/**
 * Scores a trained model on a labelled raw data file through the model's own fitted recipe
 * (train mode: the target is transformed as at training, rows the recipe removes are removed),
 * so that models trained with different fitted parameters are compared on the same raw rows.
 * A class the model never saw gets probability 0 (the row counts as wrong).
 *
 * @example
 * const s = await scoreArtifact('.sluice/models/readmission/3', 'holdout.parquet', 'log_loss');
 */
export async function scoreArtifact(
  artifactOrPath: string | Artifact,
  dataPath: string,
  metric: MetricName,
  options: { importance?: boolean; python?: string } = {},
): Promise<ArtifactScore> {
  const artifact = typeof artifactOrPath === 'string' ? await loadArtifact(artifactOrPath) : artifactOrPath;
  const { model, fitted } = artifact;
  const spec = METRICS[metric];
  if (!spec) throw new SluiceError('ML_UNKNOWN_METRIC', `unknown metric "${String(metric)}"`, { location: { field: 'model.metric' } });
  if (spec.task !== model.task) {
    throw new SluiceError('ML_METRIC_TASK', `metric "${metric}" is for ${spec.task}, the model at ${artifact.dir} does ${model.task}`, {
      location: { field: 'model.metric' },
      hint: "choose a metric for the model's problem type",
    });
  }
  const targetColumn = fitted.target;
  if (!targetColumn)
    throw new SluiceError('SCORE_NO_TARGET', `the model at ${artifact.dir} has a recipe without a target, so it cannot be scored`, {
      hint: 'train it with a target',
    });
  const engine = await Engine.open({ memoryLimit: process.env.SLUICE_MEMORY_LIMIT ?? '1GB' });
  try {
    const input = engine.tempName('score_input');
    // As prediction reads: the model's missing tokens, text left as text for the fitted flow to convert.
    const info = await readTable(engine, dataPath, { name: input, missing: fittedMissing(fitted), recognise: false });
    const view = await applyFitted(engine, fitted, input, info.columns, 'train', { file: dataPath, ...(options.python ? { python: options.python } : {}) });
    const loaded = await frameFromView(engine, view, {
      features: model.schema.map((s) => ({ name: s.name, kind: s.kind })),
      target: { column: targetColumn, cast: model.task === 'regression' ? 'DOUBLE' : 'VARCHAR' },
    });
    const rows = loaded.frame.nRows;
    if (rows === 0) {
      throw new SluiceError('SCORE_NO_ROWS', `no row of ${dataPath} has a target value after the model's recipe`, {
        location: { file: dataPath, field: targetColumn },
        hint: 'score on labelled data',
      });
    }
    const frame = alignFrame(model.schema, loaded.frame);
    const out = model.output(frame);
    const values = loaded.targetValues ?? [];
    if (model.task === 'regression') {
      const target: Target = { kind: 'regression', values: Float64Array.from(values, Number) };
      return {
        metric,
        value: scoreMetric(metric, target, out),
        rows,
        unseenLabels: 0,
        ...(options.importance ? { importance: importanceOn(model, frame, target, metric) } : {}),
      };
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
    let importance: Record<string, number> | undefined;
    if (options.importance) {
      // On the rows whose label the model knows, by log loss (it moves with every probability).
      const seen = Uint32Array.from(codes.keys()).filter((i) => codes[i]! < k);
      if (seen.length > 0)
        importance = importanceOn(
          model,
          takeRows(frame, seen),
          { kind: 'classification', codes: Int32Array.from(seen, (i) => codes[i]!), labels: model.labels },
          'log_loss',
        );
    }
    return { metric, value, rows, unseenLabels: unseen, ...(importance ? { importance } : {}) };
  } finally {
    engine.close();
  }
}

/** Permutation importance by feature name on at most {@link IMPORTANCE_ROWS} rows (seeded). */
function importanceOn(model: Model, frame: Frame, target: Target, metric: MetricName): Record<string, number> {
  let f = frame;
  let t = target;
  if (frame.nRows > IMPORTANCE_ROWS) {
    const rows = new Rng(0).permutation(frame.nRows).subarray(0, IMPORTANCE_ROWS);
    f = takeRows(frame, rows);
    t = takeTarget(target, rows);
  }
  return Object.fromEntries(permutationImportance(model, f, t, metric, { repeats: IMPORTANCE_REPEATS, seed: 0 }).map((x) => [x.name, x.importance]));
}
