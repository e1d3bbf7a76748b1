/**
 * The WebAssembly histogram engine: the binned rows (dense slots or sparse rows), the gradient
 * pairs, the row partition and every histogram live in one shared WebAssembly memory, where the
 * kernels of `histKernels.ts` sum them and worker threads can build their features' part of
 * each histogram (`histThreads.ts`). Layout, in 64-byte-aligned blocks: control block, slots or
 * sparse cells and their per-part row bounds, gradients, partition, raw scores, the target,
 * the sample, column-major bins with a scratch list and a bin table for the partition (see
 * `rowKernels.ts`), a spare histogram and a totals pair per feature range and per half of
 * rows (see `splitsRows`), the second half's histogram, then the histogram pool, which grows the
 * memory when a tree needs more.
 */
import type { Binned } from './binned.js';
import type { HistEngine, HistEngineOptions } from './histEngineTypes.js';
import { buildHistGH, HistogramPool } from './histogram.js';
import { histKernels } from './histKernels.js';
import { type HistPlan, MemoryView } from './histParts.js';
import { CONTROL_INTS, HistThreads } from './histThreads.js';
import type { SparseRows } from './sparseRows.js';
import { MAX_ROOT_CLASSES } from './rootKernels.js';
import { rowKernels } from './rowKernels.js';
import { MAX_PAGES } from './wasmBuilder.js';

const PAGE = 65536;
/** Memory past which the engine is not used (wasm32 addresses 4 GiB; leave room to grow). */
const MAX_BYTES = 3.5 * 2 ** 30;

/** The engine, or null when the data does not fit it (see `histEngine`). */
export function wasmHistEngine(data: Binned, sparse: SparseRows | null, options: HistEngineOptions): HistEngine | null {
  const { nRows: n, nFeatures: F, offsets } = data;
  const histLen = offsets[F]! * 3;
  if (offsets[F]! > 0xffff || F === 0) return null;
  const threads = Math.max(1, Math.floor(options.threads));
  // Feature ranges for the segments not built in halves of rows (see `splitsRows`), one a
  // thread: every range reads the rows' indices and gradient pairs again, so more ranges cost
  // more per row. A thread that starts late leaves its part to the others (see histThreads.ts).
  const nParts = Math.min(threads, F, 255);
  let top = 0;
  const take = (bytes: number): number => {
    const at = top;
    top += Math.ceil(bytes / 64) * 64;
    return at;
  };
  const control = take(CONTROL_INTS * 4);
  const slots = sparse ? -1 : take(n * F * 2);
  const cells = sparse ? take(sparse.cells.length * 2) : -1;
  const bounds = sparse ? [take((n + 1) * 4), ...Array.from({ length: nParts - 1 }, () => take(n * 4))] : [];
  const { K, loss, y } = options;
  const gh = take(K * 2 * n * 4);
  const rows = take(n * 4);
  const raw = take(K * n * 8);
  const yAt = take(n * 8);
  const sampleAt = take(n * 4);
  // Column-major bins, a scratch row list and a bin table for the partition of a node's rows.
  const binsAt = take(n * F);
  const scratchAt = take(n * 4);
  const tableAt = take(256);
  const ranges = sparse ? balancedRanges(sparseCellsPerFeature(data, sparse), nParts) : balancedRanges(new Float64Array(F).fill(1), nParts);
  const parts = ranges.map(([fLo, fHi]) => ({ fLo, fHi, spare: sparse ? -1 : take(histLen * 8), out: take(16) }));
  const halves = [0, 1].map(() => ({ spare: sparse ? -1 : take(histLen * 8), out: take(16) }));
  const upper = take(histLen * 8);
  // The roots of every class in one pass (dense rows, several classes): addresses, counts, and
  // the first half's spares, the second half's histograms and spares (see `buildRootsPart`).
  const rootsK = !sparse && K >= 2 && K <= MAX_ROOT_CLASSES ? K : 0;
  const rootArgs = rootsK > 0 ? take(16 * rootsK) : -1;
  const rootCounts = rootsK > 0 ? take(offsets[F]! * 8) : -1;
  const rootBuffers = Array.from({ length: 3 * rootsK }, () => take(histLen * 8));
  if (top + options.liveHistograms * histLen * 8 > MAX_BYTES) return null;
  const memory = new WebAssembly.Memory({
    initial: Math.ceil((top + options.liveHistograms * histLen * 8) / PAGE) + 1,
    maximum: MAX_PAGES,
    shared: true,
  });
  const buf = memory.buffer;
  if (sparse) {
    new Uint16Array(buf, cells, sparse.cells.length).set(sparse.cells);
    const rowStart = new Uint32Array(buf, bounds[0]!, n + 1);
    rowStart.set(sparse.rowStart);
    for (let t = 1; t < nParts; t++) cutRows(rowStart, sparse.cells, offsets[ranges[t]![0]]!, new Uint32Array(buf, bounds[t]!, n));
    bounds.push(bounds[0]! + 4);
  } else {
    new Uint16Array(buf, slots, n * F).set(data.slots);
  }
  const plan: HistPlan = {
    memory,
    nFeatures: F,
    offsets,
    slots,
    sparse: sparse ? { cells, bounds, modeSlots: sparse.modeSlots } : null,
    rows,
    parts,
    halves,
    upper,
    control,
    partition: { bins: binsAt, scratch: scratchAt, table: tableAt },
    roots: rootsK > 0 ? { K: rootsK, args: rootArgs, counts: rootCounts } : null,
    gradients: { loss, K, n, raw, y: yAt, yFloat: y instanceof Float64Array, sample: sampleAt },
  };
  if (y instanceof Float64Array) new Float64Array(buf, yAt, n).set(y);
  else new Int32Array(buf, yAt, n).set(y);
  const sampleView = new Uint32Array(buf, sampleAt, n);
  if (rootsK > 0) {
    // [targets | first half's spares | uppers | second half's spares], K addresses each.
    const addr = new Uint32Array(buf, rootArgs, 4 * rootsK);
    for (let k = 0; k < rootsK; k++) {
      addr[rootsK + k] = rootBuffers[k]!;
      addr[2 * rootsK + k] = rootBuffers[rootsK + k]!;
      addr[3 * rootsK + k] = rootBuffers[2 * rootsK + k]!;
    }
  }
  new Uint8Array(buf, binsAt, n * F).set(data.bins);
  const table = new Uint8Array(buf, tableAt, 256);
  const rowOps = rowKernels(memory);
  const view = new MemoryView(memory);
  const builder = new HistThreads(plan, histKernels(memory), rowOps, view, threads);
  const pool = new HistogramPool(histLen, (size) => {
    const at = take(size * 8);
    const pages = Math.ceil(top / PAGE) - memory.buffer.byteLength / PAGE;
    if (pages > 0) memory.grow(pages);
    return new Float64Array(memory.buffer, at, size);
  });
  return {
    raw: new Float64Array(buf, raw, K * n),
    gh: new Float32Array(buf, gh, K * 2 * n),
    gradients: (sample) => {
      if (sample) sampleView.set(sample);
      builder.gradients(sample ? sample.length : n, sample !== null, gh);
    },
    rows: new Uint32Array(buf, rows, n),
    partition: (f, goLeft, start, end) => {
      table.set(goLeft);
      return builder.partition(f, start, end);
    },
    addToRows: (k, start, end, v) => rowOps.addToRows(raw + k * n * 8, rows, start, end, v),
    rootHistograms: (hists) =>
      builder.roots(
        hists.map((h) => h.byteOffset),
        n,
        gh,
      ),
    pool,
    builder: (ghk, feats) =>
      feats === null
        ? (hist, _rs, s, e) => builder.build(hist.byteOffset, s, e, ghk.byteOffset)
        : (hist, rs, s, e, all) => buildHistGH(hist, data, feats, rs, s, e, ghk, all),
    workerParts: () => builder.workerParts,
    close: () => builder.close(),
  };
}

