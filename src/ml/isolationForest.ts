/**
 * Isolation forest (Liu, Ting & Zhou, 2008) for anomaly scores: random trees on small
 * subsamples isolate unusual rows in fewer splits, so a short average path means an anomaly.
 *
 * Numeric splits pick a value uniformly between the node's min and max; categorical splits send
 * a random non-empty proper subset of the node's levels left. Missing values (and levels unseen
 * in training) take a side chosen at random per split, recorded so scoring is deterministic.
 */
import { SluiceError } from '../core/errors.js';
import { alignFrame } from './alignFrame.js';
import { checkFrame, type FeatureSchema, type Frame, frameSchema } from './frame.js';
import { Rng, sampleWithoutReplacement } from './random.js';

export interface IsolationForestParams {
  nTrees: number;
  /** Rows per tree (256 as in the paper; smaller data use all rows). */
  sampleSize: number;
  seed: number;
}

export const ISOLATION_FOREST_DEFAULTS: IsolationForestParams = { nTrees: 100, sampleSize: 256, seed: 0 };

interface ITree {
  feature: number[]; // -1 for a leaf
  threshold: number[]; // numeric split value (x < threshold goes left)
  missingLeft: number[];
  left: number[];
  right: number[];
  /** Leaf: rows that reached it. */
  size: number[];
  /** Categorical split: levels going left. */
  levels: (number[] | null)[];
}

export interface IsolationForestJSON {
  format: 'sluice-isolation-forest';
  formatVersion: 1;
  schema: FeatureSchema[];
  params: IsolationForestParams;
  sampleSize: number;
  trees: ITree[];
}

/** Average path length of an unsuccessful search in a binary search tree of n points. */
function c(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;
}

interface FlatTree {
  feature: Int32Array;
  threshold: Float64Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Categorical split: start of its bitset of left-going levels in `bits`; -1 for a numeric split. */
  catStart: Int32Array;
  bits: Uint32Array;
  /** Leaf: its depth plus `c(size)`, the path length a row ending there adds. */
  leafPath: Float64Array;
}

const flatTrees = new WeakMap<ITree, FlatTree>();

/**
 * A tree in typed arrays, with each leaf's path length precomputed and each categorical split's
 * levels as a bitset of `words[feature]` 32-bit words (cached per tree).
 */
function flatTree(t: ITree, words: Int32Array): FlatTree {
  let flat = flatTrees.get(t);
  if (flat) return flat;
  const m = t.feature.length;
  const leafPath = new Float64Array(m);
  const depth = new Int32Array(m);
  const catStart = new Int32Array(m).fill(-1);
  let nWords = 0;
  for (let i = 0; i < m; i++) {
    if (t.feature[i]! >= 0) {
      depth[t.left[i]!] = depth[i]! + 1;
      depth[t.right[i]!] = depth[i]! + 1;
      if (t.levels[i]) {
        catStart[i] = nWords;
        nWords += words[t.feature[i]!]!;
      }
    } else leafPath[i] = depth[i]! + c(t.size[i]!);
  }
  const bits = new Uint32Array(nWords);
  for (let i = 0; i < m; i++) for (const code of t.levels[i] ?? []) bits[catStart[i]! + (code >>> 5)]! |= 1 << (code & 31);
  flat = {
    feature: Int32Array.from(t.feature),
    threshold: Float64Array.from(t.threshold),
    missingLeft: Uint8Array.from(t.missingLeft),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    catStart,
    bits,
    leafPath,
  };
  flatTrees.set(t, flat);
  return flat;
}

export class IsolationForest {
  constructor(
    readonly schema: FeatureSchema[],
    readonly params: IsolationForestParams,
    readonly sampleSize: number,
    readonly trees: ITree[],
  ) {}

