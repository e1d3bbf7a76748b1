import type { FeatureBins } from '../ml/gbdt/binMapper.js';
import type { Tree } from '../ml/gbdt/tree.js';
import type { GraphBuilder } from './GraphBuilder.js';

/** Where one tree's outputs go: leaf value `c` of tree `t` adds `scale *` it to output `channel + c`. */
export interface TreePlacement {
  channel: number;
  scale: number;
}

const BRANCH_LEQ = 0;
const BRANCH_MEMBER = 6;

/**
 * Sluice trees as `ai.onnx.ml` TreeEnsemble (opset 5) nodes over `X` (`[N, F]` double):
 * column `f` holds the raw value of a numeric feature, or the bin of a categorical one (see
 * `treeInputMatrix`). Thresholds and leaf values stay double, so the sums are Sluice's.
 * Returns the `[N, nTargets]` sum of every tree's placed outputs.
 *
 * A numeric split "bin <= t" is the same test as "x <= edges[t]" (the bin mapper's contract),
 * with the missing value (NaN) sent where Sluice sends it; `t` past the last edge (a split
 * that only separates missing values) becomes `+Infinity`. A categorical split becomes a
 * BRANCH_MEMBER test on the bins its bitset sends left, the missing bin included. A tree that
 * is a single leaf gets a root whose two branches lead to that leaf. ONNX leaves hold one
 * value each, so trees with several outputs per leaf (a forest's class frequencies) become
 * one ensemble per output, summed.
 */
export function treeEnsembleNodes(
  g: GraphBuilder,
  X: string,
  trees: Tree[],
  bins: FeatureBins[],
  nTargets: number,
  place: (t: number) => TreePlacement,
): string {
  const nOut = Math.max(1, ...trees.map((t) => t.nOut));
  const parts: string[] = [];
  for (let c = 0; c < nOut; c++) parts.push(oneEnsemble(g, X, trees, bins, nTargets, place, c));
  return parts.length === 1 ? parts[0]! : g.op('Sum', parts);
}

/** The ensemble of output `c` of every tree's leaves. */
function oneEnsemble(g: GraphBuilder, X: string, trees: Tree[], bins: FeatureBins[], nTargets: number, place: (t: number) => TreePlacement, c: number): string {
  const roots: number[] = [];
  const featureIds: number[] = [];
  const modes: number[] = [];
  const splits: number[] = [];
  const members: number[] = [];
  const trueIds: number[] = [];
  const trueLeafs: number[] = [];
  const falseIds: number[] = [];
  const falseLeafs: number[] = [];
  const missingTrue: number[] = [];
  const leafTargets: number[] = [];
  const leafWeights: number[] = [];

  trees.forEach((tree, t) => {
    const { channel, scale } = place(t);
    const value = (i: number): number => (c < tree.nOut ? scale * tree.value[i * tree.nOut + c]! : 0);
    // ONNX numbers inner nodes and leaves separately: map Sluice's node ids to both.
    const n = tree.feature.length;
    const id = new Int32Array(n);
    let inner = featureIds.length;
    for (let i = 0; i < n; i++) {
      if (tree.feature[i]! >= 0) id[i] = inner++;
      else {
        id[i] = leafTargets.length;
        leafTargets.push(channel + c);
        leafWeights.push(value(i));
      }
    }
    roots.push(featureIds.length);
    const child = (i: number): [number, number] => [id[i]!, tree.feature[i]! >= 0 ? 0 : 1];
    if (tree.feature[0]! < 0) {
      // A single-leaf tree: a test on feature 0 whose two branches meet at the leaf.
      pushNode(0, BRANCH_LEQ, 0, 0, child(0), child(0));
      return;
    }
    for (let i = 0; i < n; i++) {
      const f = tree.feature[i]!;
      if (f < 0) continue;
      const fb = bins[f]!;
      if (tree.isCategorical[i]) {
        const w0 = tree.threshold[i]! * 8;
        const before = members.length;
        for (let b = 0; b <= fb.nBins; b++) if (((tree.catBits[w0 + (b >>> 5)]! >>> (b & 31)) & 1) === 1) members.push(b);
        if (members.length === before) members.push(-1); // no bin goes left: a member no row has
        members.push(NaN);
        pushNode(f, BRANCH_MEMBER, NaN, 0, child(tree.left[i]!), child(tree.right[i]!));
      } else {
        const th = tree.threshold[i]!;
        const edges = fb.kind === 'numeric' ? fb.edges : new Float64Array(0);
        pushNode(f, BRANCH_LEQ, th < edges.length ? edges[th]! : Infinity, tree.missingLeft[i]!, child(tree.left[i]!), child(tree.right[i]!));
      }
    }
  });

  function pushNode(feature: number, mode: number, split: number, missing: number, left: [number, number], right: [number, number]): void {
    featureIds.push(feature);
    modes.push(mode);
    splits.push(split);
    missingTrue.push(missing);
    trueIds.push(left[0]);
    trueLeafs.push(left[1]);
    falseIds.push(right[0]);
    falseLeafs.push(right[1]);
  }

  const tensor = (type: 'double' | 'uint8', data: number[]) => ({ kind: 'tensor' as const, value: { dims: [data.length], type, data } });
  return g.ml('TreeEnsemble', [X], {
    n_targets: nTargets,
    aggregate_function: 1, // SUM
    post_transform: 0, // NONE
    tree_roots: roots,
    nodes_featureids: featureIds,
    nodes_modes: tensor('uint8', modes),
    nodes_splits: tensor('double', splits),
    ...(members.length > 0 ? { membership_values: tensor('double', members) } : {}),
    nodes_truenodeids: trueIds,
    nodes_trueleafs: trueLeafs,
    nodes_falsenodeids: falseIds,
    nodes_falseleafs: falseLeafs,
    nodes_missing_value_tracks_true: missingTrue,
    leaf_targetids: leafTargets,
    leaf_weights: tensor('double', leafWeights),
  });
}
