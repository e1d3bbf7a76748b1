import type { FeatureSchema } from '../ml/frame.js';
import type { FeatureBins } from '../ml/gbdt/binMapper.js';
import { SluiceError } from '../core/errors.js';
import type { FeatureLookup } from './graphColumn.js';
import type { GraphBuilder } from './GraphBuilder.js';

/**
 * The `[N, F]` double matrix a tree ensemble reads: numeric features as they are (NaN is
 * missing), categorical ones as their bin (a LabelEncoder from the training levels; a missing
 * or unseen level gets the missing bin, as Sluice's bin mapper gives it).
 */
export function treeInputMatrix(g: GraphBuilder, schema: FeatureSchema[], bins: FeatureBins[], feature: FeatureLookup): string {
  const columns = schema.map((s, f) => {
    const col = feature(s.name);
    const fb = bins[f]!;
    if (s.kind === 'numeric') {
      if (col.type !== 'double') throw kindMismatch(s.name, 'numeric', col.type);
      return col.tensor;
    }
    if (col.type !== 'string' || fb.kind !== 'categorical') throw kindMismatch(s.name, 'categorical', col.type);
    // A feature that had no level in training still needs one key: one no value has.
    const keys = s.levels.length > 0 ? s.levels : ['\u0000'];
    return g.ml('LabelEncoder', [col.tensor], {
      keys_strings: keys,
      values_tensor: { kind: 'tensor', value: { dims: [keys.length], type: 'double', data: Array.from(keys, (_, i) => fb.levelBins[i] ?? fb.nBins) } },
      default_tensor: { kind: 'tensor', value: { dims: [1], type: 'double', data: [fb.nBins] } },
    });
  });
  return g.concatColumns(columns);
}

export function kindMismatch(name: string, kind: string, type: string): SluiceError {
  return new SluiceError('ONNX_FEATURE_TYPE', `the model reads "${name}" as ${kind}, but the graph has it as ${type === 'double' ? 'a number' : 'text'}`, {
    location: { field: name },
    hint: 'the fitted flow and the model disagree; export a model together with the flow it was trained after',
  });
}
