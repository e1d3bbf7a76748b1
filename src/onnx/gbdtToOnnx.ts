import type { ModelJSON } from '../ml/model.js';
import type { GbdtBody } from '../ml/gbdt/gbdtModel.js';
import { binMapperFromJSON, treeFromJSON } from '../ml/gbdt/treeJson.js';
import type { FeatureLookup } from './graphColumn.js';
import type { GraphBuilder } from './GraphBuilder.js';
import { linkOutput } from './linkOutput.js';
import { treeEnsembleNodes } from './treeEnsemble.js';
import { treeInputMatrix } from './treeInputMatrix.js';

/**
 * A gradient-boosted model from its JSON form: raw scores = the initial score plus the sum of
 * the trees (tree `t` adds to raw column `t % columns`), then the loss's link (sigmoid for
 * binary, softmax for multiclass, none for squared error). Returns `[N, width]`.
 */
export function gbdtToOnnx(g: GraphBuilder, j: ModelJSON, feature: FeatureLookup): string {
  const b = j.body as GbdtBody;
  const bins = binMapperFromJSON(b.bins).features;
  const trees = b.trees.map(treeFromJSON);
  const X = treeInputMatrix(g, j.schema, bins, feature);
  const K = b.columns;
  const sum = treeEnsembleNodes(g, X, trees, bins, K, (t) => ({ channel: t % K, scale: 1 }));
  const raw = g.op('Add', [sum, g.tensor('init', { dims: [1, K], type: 'double', data: b.init })]);
  return linkOutput(g, b.loss === 'squared_error' ? 'identity' : b.loss === 'binary' ? 'sigmoid' : 'softmax', raw);
}
