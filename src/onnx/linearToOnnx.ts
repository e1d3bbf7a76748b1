import type { LinearBody } from '../ml/linear/linearModel.js';
import { decodeF64 } from '../ml/encoding.js';
import type { ModelJSON } from '../ml/model.js';
import type { FeatureLookup } from './graphColumn.js';
import type { GraphBuilder } from './GraphBuilder.js';
import { linkOutput } from './linkOutput.js';
import { kindMismatch } from './treeInputMatrix.js';

/**
 * A logistic or linear model from its JSON form, following its design: each numeric feature
 * standardised (a missing value becomes 0, plus a 0/1 missing column when training had any)
 * and multiplied by its weights (MatMul); each categorical feature picks the weight row of its
 * level's one-hot column (a LabelEncoder to the row, then Gather; a missing or unseen level
 * picks a row of zeros). Then the intercept, and sigmoid / softmax for logistic models.
 */
export function linearToOnnx(g: GraphBuilder, j: ModelJSON, feature: FeatureLookup): string {
  const b = j.body as LinearBody;
  const { design, k } = b;
  const coef = decodeF64(b.coef);
  const d = design.d;
  const terms: string[] = [g.tensor('intercept', { dims: [1, k], type: 'double', data: Array.from(coef.subarray(d * k, d * k + k)) })];

  if (design.pn > 0) {
    const dense: string[] = new Array<string>(design.pn);
    for (const [jx, s] of design.numeric.entries()) {
      const name = j.schema[s.feature]!.name;
      const col = feature(name);
      if (col.type !== 'double') throw kindMismatch(name, 'numeric', col.type);
      const missing = g.op('IsNaN', [col.tensor]);
      const z = g.op('Div', [g.op('Sub', [col.tensor, g.constant(s.mean)]), g.constant(s.scale)]);
      dense[jx] = g.op('Where', [missing, g.constant(0), z]);
      if (s.missingColumn >= 0) dense[s.missingColumn] = g.toDouble(missing);
    }
    const W = g.tensor('weights', { dims: [design.pn, k], type: 'double', data: Array.from(coef.subarray(0, design.pn * k)) });
    terms.push(g.op('MatMul', [g.concatColumns(dense), W]));
  }

  if (design.categorical.length > 0) {
    // Every weight row plus a row of zeros (index d) for missing and unseen levels.
    const rows = new Float64Array((d + 1) * k);
    rows.set(coef.subarray(0, d * k));
    const table = g.tensor('level_weights', { dims: [d + 1, k], type: 'double', data: rows });
    for (const s of design.categorical) {
      const fs = j.schema[s.feature]!;
      const col = feature(fs.name);
      if (col.type !== 'string' || fs.kind !== 'categorical') throw kindMismatch(fs.name, 'categorical', col.type);
      const keys: string[] = [];
      const values: number[] = [];
      fs.levels.forEach((level, code) => {
        const c = s.levelColumn[code] ?? -1;
        if (c >= 0) {
          keys.push(level);
          values.push(c);
        }
      });
      if (keys.length === 0) continue; // no level has a column: the feature adds nothing
      const row = g.ml('LabelEncoder', [col.tensor], {
        keys_strings: keys,
        values_tensor: { kind: 'tensor', value: { dims: [values.length], type: 'int64', data: values } },
        default_tensor: { kind: 'tensor', value: { dims: [1], type: 'int64', data: [d] } },
      });
      terms.push(g.op('Gather', [table, g.op('Reshape', [row, g.ints([-1])])], { axis: 0 }));
    }
  }
  const z = terms.length === 1 ? g.op('Expand', [terms[0]!, batchShape(g, feature, j, k)]) : g.op('Sum', terms);
  return linkOutput(g, b.loss === 'squared' ? 'identity' : b.loss === 'binary' ? 'sigmoid' : 'softmax', z);
}

/** `[N, k]` as a shape tensor, N taken from the first feature column. */
export function batchShape(g: GraphBuilder, feature: FeatureLookup, j: ModelJSON, k: number): string {
  const first = j.schema[0];
  if (!first) throw new Error('batchShape: the model has no feature to take the batch size from');
  const n = g.op('Slice', [g.op('Shape', [feature(first.name).tensor]), g.ints([0]), g.ints([1])]);
  return g.op('Concat', [n, g.ints([k])], { axis: 0 });
}