  /**
   * Anomaly score of each row in (0, 1): about 0.5 for ordinary rows, approaching 1 for rows
   * that are isolated early (the paper's `s(x, n)`).
   */
  score(frame: Frame): Float64Array {
    const data = alignFrame(this.schema, frame);
    const n = data.nRows;
    const F = data.features.length;
    // Row-major cells (a categorical code as a number, missing as NaN), so a row's walk down a
    // tree reads one cache line, and bitsets of 32-bit words per categorical feature.
    const x = new Float64Array(n * F);
    const words = new Int32Array(F);
    for (let f = 0; f < F; f++) {
      const col = data.features[f]!;
      if (col.kind === 'numeric') for (let r = 0; r < n; r++) x[r * F + f] = col.values[r]!;
      else {
        words[f] = Math.ceil(col.levels.length / 32);
        for (let r = 0; r < n; r++) x[r * F + f] = col.codes[r]! < 0 ? NaN : col.codes[r]!;
      }
    }
    const total = new Float64Array(n);
    // Tree by tree (its nodes stay in cache); each row still sums its trees in order.
    for (const t of this.trees) {
      const { feature, threshold, missingLeft, left, right, catStart, bits, leafPath } = flatTree(t, words);
      for (let r = 0; r < n; r++) {
        const base = r * F;
        let node = 0;
        let f = feature[0]!;
        while (f >= 0) {
          const v = x[base + f]!;
          let goLeft: boolean;
          if (v !== v) goLeft = missingLeft[node] === 1;
          else {
            const start = catStart[node]!;
            goLeft = start < 0 ? v < threshold[node]! : ((bits[start + (v >>> 5)]! >>> (v & 31)) & 1) === 1;
          }
          node = goLeft ? left[node]! : right[node]!;
          f = feature[node]!;
        }
        total[r]! += leafPath[node]!;
      }
    }
    const cn = c(this.sampleSize);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) out[r] = 2 ** -(total[r]! / this.trees.length / cn);
    return out;
  }

  toJSON(): IsolationForestJSON {
    return { format: 'sluice-isolation-forest', formatVersion: 1, schema: this.schema, params: this.params, sampleSize: this.sampleSize, trees: this.trees };
  }

  static fromJSON(j: IsolationForestJSON): IsolationForest {
    if (j.format !== 'sluice-isolation-forest') throw new SluiceError('ML_BAD_MODEL', 'this is not a Sluice isolation forest');
    return new IsolationForest(j.schema, j.params, j.sampleSize, j.trees);
  }
}

/**
 * Fits an isolation forest on a frame (no target).
 *
 * @example
 * const forest = fitIsolationForest(frame, { seed: 1 });
 * const scores = forest.score(frame); // > 0.6 is unusual, > 0.7 very
 */
export function fitIsolationForest(frame: Frame, params: Partial<IsolationForestParams> = {}): IsolationForest {
  checkFrame(frame);
  const p = { ...ISOLATION_FOREST_DEFAULTS, ...params };
  if (frame.nRows < 2 || frame.features.length === 0) {
    throw new SluiceError('ML_TOO_FEW_ROWS', 'an isolation forest needs at least 2 rows and 1 feature', { hint: 'provide more data' });
  }
  const psi = Math.min(p.sampleSize, frame.nRows);
  const maxDepth = Math.ceil(Math.log2(psi));
  const root = new Rng(p.seed);
  const grower = new TreeGrower(frame, maxDepth);
  const trees: ITree[] = [];
  for (let t = 0; t < p.nTrees; t++) {
    const rng = root.derive(t);
    trees.push(grower.grow(sampleWithoutReplacement(rng, frame.nRows, psi), rng));
  }
  return new IsolationForest(frameSchema(frame), p, psi, trees);
}

/**
 * Grows the trees of one forest, reusing its buffers from tree to tree: a node's rows are a
 * range of `rows`, split in place (left rows first, each side in its order), and a categorical
 * node's levels are gathered with a stamp per level instead of a Set. The random draws, and so
 * the trees, are those of the plain recursive build: per node, the first feature `rng.int(F)`,
 * then for each feature tried its missing side `rng.float() < 0.5` and, if it can split, a
 * threshold `rng.uniform(lo, hi)` (numeric) or the shuffled present levels (ascending) and how
 * many go left `1 + rng.int(present - 1)` (categorical); the left subtree is grown first.
 */
