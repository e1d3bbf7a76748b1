import type { Tree } from './tree.js';

/** Flag of a node word: the split is categorical (its second word is the base of its bitset in `catBits`). */
const CAT = 1 << 24;
const FEATURE = CAT - 1;
/** The word of a leaf: negative (the walks stop on it), feature 0 and no flag, so a walk that steps on from a leaf stays there. */
const LEAF = 1 << 31;
/** The low 16 bits of a numeric node's second word: the lowest bin that goes right. */
const LOW = 0xffff;

/**
 * The trees of a model packed for scoring: every node of every tree in one Int32Array, four words
 * a node (`[feature | flags, split, left, right]`, the children as word offsets), the leaf values
 * in one Float64Array and the categorical bitsets in one Uint32Array. A walk reads one small
 * array instead of the six of {@link Tree}; the routing is exactly {@link leafOf}'s
 * (categorical: the bin's bit; numeric: the missing bin by the node's missing direction, other
 * bins left up to the threshold).
 *
 * A numeric split is stored as the bins that go right, `lo <= bin < lo + span` (`split = lo |
 * span << 16`): bins run from 0 to the missing bin `nBins[f]`, so with the missing bin going right
 * that is every bin above the threshold (`lo = min(threshold, nBins[f] - 1) + 1`, span 256), and
 * with it going left the bins above the threshold below the missing one (`span = nBins[f] - lo`).
 * One test without a branch then routes every numeric node. A leaf's word is {@link LEAF}, its
 * second word the offset of its values, and both its children itself.
 */
export interface PackedTrees {
  nodes: Int32Array;
  values: Float64Array;
  catBits: Uint32Array;
  /** Word offset of each tree's root. */
  roots: Int32Array;
  /** Outputs of each tree (its leaf values per leaf). */
  nOut: Int32Array;
  /** No categorical split in any tree: {@link packedLeaves4} may walk them. */
  numericOnly: boolean;
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
  let numericOnly = true;
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
        nodes[w] = LEAF;
        nodes[w + 1] = value0 + i * t.nOut;
        nodes[w + 2] = w;
        nodes[w + 3] = w;
        continue;
      }
      if (f > FEATURE) throw new Error(`packTrees: feature index ${f} out of range`);
      const cat = t.isCategorical[i] === 1;
      nodes[w + 2] = (node0 + t.left[i]!) * 4;
      nodes[w + 3] = (node0 + t.right[i]!) * 4;
      if (cat) {
        numericOnly = false;
        nodes[w] = f | CAT;
        nodes[w + 1] = cat0 + t.threshold[i]! * 8;
        continue;
      }
      const miss = nBins[f]!;
      const threshold = t.threshold[i]!;
      // Bins are bytes: the missing bin is at most 255, so lo and span fit their 16 bits.
      if (!(miss >= 0 && miss <= 255)) throw new Error(`packTrees: feature ${f} has ${miss} bins; at most 255 fit a byte`);
      let lo: number;
      let span: number;
      if (t.missingLeft[i] === 1) {
        lo = Math.min(threshold + 1, miss);
        span = miss - lo;
      } else {
        lo = Math.min(threshold, miss - 1) + 1;
        span = 256;
      }
      nodes[w] = f;
      nodes[w + 1] = lo | (span << 16);
    }
    node0 += t.feature.length;
    value0 += t.value.length;
    cat0 += t.catBits.length;
  });
  return { nodes, values, catBits, roots, nOut, numericOnly };
}

/**
 * The offset in `p.values` of the leaf that row `r` of column-major bins (`bins[f * n + r]`)
 * reaches in the tree whose root is at word `root`.
 */
export function packedLeaf(p: PackedTrees, root: number, bins: Uint8Array, n: number, r: number): number {
  const nodes = p.nodes;
  let i = root;
  let w = nodes[i]!;
  while (w >= 0) {
    const b = bins[(w & FEATURE) * n + r]!;
    if ((w & CAT) === 0) {
      // Right (word 3) when lo <= b < lo + span: d >= 0 and d - span < 0, read from the sign bits.
      const s = nodes[i + 1]!;
      const d = b - (s & LOW);
      i = nodes[i + 2 + ((~d & (d - (s >>> 16))) >>> 31)]!;
    } else {
      i = ((p.catBits[nodes[i + 1]! + (b >>> 5)]! >>> (b & 31)) & 1) === 1 ? nodes[i + 2]! : nodes[i + 3]!;
    }
    w = nodes[i]!;
  }
  return nodes[i + 1]!;
}

