/**
 * A fitted decision tree over bins, stored as flat typed arrays (structure of arrays) so that
 * prediction is a tight loop and the tree serialises without conversion.
 */
import type { Binned } from './binned.js';

export interface Tree {
  /** Split feature of each node; -1 for a leaf. */
  feature: Int32Array;
  /** Numeric split: rows with bin <= threshold go left. Categorical: index of its bitset. */
  threshold: Int32Array;
  missingLeft: Uint8Array;
  isCategorical: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** `nOut` values per node (leaf outputs; inner nodes keep the value they would have). */
  value: Float64Array;
  nOut: number;
  /** 8 words (256 bits) per categorical split: the bins that go left. */
  catBits: Uint32Array;
  /** Split gain of each inner node (0 for leaves): the source of gain importance. */
  gain: Float64Array;
  /** Training rows that reached each node. */
  count: Float64Array;
  /** Hessian (boosting) or sample-weight (forest) sum of each node. */
  weight: Float64Array;
}

/**
 * Whether bin `b` of node `node`'s feature goes to its left child: categorical nodes test the
 * bin's bit in the node's category set, the missing bin (`b === missingBin`, the feature's bin
 * count) follows the node's missing direction, other bins go left up to the threshold.
 */
function goesLeft(tree: Tree, node: number, b: number, missingBin: number): boolean {
  if (tree.isCategorical[node]) {
    const w = tree.threshold[node]! * 8 + (b >>> 5);
    return ((tree.catBits[w]! >>> (b & 31)) & 1) === 1;
  }
  if (b === missingBin) return tree.missingLeft[node] === 1;
  return b <= tree.threshold[node]!;
}

/** The leaf row `r` of column-major bins (`bins[f * n + r]`) falls into. */
export function leafOf(tree: Tree, bins: Uint8Array, n: number, r: number, nBins: Int32Array): number {
  const feature = tree.feature;
  let node = 0;
  let f = feature[0]!;
  while (f >= 0) {
    node = goesLeft(tree, node, bins[f * n + r]!, nBins[f]!) ? tree.left[node]! : tree.right[node]!;
    f = feature[node]!;
  }
  return node;
}

/**
 * The leaf of row-major histogram slots (`slots[base + f] - offsets[f]` is the bin): used on
 * training data, where a row's cells share a cache line (column-major bins would cost one
 * cache miss per level).
 */
export function leafOfSlots(tree: Tree, data: Binned, base: number): number {
  const feature = tree.feature;
  const slots = data.slots;
  const offsets = data.offsets;
  const nBins = data.nBins;
  let node = 0;
  let f = feature[0]!;
  while (f >= 0) {
    node = goesLeft(tree, node, slots[base + f]! - offsets[f]!, nBins[f]!) ? tree.left[node]! : tree.right[node]!;
    f = feature[node]!;
  }
  return node;
}

/**
 * Adds `scale *` the tree's output to `out[row * stride + channel + c]` for every row of a
 * binned frame (`c` over the tree's outputs).
 */
export function addTreeOutput(tree: Tree, data: Binned, out: Float64Array, stride: number, channel: number, scale = 1): void {
  const nOut = tree.nOut;
  const F = data.nFeatures;
  for (let r = 0; r < data.nRows; r++) {
    const leaf = leafOfSlots(tree, data, r * F);
    const o = r * stride + channel;
    for (let c = 0; c < nOut; c++) out[o + c]! += scale * tree.value[leaf * nOut + c]!;
  }
}
