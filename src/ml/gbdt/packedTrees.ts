import type { Tree } from './tree.js';

/** Flag of a node word: the split is categorical (its second word is the base of its bitset in `catBits`). */
const CAT = 1 << 24;
/** Flag of a node word: a numeric split's missing bin goes left. */
const MISS_LEFT = 1 << 25;
/** Flag of a node word: a numeric split whose missing bin goes right and whose threshold is below it (most nodes): one comparison routes every bin. */
const PLAIN = 1 << 26;
const FEATURE = CAT - 1;

/**
 * The trees of a model packed for scoring: every node of every tree in one Int32Array, four words
 * a node (`[feature | flags, threshold or bitset base or leaf value offset, left, right]`, the
 * children as word offsets), the leaf values in one Float64Array and the categorical bitsets in one
 * Uint32Array. A walk reads one small array instead of the six of {@link Tree}; the routing is
 * exactly {@link leafOf}'s (categorical: the bin's bit; numeric: the missing bin by the node's
 * missing direction, other bins left up to the threshold).
 */
export interface PackedTrees {
  nodes: Int32Array;
  values: Float64Array;
  catBits: Uint32Array;
  /** Word offset of each tree's root. */
  roots: Int32Array;
  /** Outputs of each tree (its leaf values per leaf). */
  nOut: Int32Array;
}

export function packTrees(trees: readonly Tree[], nBins: Int32Array): PackedTrees {
  let nNodes = 0;
  let nValues = 0;
  let nCat = 0;
  for (const t of trees) {
    nNodes += t.feature.length;
    nValues += t.value.length;
    nCat += t.catBits.length;
  }
  if (nNodes * 4 >= 2 ** 31 || nValues >= 2 ** 31) throw new Error('packTrees: the model is too large to pack');
  const nodes = new Int32Array(nNodes * 4);
  const values = new Float64Array(nValues);
  const catBits = new Uint32Array(nCat);
  const roots = new Int32Array(trees.length);
  const nOut = Int32Array.from(trees, (t) => t.nOut);
  let node0 = 0;
  let value0 = 0;
  let cat0 = 0;
  trees.forEach((t, ti) => {
    roots[ti] = node0 * 4;
    values.set(t.value, value0);
    catBits.set(t.catBits, cat0);
    for (let i = 0; i < t.feature.length; i++) {
      const w = (node0 + i) * 4;
      const f = t.feature[i]!;
      if (f < 0) {
        nodes[w] = -1;
        nodes[w + 1] = value0 + i * t.nOut;
        continue;
      }
      if (f > FEATURE) throw new Error(`packTrees: feature index ${f} out of range`);
      const cat = t.isCategorical[i] === 1;
      const missLeft = !cat && t.missingLeft[i] === 1;
      // The missing bin (nBins[f]) is above such a threshold, so `bin > threshold` sends it right as it must.
      const plain = !cat && !missLeft && t.threshold[i]! < nBins[f]!;
      nodes[w] = f | (cat ? CAT : 0) | (missLeft ? MISS_LEFT : 0) | (plain ? PLAIN : 0);
      nodes[w + 1] = cat ? cat0 + t.threshold[i]! * 8 : t.threshold[i]!;
      nodes[w + 2] = (node0 + t.left[i]!) * 4;
      nodes[w + 3] = (node0 + t.right[i]!) * 4;
    }
    node0 += t.feature.length;
    value0 += t.value.length;
    cat0 += t.catBits.length;
  });
  return { nodes, values, catBits, roots, nOut };
}

/**
 * The offset in `p.values` of the leaf that row `r` of column-major bins (`bins[f * n + r]`)
 * reaches in the tree whose root is at word `root`; `nBins[f]` is feature f's missing bin.
 */
export function packedLeaf(p: PackedTrees, root: number, bins: Uint8Array, n: number, r: number, nBins: Int32Array): number {
  const nodes = p.nodes;
  let i = root;
  let w = nodes[i]!;
  while (w >= 0) {
    const f = w & FEATURE;
    const b = bins[f * n + r]!;
    if ((w & PLAIN) !== 0) {
      // Without a branch on the bin: right (word 3) when threshold - bin is negative.
      i = nodes[i + 2 + ((nodes[i + 1]! - b) >>> 31)]!;
      w = nodes[i]!;
      continue;
    }
    let left: boolean;
    if ((w & CAT) !== 0) left = ((p.catBits[nodes[i + 1]! + (b >>> 5)]! >>> (b & 31)) & 1) === 1;
    else if (b === nBins[f]) left = (w & MISS_LEFT) !== 0;
    else left = b <= nodes[i + 1]!;
    i = left ? nodes[i + 2]! : nodes[i + 3]!;
    w = nodes[i]!;
  }
  return nodes[i + 1]!;
}