/**
 * {@link packedLeaf} of rows `r` to `r + 3` at once, for trees without categorical splits
 * (`p.numericOnly`): the four walks advance together, a row at its leaf staying there, until all
 * four reach theirs. One walk is a chain of dependent loads; four independent chains keep the
 * processor busy while each waits. Writes the four leaves' value offsets to `leaves[0..3]`.
 */
export function packedLeaves4(p: PackedTrees, root: number, bins: Uint8Array, n: number, r: number, leaves: Int32Array): void {
  const nodes = p.nodes;
  let i0 = root;
  let i1 = root;
  let i2 = root;
  let i3 = root;
  let w0 = nodes[root]!;
  let w1 = w0;
  let w2 = w0;
  let w3 = w0;
  // The sign bit of the AND is set only when all four words are leaves.
  while ((w0 & w1 & w2 & w3) >= 0) {
    const s0 = nodes[i0 + 1]!;
    const s1 = nodes[i1 + 1]!;
    const s2 = nodes[i2 + 1]!;
    const s3 = nodes[i3 + 1]!;
    const d0 = bins[(w0 & FEATURE) * n + r]! - (s0 & LOW);
    const d1 = bins[(w1 & FEATURE) * n + r + 1]! - (s1 & LOW);
    const d2 = bins[(w2 & FEATURE) * n + r + 2]! - (s2 & LOW);
    const d3 = bins[(w3 & FEATURE) * n + r + 3]! - (s3 & LOW);
    i0 = nodes[i0 + 2 + ((~d0 & (d0 - (s0 >>> 16))) >>> 31)]!;
    i1 = nodes[i1 + 2 + ((~d1 & (d1 - (s1 >>> 16))) >>> 31)]!;
    i2 = nodes[i2 + 2 + ((~d2 & (d2 - (s2 >>> 16))) >>> 31)]!;
    i3 = nodes[i3 + 2 + ((~d3 & (d3 - (s3 >>> 16))) >>> 31)]!;
    w0 = nodes[i0]!;
    w1 = nodes[i1]!;
    w2 = nodes[i2]!;
    w3 = nodes[i3]!;
  }
  leaves[0] = nodes[i0 + 1]!;
  leaves[1] = nodes[i1 + 1]!;
  leaves[2] = nodes[i2 + 1]!;
  leaves[3] = nodes[i3 + 1]!;
}

/**
 * {@link packedLeaves4} for trees that may hold categorical splits: each of the four walks takes
 * a categorical node by its bin's bit in `catBits` (left when set, as {@link packedLeaf}) and a
 * numeric one, or a leaf, by the same branchless test; the same leaves as four
 * {@link packedLeaf} calls.
 */
