/**
 * The best split of one tree node, found by scanning its histogram.
 *
 * Gain is the usual second-order one: with `score(G, H) = sum_c G_c^2 / (H + lambda)` over the
 * output channels, `gain = score(left) + score(right) - score(node)`. With one gradient channel
 * this is XGBoost's / LightGBM's / scikit-learn's split gain (up to the factor 1/2); with the
 * per-class weight channels of a forest it is the decrease in Gini impurity.
 *
 * Numeric features are scanned twice when the node has missing values: once with missing
 * values sent right, once sent left (including "missing alone on the left"), so they go to
 * whichever side gains more. When the node has none, they follow the bigger child, which is
 * where rows with missing values at prediction time most likely belong.
 *
 * Categorical features use the Fisher (1958) ordering that LightGBM and scikit-learn use:
 * categories sorted by `G / (H + catSmooth)` and split as a prefix of that order, which finds
 * the optimal two-way partition for one channel in linear time. The missing bin (which also
 * holds levels unseen in training) takes part as one more category.
 */
import type { Binned } from './binned.js';

export interface SplitParams {
  lambda: number;
  minSamplesLeaf: number;
  minHessian: number;
  minGain: number;
  catSmooth: number;
}

export class SplitInfo {
  gain = 0;
  feature = -1;
  /** Numeric: rows with bin <= threshold go left. */
  threshold = 0;
  missingLeft = false;
  isCategorical = false;
  /** Categorical: bins going left (256 bits). */
  readonly catBits = new Uint32Array(8);
  /** Sums of the left child (stride layout); the right child's are the node's minus these. */
  readonly left: Float64Array;
  constructor(stride: number) {
    this.left = new Float64Array(stride);
  }
}

/** Scratch space and scans for split finding; one per tree grower, reused across nodes. */
export class SplitFinder {
  private readonly acc: Float64Array;
  private readonly order = new Int32Array(257);
  private readonly keys = new Float64Array(257);

  constructor(
    private readonly data: Binned,
    private readonly stride: number,
    private readonly params: SplitParams,
  ) {
    this.acc = new Float64Array(stride);
  }

  private score(s: Float64Array, sub: Float64Array | null): number {
    const nOut = this.stride - 2;
    const H = s[nOut]! - (sub ? sub[nOut]! : 0) + this.params.lambda;
    if (H <= 0) return 0;
    let q = 0;
    for (let c = 0; c < nOut; c++) {
      const g = s[c]! - (sub ? sub[c]! : 0);
      q += g * g;
    }
    return q / H;
  }

  /**
   * The gain of sending the rows summed in `acc` left and the rest of the node (`sums`) right;
   * -Infinity when the left side has fewer than `minSamplesLeaf` rows or either side less than
   * `minHessian` (callers stop scanning once the right side has too few rows).
   */
  private gain(acc: Float64Array, sums: Float64Array, parentScore: number): number {
    const nOut = this.stride - 2;
    const { minSamplesLeaf, minHessian } = this.params;
    if (acc[nOut + 1]! < minSamplesLeaf) return Number.NEGATIVE_INFINITY;
    const hL = acc[nOut]!;
    if (hL < minHessian || sums[nOut]! - hL < minHessian) return Number.NEGATIVE_INFINITY;
    return this.score(acc, null) + this.score(sums, acc) - parentScore;
  }

  /**
   * Writes the best split of a node into `out` and returns whether one beats `minGain`.
   * @param hist the node's histogram
   * @param sums the node's totals (stride layout)
   * @param feats features to consider
   * @param catChannel which output channel orders categories
   */
  find(hist: Float64Array, sums: Float64Array, feats: ArrayLike<number>, catChannel: number, out: SplitInfo): boolean {
    out.gain = this.params.minGain;
    out.feature = -1;
    const parentScore = this.score(sums, null);
    for (let j = 0; j < feats.length; j++) {
      const f = feats[j]!;
      if (this.data.isCategorical[f]) this.scanCategorical(hist, sums, f, parentScore, catChannel, out);
      else this.scanNumeric(hist, sums, f, parentScore, out);
    }
    return out.feature >= 0;
  }

