import { alignFrame } from '../alignFrame.js';
import { decodeF64, encodeTyped } from '../encoding.js';
import type { FeatureSchema, Frame } from '../frame.js';
import { Model, type ModelJSON } from '../model.js';
import { buildDesign, type DesignSpec } from './design.js';
import { type LinearLoss, linearScores } from './linearObjective.js';

export interface LinearBody {
  loss: LinearLoss;
  design: DesignSpec;
  /** `[W (d x k), b (k)]`, base64 float64. */
  coef: string;
  k: number;
  iterations: number;
  converged: boolean;
}

/** A fitted logistic (binary or multinomial) or ridge regression model. */
export class LinearModel extends Model {
  readonly learner: 'logistic' | 'linear';

  constructor(
    task: 'classification' | 'regression',
    labels: string[],
    schema: FeatureSchema[],
    params: Record<string, unknown>,
    readonly loss: LinearLoss,
    readonly design: DesignSpec,
    readonly coef: Float64Array,
    readonly k: number,
    readonly iterations: number,
    readonly converged: boolean,
  ) {
    super(task, labels, schema, params);
    this.learner = loss === 'squared' ? 'linear' : 'logistic';
  }

  output(frame: Frame): Float64Array {
    const X = buildDesign(this.design, alignFrame(this.schema, frame));
    const n = X.n;
    const z = new Float64Array(n * this.k);
    linearScores(X, this.coef, this.k, z);
    if (this.loss === 'squared') return z;
    if (this.loss === 'binary') {
      const out = new Float64Array(2 * n);
      for (let r = 0; r < n; r++) {
        const p = 1 / (1 + Math.exp(-z[r]!));
        out[2 * r] = 1 - p;
        out[2 * r + 1] = p;
      }
      return out;
    }
    const k = this.k;
    for (let r = 0; r < n; r++) {
      const o = r * k;
      let m = -Infinity;
      for (let c = 0; c < k; c++) m = Math.max(m, z[o + c]!);
      let s = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp(z[o + c]! - m);
        z[o + c] = e;
        s += e;
      }
      for (let c = 0; c < k; c++) z[o + c]! /= s;
    }
    return z;
  }

  protected body(): LinearBody {
    return { loss: this.loss, design: this.design, coef: encodeTyped(this.coef), k: this.k, iterations: this.iterations, converged: this.converged };
  }

  static fromJSON(j: ModelJSON): LinearModel {
    const b = j.body as LinearBody;
    return new LinearModel(j.task, j.labels, j.schema, j.params, b.loss, b.design, decodeF64(b.coef), b.k, b.iterations, b.converged);
  }
}
