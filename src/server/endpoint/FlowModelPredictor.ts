import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { loadArtifact, type Artifact } from '../../artifact/loadArtifact.js';
import { RecordScorer, type ScoredRecords } from '../../artifact/RecordScorer.js';
import { SluiceError, toSluiceError } from '../../core/errors.js';
import type { MissingPolicy } from '../../core/missing.js';
import type { ColumnSchema } from '../../core/types.js';
import type { FittedFlow } from '../../flow/fittedFlow.js';
import type { Model } from '../../ml/model.js';
import type { PredictionResult, Predictor } from './Predictor.js';
import { describeServingProblems, servingProblems } from '../../flow/servingProblems.js';

/** Records scored between two yields to the event loop. */
const CHUNK = 1000;

/**
 * The endpoint's predictor: raw records -> the artifact's {@link RecordScorer} (the fitted flow as
 * a record function, then the model: the one prediction path `sluice predict` uses too) -> class
 * probabilities. Records the flow refuses (an unseen category where the flow says error, ...)
 * get a per-record error; the others are scored together in one frame.
 */
export class FlowModelPredictor implements Predictor {
  readonly labels: string[];
  readonly inputs: ColumnSchema[];
  readonly missing: MissingPolicy;
  private readonly scorer: RecordScorer;

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
    const produced = new Set(fitted.output.map((c) => c.name));
    const lacking = model.schema.filter((s) => !produced.has(s.name)).map((s) => s.name);
    if (lacking.length > 0) {
      throw new SluiceError('PREDICTOR_FLOW_MISMATCH', `the fitted flow does not produce ${lacking.join(', ')}, which model ${name} version ${version} needs`, {
        hint: 'register the model with the fitted flow it was trained after',
        httpStatus: 500,
      });
    }
    this.scorer = new RecordScorer({ model, fitted });
    // Only the raw columns the flow and the model read are required (= the manifest's inputSignature).
    this.inputs = this.scorer.inputs;
    this.missing = this.scorer.missing;
  }

  /**
   * Scores records; a large batch is scored in chunks with a yield to the event loop between
   * them, so single-record requests arriving meanwhile are not stuck behind it.
   */
  predict(records: Record<string, unknown>[]): PredictionResult[] | Promise<PredictionResult[]> {
    if (records.length <= CHUNK) return this.results(this.scorer.score(records), 0);
    return (async () => {
      const out: PredictionResult[] = [];
      for (let i = 0; i < records.length; i += CHUNK) {
        if (i > 0) await yieldToEventLoop();
        out.push(...this.results(this.scorer.score(records.slice(i, i + CHUNK)), i));
      }
      return out;
    })();
  }

  /** Scores rows already transformed by the flow (the feature store's records). */
  predictFeatures(rows: Record<string, unknown>[]): PredictionResult[] {
    return this.results(this.scorer.scoreTransformed(rows), 0);
  }

  /** The scores as the endpoint's results; record numbers start at `first`. */
  private results(s: ScoredRecords, first: number): PredictionResult[] {
    const k = this.labels.length;
    const { output, refusals } = s;
    const out: PredictionResult[] = new Array(refusals.length);
    for (let i = 0; i < refusals.length; i++) {
      const refusal = refusals[i];
      if (refusal) {
        out[i] = { error: { record: first + i, ...refusal } };
        continue;
      }
      // A plain loop: Array.from over a subarray costs more than the trees for one record.
      const probabilities: number[] = [];
      let best = 0;
      for (let c = 0; c < k; c++) {
        const x = output[i * k + c]!;
        probabilities.push(x);
        if (x > probabilities[best]!) best = c;
      }
      out[i] = { predicted_label: this.labels[best]!, probabilities, labels: this.labels };
    }
    return out;
  }
}

/**
 * Loads a registered version's artifact folder (src/artifact/loadArtifact.ts: hashes checked,
 * the earlier layout read too) as a predictor. A failure keeps its `ARTIFACT_*` code and file,
 * names the model and version, and is a 500 (the request was fine; the served model is not).
 *
 * @example
 * host.load(() => loadFlowModelPredictor(v.artifactPath, v.name, String(v.version)));
 */
export async function loadFlowModelPredictor(artifactDir: string, name: string, version: string): Promise<FlowModelPredictor> {
  let artifact: Artifact;
  try {
    artifact = await loadArtifact(artifactDir);
  } catch (e) {
    const err = toSluiceError(e, 'ARTIFACT_INVALID');
    throw new SluiceError(err.code, `model ${name} version ${version}: ${err.message}`, {
      ...(err.location ? { location: err.location } : {}),
      ...(err.hint ? { hint: err.hint } : {}),
      httpStatus: 500,
      cause: e,
    });
  }
  return new FlowModelPredictor(name, version, artifact.fitted, artifact.model);
}
