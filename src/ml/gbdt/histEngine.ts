/**
 * Where gradient boosting builds its histograms: the WebAssembly kernels on a shared memory,
 * with worker threads when asked for (`wasmHistEngine.ts`), or the typed-array loops of
 * `histogram.ts` when the data does not fit that layout (more than 65,535 histogram slots or a
 * memory past wasm32's 4 GiB). Both give the same sums.
 */
import type { Binned } from './binned.js';
import { buildHistGH, buildHistSparseGH, HistogramPool } from './histogram.js';
import { computeGradients, type LossName } from './loss.js';
import type { SparseRows } from './sparseRows.js';
import type { HistBuilder } from './treeGrower.js';
import { wasmHistEngine } from './wasmHistEngine.js';

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

/** The fastest engine that can hold `data`; `sparse` when histograms are built from sparse rows. */
export function histEngine(data: Binned, sparse: SparseRows | null, options: HistEngineOptions): HistEngine {
  return wasmHistEngine(data, sparse, options) ?? jsHistEngine(data, sparse, options);
}

function jsHistEngine(data: Binned, sparse: SparseRows | null, { K, loss, y }: HistEngineOptions): HistEngine {
  const n = data.nRows;
  const pool = new HistogramPool(data.offsets[data.nFeatures]! * 3);
  const spare = new Float64Array(pool.size);
  const raw = new Float64Array(K * n);
  const gh = new Float32Array(K * 2 * n);
  return {
    raw,
    gh,
    gradients: (sample) => computeGradients(loss, raw, y, K, gh, sample),
    rows: new Uint32Array(n),
    pool,
    builder: (gh, feats) =>
      feats === null && sparse !== null
        ? (hist, rs, s, e, all) => buildHistSparseGH(hist, data, sparse, rs, s, e, gh, all)
        : (hist, rs, s, e, all) => buildHistGH(hist, data, feats, rs, s, e, gh, all, spare),
    workerParts: () => 0,
    close: () => {},
  };
}
