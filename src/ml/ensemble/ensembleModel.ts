import type { FeatureSchema, Frame } from '../frame.js';
import { Model, type ModelJSON } from '../model.js';

/**
 * A weighted average of models' outputs (class probabilities or values), as built by greedy
 * ensemble selection. Members are stored whole, so the ensemble loads and predicts alone.
 */
export class EnsembleModel extends Model {
  readonly learner = 'ensemble' as const;
  constructor(
    task: 'classification' | 'regression',
    labels: string[],
    schema: FeatureSchema[],
    readonly members: Model[],
    readonly weights: number[],
  ) {
    super(task, labels, schema, { weights });
  }

  output(frame: Frame): Float64Array {
    let out: Float64Array | null = null;
    this.members.forEach((m, i) => {
      const o = m.output(frame);
      const w = this.weights[i]!;
      if (!out) out = new Float64Array(o.length);
      for (let j = 0; j < o.length; j++) out[j]! += w * o[j]!;
    });
    return out ?? new Float64Array(frame.nRows * this.width);
  }

  protected body(): { members: ModelJSON[] } {
    return { members: this.members.map((m) => m.toJSON()) };
  }

  /** @param load the model loader (passed in to keep `loadModel` and this file acyclic) */
  static fromJSON(j: ModelJSON, load: (m: ModelJSON) => Model): EnsembleModel {
    const b = j.body as { members: ModelJSON[] };
    return new EnsembleModel(j.task, j.labels, j.schema, b.members.map(load), (j.params as { weights: number[] }).weights);
  }
}
