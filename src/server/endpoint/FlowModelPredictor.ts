import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError, toSluiceError } from '../../core/errors.js';
import type { ColumnSchema } from '../../core/types.js';
import { compileRecordTransform } from '../../flow/applyRecords.js';
import type { MissingPolicy } from '../../core/missing.js';
import { fittedMissing, parseFittedFlow, type FittedFlow } from '../../flow/fittedFlow.js';
import { requiredInputs } from '../../flow/planSql.js';
import { loadModel } from '../../ml/loadModel.js';
import type { Model } from '../../ml/model.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isRecordError, type PredictionResult, type Predictor } from './Predictor.js';
import { pruneForServing } from '../../flow/pruneForServing.js';
import { describeServingProblems, servingProblems } from '../../flow/servingProblems.js';
import { levelIndexes, rowsToFrame } from '../../data/rowsToFrame.js';

/** Files of a servable artifact folder, as the registry stores it. */
export const MODEL_FILE = 'model.json';
export const FITTED_FLOW_FILE = 'fitted-flow.json';

/** Records scored between two yields to the event loop. */
const CHUNK = 1000;

/**
 * The real predictor: raw records -> the fitted flow (compiled to a record function, the same
 * transform the batch saw at training time) -> the trained model -> class probabilities.
 * Records the flow refuses (an unseen category where the flow says error, ...) get a
 * per-record error; the others are scored together in one frame.
 */
export class FlowModelPredictor implements Predictor {
  readonly labels: string[];
  readonly inputs: ColumnSchema[];
  readonly missing: MissingPolicy;
  private readonly transform: ReturnType<typeof compileRecordTransform>;
  private readonly levels;

  constructor(
    readonly name: string,
    readonly version: string,
    readonly fitted: FittedFlow,
    readonly model: Model,
  ) {
    if (model.task !== 'classification') {
      throw new SluiceError('PREDICTOR_TASK', `model ${name} version ${version} is a ${model.task} model; the endpoint serves classifiers`, {
        hint: 'register a classification model',
        httpStatus: 500,
      });
    }
    this.labels = [...model.labels];
    // Only the raw columns the flow and the model read are required (= the manifest's inputSignature).
    const serving = pruneForServing(
      fitted,
      model.schema.map((s) => s.name),
    );
    // A flow that cannot run on one record (python code, a series' lag) is refused when the model
    // is loaded, as training said (manifest.serving), not at its first request.
    const problems = describeServingProblems(
      servingProblems(
        fitted,
        model.schema.map((s) => s.name),
      ),
    );
    if (problems.length > 0) {
      throw new SluiceError('PREDICTOR_CANNOT_SERVE', `model ${name} version ${version} cannot serve single records: ${problems.join('; ')}`, {
        hint: 'training reported this (MODEL_CANNOT_SERVE_RECORDS); predict batches with the fitted flow (sluice flow run), or change the flow and train again',
        httpStatus: 500,
      });
    }
    this.inputs = requiredInputs(serving, 'serve');
    this.transform = compileRecordTransform(serving);
    this.missing = fittedMissing(fitted);
    this.levels = levelIndexes(model.schema);
    const produced = new Set(fitted.output.map((c) => c.name));
    const lacking = model.schema.filter((s) => !produced.has(s.name)).map((s) => s.name);
    if (lacking.length > 0) {
      throw new SluiceError('PREDICTOR_FLOW_MISMATCH', `the fitted flow does not produce ${lacking.join(', ')}, which model ${name} version ${version} needs`, {
        hint: 'register the model with the fitted flow it was trained after',
        httpStatus: 500,
      });
    }
  }

