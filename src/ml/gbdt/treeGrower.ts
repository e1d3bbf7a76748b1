/**
 * Grows one histogram tree. Rows live in one `Uint32Array` partition; each node owns a
 * contiguous segment of it, split in place (stably, so segments stay sorted and memory access
 * stays sequential). Only the smaller child's histogram is built; the bigger one is the
 * parent's minus it, computed in the parent's buffer.
 *
 * Growth is best-first (leaf-wise, as LightGBM and scikit-learn's HistGradientBoosting) when
 * `maxLeaves` is finite, else depth-first, which keeps at most one histogram per level alive
 * for the deep trees of a forest.
 */
import type { Rng } from '../random.js';
import type { Binned } from './binned.js';
import { type HistogramPool, subtractHist } from './histogram.js';
import { partitionRows } from './partitionRows.js';
import { SplitFinder, SplitInfo, type SplitParams } from './split.js';
import type { Tree } from './tree.js';

export interface GrowParams extends SplitParams {
  maxLeaves: number;
  maxDepth: number;
  /** Features tried at each node (random subset, as a random forest); 0 = all allowed. */
  featuresPerNode: number;
}

/** Fills `hist` for rows `rows[start..end)`; `allRows` means the segment is 0..n-1 in order. */
export type HistBuilder = (hist: Float64Array, rows: Uint32Array, start: number, end: number, allRows: boolean) => void;

export interface GrowInput {
  data: Binned;
  /** Partition buffer; the tree uses `rows[0..nRows)`, reordering it. */
  rows: Uint32Array;
  nRows: number;
  /** True when `rows[0..nRows)` is every row of `data` in order. */
  allRows: boolean;
  stride: number;
  build: HistBuilder;
  /** The root's histogram when the caller built it already (from `pool`; the tree releases it). */
  rootHist?: Float64Array;
  pool: HistogramPool;
  /** Features this tree may split on (column subsampling). */
  feats: Int32Array;
  rng: Rng;
  /**
   * Rows left out of this tree's sample (`oob[0..nOob)`): partitioned along with the sampled
   * rows but never counted in histograms, so their leaves are known without a traversal.
   */
  oob?: Uint32Array;
  nOob?: number;
  /**
   * Splits `rows[start..end)` of `rows` stably by feature `f`'s bins, rows whose bin has
   * `goLeft[bin]` 1 first, and returns where the others start (see `partitionRows`); the
   * grower's own typed-array loop when absent.
   */
  partition?: (f: number, goLeft: Uint8Array, start: number, end: number) => number;
}

export interface GrownTree {
  tree: Tree;
  /** Leaf node ids and their segments of `rows` (and of `oob`), for updating training predictions. */
  leaves: { node: number; start: number; end: number; oobStart: number; oobEnd: number }[];
}

interface Open {
  node: number;
  start: number;
  end: number;
  oobStart: number;
  oobEnd: number;
  depth: number;
  hist: Float64Array;
  split: SplitInfo;
}

/**
 * Grows a tree. Node `value`s hold the raw channel sums and `weight` the hessian (or weight)
 * sums; callers turn them into outputs (see `setLeafValues`).
 */
export class TreeGrower {
  private readonly finder: SplitFinder;
  private readonly scratch: Uint32Array;
  private readonly splitPool: SplitInfo[] = [];
  /** Per bin, 1 when the split being applied sends it left (see `partition`). */
  private readonly goLeft = new Uint8Array(256);

  constructor(
    private readonly data: Binned,
    private readonly stride: number,
    private readonly params: GrowParams,
  ) {
    this.finder = new SplitFinder(data, stride, params);
    this.scratch = new Uint32Array(data.nRows);
  }