export function packedLeaves4Mixed(p: PackedTrees, root: number, bins: Uint8Array, n: number, r: number, leaves: Int32Array): void {
  const nodes = p.nodes;
  const cat = p.catBits;
  let i0 = root;
  let i1 = root;
  let i2 = root;
  let i3 = root;
  let w0 = nodes[root]!;
  let w1 = w0;
  let w2 = w0;
  let w3 = w0;
  while ((w0 & w1 & w2 & w3) >= 0) {
    const s0 = nodes[i0 + 1]!;
    const s1 = nodes[i1 + 1]!;
    const s2 = nodes[i2 + 1]!;
    const s3 = nodes[i3 + 1]!;
    const b0 = bins[(w0 & FEATURE) * n + r]!;
    const b1 = bins[(w1 & FEATURE) * n + r + 1]!;
    const b2 = bins[(w2 & FEATURE) * n + r + 2]!;
    const b3 = bins[(w3 & FEATURE) * n + r + 3]!;
    // Categorical: word 2 (left) when the bin's bit is set. Numeric: as packedLeaves4.
    if ((w0 & CAT) === 0) {
      const d = b0 - (s0 & LOW);
      i0 = nodes[i0 + 2 + ((~d & (d - (s0 >>> 16))) >>> 31)]!;
    } else i0 = nodes[i0 + 3 - ((cat[s0 + (b0 >>> 5)]! >>> (b0 & 31)) & 1)]!;
    if ((w1 & CAT) === 0) {
      const d = b1 - (s1 & LOW);
      i1 = nodes[i1 + 2 + ((~d & (d - (s1 >>> 16))) >>> 31)]!;
    } else i1 = nodes[i1 + 3 - ((cat[s1 + (b1 >>> 5)]! >>> (b1 & 31)) & 1)]!;
    if ((w2 & CAT) === 0) {
      const d = b2 - (s2 & LOW);
      i2 = nodes[i2 + 2 + ((~d & (d - (s2 >>> 16))) >>> 31)]!;
    } else i2 = nodes[i2 + 3 - ((cat[s2 + (b2 >>> 5)]! >>> (b2 & 31)) & 1)]!;
    if ((w3 & CAT) === 0) {
      const d = b3 - (s3 & LOW);
      i3 = nodes[i3 + 2 + ((~d & (d - (s3 >>> 16))) >>> 31)]!;
    } else i3 = nodes[i3 + 3 - ((cat[s3 + (b3 >>> 5)]! >>> (b3 & 31)) & 1)]!;
    w0 = nodes[i0]!;
    w1 = nodes[i1]!;
    w2 = nodes[i2]!;
    w3 = nodes[i3]!;
  }
  leaves[0] = nodes[i0 + 1]!;
  leaves[1] = nodes[i1 + 1]!;
  leaves[2] = nodes[i2 + 1]!;
  leaves[3] = nodes[i3 + 1]!;
}

/**
 * Raw scores (`n x K`, row-major, `K = init.length`) of `n` rows of column-major bins: `init`,
 * then every tree in model order, tree `t` adding to column `channel[t]`, a tree at a time over
 * all the rows (its nodes stay in cache). Four rows walk a tree together ({@link packedLeaves4},
 * or {@link packedLeaves4Mixed} where a split is categorical); each row's sum still adds the trees in model order, so
 * the scores are bit for bit those of `addTreeOutput` (tree.ts) tree by tree. `leaves` is
 * scratch space for the four walks.
 */
export function packedRawScores(
  p: PackedTrees,
  channel: Int32Array,
  init: Float64Array,
  bins: Uint8Array,
  n: number,
  raw: Float64Array,
  leaves: Int32Array = new Int32Array(4),
): void {
  const K = init.length;
  const { roots, values } = p;
  const T = roots.length;
  for (let r = 0; r < n; r++) for (let c = 0; c < K; c++) raw[r * K + c] = init[c]!;
  const four = n - (n % 4);
  const walk4 = p.numericOnly ? packedLeaves4 : packedLeaves4Mixed;
  for (let t = 0; t < T; t++) {
    const root = roots[t]!;
    const ch = channel[t]!;
    const nOut = p.nOut[t]!;
    for (let r = 0; r < four; r += 4) {
      walk4(p, root, bins, n, r, leaves);
      if (nOut === 1) {
        // One output a tree (binary, regression, or a tree a class): no inner loop.
        const o = r * K + ch;
        raw[o]! += values[leaves[0]!]!;
        raw[o + K]! += values[leaves[1]!]!;
        raw[o + 2 * K]! += values[leaves[2]!]!;
        raw[o + 3 * K]! += values[leaves[3]!]!;
        continue;
      }
      for (let q = 0; q < 4; q++) {
        const v = leaves[q]!;
        const o = (r + q) * K + ch;
        for (let c = 0; c < nOut; c++) raw[o + c]! += values[v + c]!;
      }
    }
    for (let r = four; r < n; r++) {
      const v = packedLeaf(p, root, bins, n, r);
      const o = r * K + ch;
      for (let c = 0; c < nOut; c++) raw[o + c]! += values[v + c]!;
    }
  }
}