/** Splits features into `nParts` consecutive ranges of about equal total `cost`. */
function balancedRanges(cost: Float64Array, nParts: number): [number, number][] {
  const total = cost.reduce((a, b) => a + b, 0);
  const out: [number, number][] = [];
  let f = 0;
  let acc = 0;
  for (let t = 0; t < nParts; t++) {
    const lo = f;
    const goal = (total * (t + 1)) / nParts;
    // Each range keeps at least one feature, and leaves one for each range after it.
    while (f < cost.length - (nParts - 1 - t) && (f === lo || acc + cost[f]! / 2 <= goal)) acc += cost[f++]!;
    if (t === nParts - 1) f = cost.length;
    out.push([lo, f]);
  }
  return out;
}

/** Cells of each feature in the sparse rows (the work of its part of a histogram). */
function sparseCellsPerFeature(data: Binned, sparse: SparseRows): Float64Array {
  const { offsets, nFeatures: F } = data;
  const featureOfSlot = new Int32Array(offsets[F]!);
  for (let f = 0; f < F; f++) featureOfSlot.fill(f, offsets[f]!, offsets[f + 1]!);
  const count = new Float64Array(F);
  for (const s of sparse.cells) count[featureOfSlot[s]!]!++;
  return count;
}

/** Per row, the index of its first sparse cell at or past slot `from` (cells are in slot order). */
function cutRows(rowStart: Uint32Array, cells: Uint16Array | Uint32Array, from: number, out: Uint32Array): void {
  for (let r = 0; r < out.length; r++) {
    let p = rowStart[r]!;
    const e = rowStart[r + 1]!;
    while (p < e && cells[p]! < from) p++;
    out[r] = p;
  }
}
