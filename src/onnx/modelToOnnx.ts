import { SluiceError } from '../core/errors.js';
import type { ModelJSON } from '../ml/model.js';
import { forestToOnnx } from './forestToOnnx.js';
import { gbdtToOnnx } from './gbdtToOnnx.js';
import type { FeatureLookup } from './graphColumn.js';
import type { GraphBuilder } from './GraphBuilder.js';
import { batchShape, linearToOnnx } from './linearToOnnx.js';

/**
 * Adds a model (read from its JSON form, whatever the learner) to a graph and returns its
 * output: `[N, k]` class probabilities in label order, or `[N, 1]` predicted values. An
 * ensemble is the weighted sum of its members' outputs, all in the same graph.
 */
export function modelToOnnx(g: GraphBuilder, j: ModelJSON, feature: FeatureLookup): string {
  const width = j.task === 'classification' ? j.labels.length : 1;
  switch (j.learner) {
    case 'gbdt':
      return gbdtToOnnx(g, j, feature);
    case 'forest':
      return forestToOnnx(g, j, feature);
    case 'logistic':
    case 'linear':
      return linearToOnnx(g, j, feature);
    case 'baseline': {
      const constant = (j.body as { constant: number[] }).constant;
      return g.op('Expand', [g.tensor('baseline', { dims: [1, width], type: 'double', data: constant }), batchShape(g, feature, j, width)]);
    }
    case 'ensemble': {
      const members = (j.body as { members: ModelJSON[] }).members;
      const weights = (j.params as { weights: number[] }).weights;
      const parts = members.map((m, i) => g.op('Mul', [modelToOnnx(g, m, feature), g.constant(weights[i] ?? 0)]));
      return parts.length === 1 ? parts[0]! : g.op('Sum', parts);
    }
    default:
      throw new SluiceError('ONNX_UNSUPPORTED_MODEL', `learner "${String((j as { learner: unknown }).learner)}" cannot be exported to ONNX`, {
        hint: 'ONNX export covers gbdt, logistic, linear, forest, baseline and ensemble models',
      });
  }
}
