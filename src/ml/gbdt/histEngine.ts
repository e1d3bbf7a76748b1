/**
 * Where gradient boosting builds its histograms: the WebAssembly kernels on a shared memory,
 * with worker threads when asked for (`wasmHistEngine.ts`), or the typed-array loops of
 * `histogram.ts` when the data does not fit that layout (more than 65,535 histogram slots or a
 * memory past wasm32's 4 GiB). Both give the same sums.
 */
import type { Binned } from './binned.js';
import { buildHistGH, buildHistSparseGH, HistogramPool } from './histogram.js';
import type { HistEngine, HistEngineOptions } from './histEngineTypes.js';
import { computeGradients } from './loss.js';
import type { SparseRows } from './sparseRows.js';
import { wasmHistEngine } from './wasmHistEngine.js';

export type { HistEngine, HistEngineOptions } from './histEngineTypes.js';

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
  const rows = new Uint32Array(n);
  return {
    raw,
    gh,
    gradients: (sample) => computeGradients(loss, raw, y, K, gh, sample),
    rows,
    addToRows: (k, start, end, v) => {
      const kn = k * n;
      for (let i = start; i < end; i++) raw[kn + rows[i]!]! += v;
    },
    pool,
    builder: (gh, feats) =>
      feats === null && sparse !== null
        ? (hist, rs, s, e, all) => buildHistSparseGH(hist, data, sparse, rs, s, e, gh, all)
        : (hist, rs, s, e, all) => buildHistGH(hist, data, feats, rs, s, e, gh, all, spare),
    workerParts: () => 0,
    close: () => {},
  };
}
