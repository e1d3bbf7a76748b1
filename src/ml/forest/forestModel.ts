import { alignFrame } from '../alignFrame.js';
import type { FeatureSchema, Frame } from '../frame.js';
import type { BinMapper } from '../gbdt/binMapper.js';
import { binFrame } from '../gbdt/binned.js';
import { addTreeOutput, type Tree } from '../gbdt/tree.js';
import { binMapperFromJSON, binMapperToJSON, type FeatureBinsJSON, type TreeJSON, treeFromJSON, treeToJSON } from '../gbdt/treeJson.js';
import { Model, type ModelJSON } from '../model.js';

/** A random forest: the average of its trees' leaf values (class frequencies or means). */
export class ForestModel extends Model {
  readonly learner = 'forest' as const;
  constructor(
    task: 'classification' | 'regression',
    labels: string[],
    schema: FeatureSchema[],
    params: Record<string, unknown>,
    readonly mapper: BinMapper,
    readonly trees: Tree[],
  ) {
    super(task, labels, schema, params);
  }

  output(frame: Frame): Float64Array {
    const data = binFrame(this.mapper, alignFrame(this.schema, frame));
    const k = this.width;
    const out = new Float64Array(data.nRows * k);
    const w = 1 / this.trees.length;
    for (const t of this.trees) addTreeOutput(t, data, out, k, 0, w);
    return out;
  }

  /** Mean decrease in impurity per feature, normalised to sum to 1. */
  featureImportance(): { name: string; importance: number }[] {
    const imp = new Float64Array(this.schema.length);
    for (const t of this.trees) for (let i = 0; i < t.feature.length; i++) if (t.feature[i]! >= 0) imp[t.feature[i]!]! += t.gain[i]!;
    const total = imp.reduce((a, b) => a + b, 0) || 1;
    return this.schema.map((s, i) => ({ name: s.name, importance: imp[i]! / total }));
  }

  protected body(): { bins: FeatureBinsJSON[]; trees: TreeJSON[] } {
    return { bins: binMapperToJSON(this.mapper), trees: this.trees.map(treeToJSON) };
  }

  static fromJSON(j: ModelJSON): ForestModel {
    const b = j.body as { bins: FeatureBinsJSON[]; trees: TreeJSON[] };
    return new ForestModel(j.task, j.labels, j.schema, j.params, binMapperFromJSON(b.bins), b.trees.map(treeFromJSON));
  }
}