class TreeGrower {
  private readonly rows: Uint32Array;
  private readonly scratch: Uint32Array;
  /** Per categorical feature: the node that last saw each level (a stamp), and whether a level goes left. */
  private readonly seen: Int32Array[];
  private readonly left: Uint8Array[];
  private stamp = 0;

  constructor(
    private readonly frame: Frame,
    private readonly maxDepth: number,
  ) {
    this.rows = new Uint32Array(frame.nRows);
    this.scratch = new Uint32Array(frame.nRows);
    this.seen = frame.features.map((f) => new Int32Array(f.kind === 'categorical' ? f.levels.length : 0));
    this.left = frame.features.map((f) => new Uint8Array(f.kind === 'categorical' ? f.levels.length : 0));
  }

  grow(sample: Uint32Array, rng: Rng): ITree {
    const tree: ITree = { feature: [], threshold: [], missingLeft: [], left: [], right: [], size: [], levels: [] };
    this.rows.set(sample);
    this.node(tree, 0, sample.length, 0, rng);
    return tree;
  }

  private node(t: ITree, from: number, to: number, depth: number, rng: Rng): number {
    const id = t.feature.length;
    const size = to - from;
    t.feature.push(-1);
    t.threshold.push(0);
    t.missingLeft.push(0);
    t.left.push(-1);
    t.right.push(-1);
    t.size.push(size);
    t.levels.push(null);
    if (depth >= this.maxDepth || size <= 1) return id;
    const { frame, rows } = this;
    const F = frame.features.length;
    const start = rng.int(F);
    for (let k = 0; k < F; k++) {
      const fi = (start + k) % F;
      const f = frame.features[fi]!;
      const missingLeft = rng.float() < 0.5;
      let mid: number;
      if (f.kind === 'numeric') {
        const values = f.values;
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = from; i < to; i++) {
          const v = values[rows[i]!]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (!(hi > lo)) continue;
        let thr = rng.uniform(lo, hi);
        if (thr <= lo) thr = (lo + hi) / 2;
        t.threshold[id] = thr;
        mid = this.partition(from, to, (r) => {
          const v = values[r]!;
          return v !== v ? missingLeft : v < thr;
        });
      } else {
        const codes = f.codes;
        const seen = this.seen[fi]!;
        const stamp = ++this.stamp;
        const present: number[] = [];
        for (let i = from; i < to; i++) {
          const c = codes[rows[i]!]!;
          if (c >= 0 && seen[c] !== stamp) {
            seen[c] = stamp;
            present.push(c);
          }
        }
        if (present.length < 2) continue;
        present.sort((a, b) => a - b);
        rng.shuffle(present);
        const goes = present.slice(0, 1 + rng.int(present.length - 1)).sort((a, b) => a - b);
        t.levels[id] = goes;
        const leftOf = this.left[fi]!;
        for (const c of goes) leftOf[c] = 1;
        mid = this.partition(from, to, (r) => {
          const c = codes[r]!;
          return c < 0 ? missingLeft : leftOf[c] === 1;
        });
        for (const c of goes) leftOf[c] = 0;
      }
      t.feature[id] = fi;
      t.missingLeft[id] = missingLeft ? 1 : 0;
      t.left[id] = this.node(t, from, mid, depth + 1, rng);
      t.right[id] = this.node(t, mid, to, depth + 1, rng);
      return id;
    }
    return id; // every feature is constant here: a leaf
  }

  /** Moves the rows of `[from, to)` that go left to its front, each side keeping its order; returns where the right side starts. */
  private partition(from: number, to: number, goesLeft: (row: number) => boolean): number {
    const { rows, scratch } = this;
    let l = from;
    let r = 0;
    for (let i = from; i < to; i++) {
      const row = rows[i]!;
      if (goesLeft(row)) rows[l++] = row;
      else scratch[r++] = row;
    }
    rows.set(scratch.subarray(0, r), l);
    return l;
  }
}
