import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine } from '../../src/engine/Engine.js';
import { quoteIdent } from '../../src/engine/sql.js';
import type { FittedFlow } from '../../src/flow/fittedFlow.js';
import { loadFlow } from '../../src/flow/loadFlow.js';
import { runFlow } from '../../src/flow/runFlow.js';
import type { Feature, Frame } from '../../src/ml/frame.js';
import { trainGbdt } from '../../src/ml/gbdt/trainGbdt.js';
import { trainForest } from '../../src/ml/forest/trainForest.js';
import { trainLogistic } from '../../src/ml/linear/trainLogistic.js';
import type { Model } from '../../src/ml/model.js';
import type { LearnerName } from '../../src/ml/learners.js';
import type { ManifestFacts } from '../../src/artifact/manifest.js';
import { saveArtifact } from '../../src/artifact/saveArtifact.js';
import { inputSignature } from '../../src/training/inputSignature.js';

export const DIABETES_CSV = resolve('examples/diabetes/diabetic-readmission.csv');
export const DIABETES_FLOW = resolve('examples/diabetes/diabetes.flow.yaml');

export interface TrainedArtifact {
  dir: string;
  fitted: FittedFlow;
  model: Model;
}

/**
 * Fits the diabetes flow on the seed data and trains a small gradient-boosted model on the
 * result: a real artifact (model.json + fitted-flow.json) for endpoint tests and the benchmark.
 */
export async function trainDiabetesModel(
  opts: { rows?: number; maxIter?: number; seed?: number; learner?: 'gbdt' | 'logistic' | 'forest' } = {},
): Promise<TrainedArtifact> {
  const engine = await Engine.open();
  try {
    const flow = await loadFlow(DIABETES_FLOW);
    const { fitted, relation } = await runFlow(engine, { input: DIABETES_CSV, flow });
    const targetName = fitted.target!;
    const skip = new Set([targetName, 'record_id', 'event_time']);
    const cols = fitted.output.filter((c) => !skip.has(c.name));
    const data = await engine.queryColumns(
      `SELECT ${[targetName, ...cols.map((c) => c.name)].map(quoteIdent).join(', ')} FROM ${quoteIdent(relation)} ORDER BY record_id LIMIT ${opts.rows ?? 20_000}`,
    );
    const n = data.columns[0]!.length;
    const features: Feature[] = cols.map((c, j) => {
      const col = data.columns[j + 1]!;
      if (c.type === 'integer' || c.type === 'float' || c.type === 'boolean') {
        return { name: c.name, kind: 'numeric', values: Float64Array.from(col, (v) => (v === null ? NaN : Number(v))) };
      }
      const levels = [...new Set(col.filter((v) => v !== null).map(String))].sort();
      const idx = new Map(levels.map((l, i) => [l, i]));
      return { name: c.name, kind: 'categorical', codes: Int32Array.from(col, (v) => (v === null ? -1 : idx.get(String(v))!)), levels };
    });
    const frame: Frame = { nRows: n, features };
    const labels = [...new Set(data.columns[0]!.map(String))].sort();
    const lidx = new Map(labels.map((l, i) => [l, i]));
    const target = { kind: 'classification' as const, codes: Int32Array.from(data.columns[0]!, (v) => lidx.get(String(v))!), labels };
    const seed = opts.seed ?? 7;
    const model =
      opts.learner === 'logistic'
        ? trainLogistic(frame, target, {})
        : opts.learner === 'forest'
          ? trainForest(frame, target, { nTrees: 20, seed })
          : trainGbdt(frame, target, { maxIter: opts.maxIter ?? 40, seed });
    const dir = join(mkdtempSync(join(tmpdir(), 'sluice-diabetes-model-')), 'model');
    await saveArtifact(dir, { model, fitted, facts: testFacts(model, fitted) });
    return { dir, fitted, model };
  } finally {
    engine.close();
  }
}

/** What a manifest says about a model trained outside `sluice train` (no AutoML run, no training file). */
export function testFacts(model: Model, fitted: FittedFlow): ManifestFacts {
  const features = model.schema.map((s) => s.name);
  return {
    learner: model.learner as LearnerName,
    sluiceVersion: 'test',
    problemType: model.labels.length > 2 ? 'multiclass' : 'binary',
    target: fitted.target ?? '',
    classLabels: [...model.labels],
    inputSignature: inputSignature(fitted, features),
    features: model.schema.map((s) => ({ name: s.name, type: s.kind === 'numeric' ? 'float' : 'string', kind: s.kind })),
    flow: { name: fitted.name, flowHash: fitted.flowHash, steps: fitted.steps.length },
    metric: 'log_loss',
    metrics: { holdout: {}, cv: { metric: 'log_loss', mean: null, std: null, folds: [] } },
    trainingData: { file: 'diabetic-readmission.csv', sha256: '', bytes: 0, rows: { file: 0, afterFlow: 0, missingTarget: 0, used: 0, train: 0, holdout: 0 } },
    seed: 0,
    timeLimitSeconds: 0,
    holdoutFraction: 0,
    createdAt: new Date(0).toISOString(),
  };
}