  /**
   * Scores records; a large batch is scored in chunks with a yield to the event loop between
   * them, so single-record requests arriving meanwhile are not stuck behind it.
   */
  predict(records: Record<string, unknown>[]): PredictionResult[] | Promise<PredictionResult[]> {
    if (records.length <= CHUNK) return this.predictChunk(records);
    return (async () => {
      const out: PredictionResult[] = [];
      for (let i = 0; i < records.length; i += CHUNK) {
        if (i > 0) await yieldToEventLoop();
        const part = this.predictChunk(records.slice(i, i + CHUNK));
        for (const r of part) out.push(isRecordError(r) ? { error: { ...r.error, record: r.error.record + i } } : r);
      }
      return out;
    })();
  }

  /** Scores rows already transformed by the flow (the feature store's records). */
  predictFeatures(rows: Record<string, unknown>[]): PredictionResult[] {
    return this.score(
      rows,
      rows.map((_, i) => i),
      new Array(rows.length),
    );
  }

  private predictChunk(records: Record<string, unknown>[]): PredictionResult[] {
    const transformed = this.transform(records);
    const rows: Record<string, unknown>[] = [];
    const at: number[] = [];
    const out: PredictionResult[] = new Array(records.length);
    for (let i = 0; i < transformed.length; i++) {
      const t = transformed[i]!;
      if (t.ok) {
        rows.push(t.row);
        at.push(i);
      } else {
        const e = t.error;
        out[i] = {
          error: {
            record: i,
            code: e.code,
            message: e.message.replace(/^record \d+: /, ''),
            ...(e.location?.field !== undefined ? { field: e.location.field } : {}),
            ...(e.hint ? { hint: e.hint } : {}),
          },
        };
      }
    }
    return this.score(rows, at, out);
  }

  /** Scores `rows` in one frame; row j's result goes to `out[at[j]]`. */
  private score(rows: Record<string, unknown>[], at: number[], out: PredictionResult[]): PredictionResult[] {
    if (rows.length > 0) {
      const k = this.labels.length;
      const proba = this.model.predictProba(rowsToFrame(rows, this.model.schema, this.levels));
      for (let j = 0; j < rows.length; j++) {
        const probabilities = Array.from(proba.subarray(j * k, j * k + k));
        let best = 0;
        for (let c = 1; c < k; c++) if (probabilities[c]! > probabilities[best]!) best = c;
        out[at[j]!] = { predicted_label: this.labels[best]!, probabilities, labels: this.labels };
      }
    }
    return out;
  }
}

/**
 * Loads a servable artifact folder: `model.json` (the trained model's JSON form) and
 * `fitted-flow.json` (the flow fitted on the training batch).
 *
 * @example
 * host.load(() => loadFlowModelPredictor(v.artifactPath, v.name, String(v.version)));
 */
export async function loadFlowModelPredictor(artifactDir: string, name: string, version: string): Promise<FlowModelPredictor> {
  const read = async (file: string): Promise<string> => {
    try {
      return await readFile(join(artifactDir, file), 'utf8');
    } catch {
      throw new SluiceError('PREDICTOR_ARTIFACT', `model ${name} version ${version} has no ${file} in ${artifactDir}`, {
        location: { file: join(artifactDir, file) },
        hint: `a servable artifact holds ${MODEL_FILE} and ${FITTED_FLOW_FILE}`,
        httpStatus: 500,
      });
    }
  };
  // In order, so a folder missing both always names model.json first.
  const modelText = await read(MODEL_FILE);
  const flowText = await read(FITTED_FLOW_FILE);
  let model: Model;
  try {
    // src/ml's loader knows every learner (gbdt, logistic, linear, forest, baseline, ensemble).
    model = loadModel(modelText);
  } catch (e) {
    const err = toSluiceError(e, 'PREDICTOR_ARTIFACT');
    throw new SluiceError(err.code, `${MODEL_FILE} of ${name} version ${version}: ${err.message}`, {
      location: { file: join(artifactDir, MODEL_FILE) },
      ...(err.hint ? { hint: err.hint } : {}),
      httpStatus: 500,
    });
  }
  return new FlowModelPredictor(name, version, parseFittedFlow(flowText, join(artifactDir, FITTED_FLOW_FILE)), model);
}
