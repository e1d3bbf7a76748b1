import type { ModelJSON } from '../ml/model.js';
import { binMapperFromJSON, type FeatureBinsJSON, treeFromJSON, type TreeJSON } from '../ml/gbdt/treeJson.js';
import type { FeatureLookup } from './graphColumn.js';
import type { GraphBuilder } from './GraphBuilder.js';
import { treeEnsembleNodes } from './treeEnsemble.js';
import { treeInputMatrix } from './treeInputMatrix.js';

/** A random forest from its JSON form: the average of its trees' leaf values. Returns `[N, width]`. */
export function forestToOnnx(g: GraphBuilder, j: ModelJSON, feature: FeatureLookup): string {
  const b = j.body as { bins: FeatureBinsJSON[]; trees: TreeJSON[] };
  const bins = binMapperFromJSON(b.bins).features;
  const trees = b.trees.map(treeFromJSON);
  const X = treeInputMatrix(g, j.schema, bins, feature);
  const width = j.task === 'classification' ? j.labels.length : 1;
  const w = 1 / trees.length;
  return treeEnsembleNodes(g, X, trees, bins, width, () => ({ channel: 0, scale: w }));
}
