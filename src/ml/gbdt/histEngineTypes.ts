/** What gradient boosting's histogram engines (`histEngine.ts`, `wasmHistEngine.ts`) offer the trainer: in a file of their own so the two engines do not import each other. */
import type { HistogramPool } from './histogram.js';
import type { LossName } from './loss.js';
import type { HistBuilder } from './treeGrower.js';

export interface HistEngine {
  /** Raw scores, `K` columns of `n` (see `computeGradients`). */
  readonly raw: Float64Array;
  /** Gradient pairs, `K` columns of `2n`. */
  readonly gh: Float32Array;
  /** The row partition the tree grower reorders. */
  readonly rows: Uint32Array;
  readonly pool: HistogramPool;
  /** A builder over gradient column `gh` (a subarray of `this.gh`) and the tree's features (null: all). */
  builder(gh: Float32Array, feats: Int32Array | null): HistBuilder;
  /** Fills `gh` from `raw` for the sampled rows (all rows when null), sharing the work with the threads. */
  gradients(sample: Uint32Array | null): void;
  /**
   * Splits `rows[start..end)` stably by feature `f`'s bins (see `partitionRows`); absent when
   * the tree grower's own loop does it.
   */
  partition?: (f: number, goLeft: Uint8Array, start: number, end: number) => number;
  /**
   * The root histograms of every raw-score column from all rows into `hists` (one a column, from
   * `this.pool`), in one pass over the rows: the same sums as `builder(column, null)` over all
   * rows. Returns false, building nothing, where the engine does not do it (the caller then
   * builds each root itself).
   */
  rootHistograms?(hists: Float64Array[]): boolean;
  /** `raw[k * n + rows[i]] += v` for `i` in `[start, end)`: a leaf's value added to its rows' scores. */
  addToRows(k: number, start: number, end: number, v: number): void;
  /** Parts of histograms that worker threads built so far (see `histThreads.ts`). */
  workerParts(): number;
  /** Releases worker threads. */
  close(): void;
}

export interface HistEngineOptions {
  /** Raw-score columns (trees per iteration). */
  K: number;
  loss: LossName;
  /** The target (class codes or values), for the gradients. */
  y: Int32Array | Float64Array;
  /** Threads building each histogram (1: the caller's only). */
  threads: number;
  /** Histograms a tree keeps alive at once, to size the memory up front. */
  liveHistograms: number;
}