  grow(input: GrowInput): GrownTree {
    const S = this.stride;
    const nOut = S - 2;
    const p = this.params;
    const { rows, pool, build, feats, rng } = input;
    // Tree under construction, in growable arrays (a tree has at most a few thousand nodes).
    const feature: number[] = [];
    const threshold: number[] = [];
    const missingLeft: number[] = [];
    const isCat: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const sums: number[] = [];
    const gain: number[] = [];
    const count: number[] = [];
    const weight: number[] = [];
    const catBits: number[] = [];
    const leaves: GrownTree['leaves'] = [];
    const newNode = (s: ArrayLike<number>): number => {
      const id = feature.length;
      feature.push(-1);
      threshold.push(0);
      missingLeft.push(0);
      isCat.push(0);
      left.push(-1);
      right.push(-1);
      gain.push(0);
      for (let c = 0; c < nOut; c++) sums.push(s[c]!);
      weight.push(s[nOut]!);
      count.push(s[nOut + 1]!);
      return id;
    };
    const nodeSums = new Float64Array(S);
    const candidates = new Int32Array(feats.length);
    const evaluate = (o: Open, s: Float64Array): boolean => {
      if (s[nOut + 1]! < 2 * p.minSamplesLeaf || o.depth >= p.maxDepth) return false;
      let fs: ArrayLike<number> = feats;
      if (p.featuresPerNode > 0 && p.featuresPerNode < feats.length) {
        candidates.set(feats);
        rng.shuffle(candidates);
        fs = candidates.subarray(0, p.featuresPerNode);
      }
      const channel = nOut > 1 ? rng.int(nOut) : 0;
      return this.finder.find(o.hist, s, fs, channel, o.split);
    };
    const takeSplit = (): SplitInfo => this.splitPool.pop() ?? new SplitInfo(S);

    // Root.
    const rootHist = input.rootHist ?? pool.acquire();
    if (!input.rootHist) build(rootHist, rows, 0, input.nRows, input.allRows);
    totals(rootHist, this.data, feats[0] ?? 0, S, nodeSums);
    const root: Open = {
      node: newNode(nodeSums),
      start: 0,
      end: input.nRows,
      oobStart: 0,
      oobEnd: input.nOob ?? 0,
      depth: 0,
      hist: rootHist,
      split: takeSplit(),
    };
    const oob = input.oob;
    const open: Open[] = [];
    const rootSums = Float64Array.from(nodeSums);
    const openSums = new Map<number, Float64Array>([[root.node, rootSums]]);
    if (evaluate(root, rootSums)) open.push(root);
    else this.close(root, pool, leaves);
    let nLeaves = 1;
    const bestFirst = Number.isFinite(p.maxLeaves);

    while (open.length > 0 && nLeaves < p.maxLeaves) {
      let pick = open.length - 1;
      if (bestFirst) {
        for (let i = 0; i < open.length - 1; i++) if (open[i]!.split.gain > open[pick]!.split.gain) pick = i;
      }
      const o = open[pick]!;
      open[pick] = open[open.length - 1]!;
      open.pop();
      const sp = o.split;
      const ps = openSums.get(o.node)!;
      openSums.delete(o.node);

      // Partition the segment in place, stably (and the out-of-sample rows alongside).
      const f = sp.feature;
      this.fillGoLeft(sp);
      const mid = input.partition ? input.partition(f, this.goLeft, o.start, o.end) : this.partition(rows, o.start, o.end, f);
      const oobMid = oob ? this.partition(oob, o.oobStart, o.oobEnd, f) : 0;

      // Record the split.
      const id = o.node;
      feature[id] = f;
      gain[id] = sp.gain;
      missingLeft[id] = sp.missingLeft ? 1 : 0;
      if (sp.isCategorical) {
        isCat[id] = 1;
        threshold[id] = catBits.length / 8;
        for (let w = 0; w < 8; w++) catBits.push(sp.catBits[w]!);
      } else threshold[id] = sp.threshold;
      const ls = Float64Array.from(sp.left);
      const rs = new Float64Array(S);
      for (let c = 0; c < S; c++) rs[c] = ps[c]! - ls[c]!;
      const li = newNode(ls);
      const ri = newNode(rs);
      left[id] = li;
      right[id] = ri;
      nLeaves++;

      const depth = o.depth + 1;
      const lo: Open = { node: li, start: o.start, end: mid, oobStart: o.oobStart, oobEnd: oobMid, depth, hist: o.hist, split: sp };
      const ro: Open = { node: ri, start: mid, end: o.end, oobStart: oobMid, oobEnd: o.oobEnd, depth, hist: o.hist, split: takeSplit() };
      const canSplit = (n: number): boolean => nLeaves < p.maxLeaves && depth < p.maxDepth && n >= 2 * p.minSamplesLeaf;
      const lCan = canSplit(mid - o.start);
      const rCan = canSplit(o.end - mid);
      if (!lCan && !rCan) {
        pool.release(o.hist);
        this.splitPool.push(lo.split, ro.split);
        leaves.push(
          { node: li, start: o.start, end: mid, oobStart: o.oobStart, oobEnd: oobMid },
          { node: ri, start: mid, end: o.end, oobStart: oobMid, oobEnd: o.oobEnd },
        );
        continue;
      }
      // Build the smaller child; the parent's buffer becomes the bigger child's.
      const [small, big] = mid - o.start <= o.end - mid ? [lo, ro] : [ro, lo];
      small.hist = pool.acquire();
      build(small.hist, rows, small.start, small.end, false);
      subtractHist(big.hist, small.hist);
      for (const [child, s] of [
        [lo, ls],
        [ro, rs],
      ] as const) {
        if ((child === lo ? lCan : rCan) && evaluate(child, s)) {
          open.push(child);
          openSums.set(child.node, s);
        } else this.close(child, pool, leaves);
      }
    }
    for (const o of open) this.close(o, pool, leaves);

    const nNodes = feature.length;
    const value = new Float64Array(nNodes * nOut);
    for (let i = 0; i < sums.length; i++) value[i] = sums[i]!;
    const tree: Tree = {
      feature: Int32Array.from(feature),
      threshold: Int32Array.from(threshold),
      missingLeft: Uint8Array.from(missingLeft),
      isCategorical: Uint8Array.from(isCat),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      value,
      nOut,
      catBits: Uint32Array.from(catBits),
      gain: Float64Array.from(gain),
      count: Float64Array.from(count),
      weight: Float64Array.from(weight),
    };
    return { tree, leaves };
  }