  private scanNumeric(hist: Float64Array, sums: Float64Array, f: number, parentScore: number, out: SplitInfo): void {
    const S = this.stride;
    const nOut = S - 2;
    const { minSamplesLeaf } = this.params;
    const nb = this.data.nBins[f]!;
    const o = this.data.offsets[f]! * S;
    const mo = o + nb * S;
    const missCount = hist[mo + nOut + 1]!;
    const total = sums[nOut + 1]!;
    const acc = this.acc;
    for (let variant = 0; variant < (missCount > 0 ? 2 : 1); variant++) {
      const missLeft = variant === 1;
      for (let c = 0; c < S; c++) acc[c] = missLeft ? hist[mo + c]! : 0;
      // b = -1 is "missing alone on the left"; without missing values it is an empty left side.
      for (let b = -1; b < nb - 1; b++) {
        if (b >= 0) {
          const so = o + b * S;
          for (let c = 0; c < S; c++) acc[c]! += hist[so + c]!;
        }
        // The left side only grows: once the right one is too small, no later bin can split.
        if (total - acc[nOut + 1]! < minSamplesLeaf) break;
        const gain = this.gain(acc, sums, parentScore);
        if (gain > out.gain) {
          const nL = acc[nOut + 1]!;
          out.gain = gain;
          out.feature = f;
          out.threshold = b;
          out.isCategorical = false;
          out.missingLeft = missCount > 0 ? missLeft : nL >= total - nL;
          out.left.set(acc);
        }
      }
    }
  }

  private scanCategorical(hist: Float64Array, sums: Float64Array, f: number, parentScore: number, channel: number, out: SplitInfo): void {
    const S = this.stride;
    const nOut = S - 2;
    const { minSamplesLeaf, catSmooth } = this.params;
    const nb = this.data.nBins[f]!;
    const o = this.data.offsets[f]! * S;
    const order = this.order;
    const keys = this.keys;
    let m = 0;
    for (let b = 0; b <= nb; b++) {
      const so = o + b * S;
      if (hist[so + nOut + 1]! <= 0) continue;
      keys[b] = hist[so + channel]! / (hist[so + nOut]! + catSmooth);
      order[m++] = b;
    }
    if (m < 2) return;
    // Insertion sort: m is at most 256 and usually a handful.
    for (let i = 1; i < m; i++) {
      const v = order[i]!;
      const kv = keys[v]!;
      let j = i - 1;
      while (j >= 0 && keys[order[j]!]! > kv) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = v;
    }
    const acc = this.acc;
    acc.fill(0);
    const total = sums[nOut + 1]!;
    let best = -1;
    for (let i = 0; i < m - 1; i++) {
      const so = o + order[i]! * S;
      for (let c = 0; c < S; c++) acc[c]! += hist[so + c]!;
      if (total - acc[nOut + 1]! < minSamplesLeaf) break;
      const gain = this.gain(acc, sums, parentScore);
      if (gain > out.gain) {
        out.gain = gain;
        out.left.set(acc);
        best = i;
      }
    }
    if (best < 0) return;
    out.feature = f;
    out.isCategorical = true;
    out.threshold = 0;
    const bits = out.catBits;
    bits.fill(0);
    let nLeft = 0;
    for (let i = 0; i <= best; i++) {
      const b = order[i]!;
      bits[b >>> 5]! |= 1 << (b & 31);
      nLeft += hist[o + b * S + nOut + 1]!;
    }
    // Missing values (and unseen levels) not met in this node follow the bigger child.
    if (hist[o + nb * S + nOut + 1]! <= 0 && nLeft >= total - nLeft) bits[nb >>> 5]! |= 1 << (nb & 31);
    out.missingLeft = ((bits[nb >>> 5]! >>> (nb & 31)) & 1) === 1;
  }
}
