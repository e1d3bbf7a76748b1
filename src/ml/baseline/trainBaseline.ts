import { checkTrainingData } from '../checkTrainingData.js';
import { classCounts, type FeatureSchema, type Frame, frameSchema, type Target } from '../frame.js';
import { Model, type ModelJSON } from '../model.js';

/**
 * The model that ignores the features: training class frequencies for classification (so its
 * accuracy is the majority share and its log loss the target's entropy), the training mean for
 * regression. Every leaderboard has it, to show what "learning nothing" scores.
 */
export class BaselineModel extends Model {
  readonly learner = 'baseline' as const;
  constructor(
    task: 'classification' | 'regression',
    labels: string[],
    schema: FeatureSchema[],
    readonly constant: number[],
  ) {
    super(task, labels, schema, {});
  }

  output(frame: Frame): Float64Array {
    const k = this.constant.length;
    const out = new Float64Array(frame.nRows * k);
    for (let r = 0; r < frame.nRows; r++) for (let c = 0; c < k; c++) out[r * k + c] = this.constant[c]!;
    return out;
  }

  protected body(): { constant: number[] } {
    return { constant: this.constant };
  }

  static fromJSON(j: ModelJSON): BaselineModel {
    return new BaselineModel(j.task, j.labels, j.schema, (j.body as { constant: number[] }).constant);
  }
}

/** Fits the majority-class (class frequencies) or mean baseline. */
export function trainBaseline(frame: Frame, target: Target): BaselineModel {
  checkTrainingData(frame, target, 'baseline', 1);
  if (target.kind === 'regression') {
    const v = target.values;
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]!;
    return new BaselineModel('regression', [], frameSchema(frame), [s / v.length]);
  }
  const counts = classCounts(target.codes, target.labels.length);
  const n = target.codes.length;
  return new BaselineModel(
    'classification',
    target.labels,
    frameSchema(frame),
    Array.from(counts, (c) => c / n),
  );
}