  private close(o: Open, pool: HistogramPool, leaves: GrownTree['leaves']): void {
    pool.release(o.hist);
    this.splitPool.push(o.split);
    leaves.push({ node: o.node, start: o.start, end: o.end, oobStart: o.oobStart, oobEnd: o.oobEnd });
  }

  /** Per bin, whether split `sp` sends it left. */
  private fillGoLeft(sp: SplitInfo): void {
    const goLeft = this.goLeft;
    if (sp.isCategorical) {
      const cb = sp.catBits;
      for (let b = 0; b < 256; b++) goLeft[b] = (cb[b >>> 5]! >>> (b & 31)) & 1;
    } else {
      for (let b = 0; b < 256; b++) goLeft[b] = b <= sp.threshold ? 1 : 0;
      goLeft[this.data.nBins[sp.feature]!] = sp.missingLeft ? 1 : 0;
    }
  }

  /** `partitionRows` of `rows[start..end)` by feature `f` and the table `fillGoLeft` left. */
  private partition(rows: Uint32Array, start: number, end: number, f: number): number {
    const n = this.data.nRows;
    return partitionRows(rows, start, end, this.data.bins.subarray(f * n, (f + 1) * n), this.goLeft, this.scratch);
  }
}

/** Totals of a node read from one feature's slots (every feature's slots sum to the same). */
function totals(hist: Float64Array, data: Binned, f: number, S: number, out: Float64Array): void {
  out.fill(0);
  const o = data.offsets[f]! * S;
  const end = data.offsets[f + 1]! * S;
  for (let i = o; i < end; i += S) for (let c = 0; c < S; c++) out[c]! += hist[i + c]!;
}
