/**
 * Histogram building: the hot loop of tree learning. A histogram holds, for every bin of every
 * feature, the sums a split needs. Two layouts share one convention (the last two channels of
 * a slot are the hessian/weight sum and the row count):
 *
 * - gradient mode, stride 3: `[sum g, sum h, count]` (gradient boosting; regression forests);
 * - class mode, stride k + 2: `[w of class 0 .. w of class k-1, sum w, count]` (classification
 *   forests, where the variance of the one-hot target is the Gini impurity).
 *
 * Rows come as a segment of a `Uint32Array` partition kept in ascending order, so gradient
 * reads are nearly sequential; bins are row-major so one row's bins share a cache line.
 * No allocation happens here: callers reuse buffers from a {@link HistogramPool}.
 */
import type { Binned } from './binned.js';
import type { SparseRows } from './sparseRows.js';

/** Hands out zeroed histogram buffers and takes them back, so growing a tree allocates nothing. */
export class HistogramPool {
  private free: Float64Array[] = [];
  /** @param allocate where a new buffer comes from (the WebAssembly engine's memory, see `wasmHistEngine.ts`) */
  constructor(
    readonly size: number,
    private readonly allocate: (size: number) => Float64Array = (size) => new Float64Array(size),
  ) {}
  acquire(): Float64Array {
    return this.free.pop() ?? this.allocate(this.size);
  }
  release(h: Float64Array): void {
    this.free.push(h);
  }
}

/**
 * Fills `hist` (stride 3) with gradient sums of rows `rows[start..end)` over the features in
 * `feats` (all features when `feats` is null). Gradients and hessians are interleaved,
 * `gh[2r]` and `gh[2r + 1]`, so one cache line serves both. `allRows` skips the row
 * indirection when the segment is every row in order (the root without subsampling).
 */
export function buildHistGH(
  hist: Float64Array,
  data: Binned,
  feats: Int32Array | null,
  rows: Uint32Array,
  start: number,
  end: number,
  gh: Float32Array | Float64Array,
  allRows: boolean,
  spare: Float64Array | null = null,
): void {
  hist.fill(0);
  const F = data.nFeatures;
  const slots = data.slots;
  if (feats === null && spare !== null && end - start >= PAIRED_ROWS) {
    buildPairedGH(hist, spare, F, slots, rows, start, end, gh, allRows);
    return;
  }
  if (feats === null) {
    for (let i = start; i < end; i++) {
      const r = allRows ? i : rows[i]!;
      const gr = gh[2 * r]!;
      const hr = gh[2 * r + 1]!;
      let p = r * F;
      const pe = p + F;
      for (; p < pe; p++) {
        const k = slots[p]! * 3;
        hist[k]! += gr;
        hist[k + 1]! += hr;
        hist[k + 2]! += 1;
      }
    }
    return;
  }
  const nf = feats.length;
  for (let i = start; i < end; i++) {
    const r = allRows ? i : rows[i]!;
    const gr = gh[2 * r]!;
    const hr = gh[2 * r + 1]!;
    const base = r * F;
    for (let j = 0; j < nf; j++) {
      const k = slots[base + feats[j]!]! * 3;
      hist[k]! += gr;
      hist[k + 1]! += hr;
      hist[k + 2]! += 1;
    }
  }
}

/**
 * `buildHistGH` over every feature from sparse rows (see {@link SparseRows}): each row adds to
 * the cells that are not their feature's most frequent bin, and those bins are then set to the
 * segment's totals minus the feature's other bins.
 */
export function buildHistSparseGH(
  hist: Float64Array,
  data: Binned,
  sparse: SparseRows,
  rows: Uint32Array,
  start: number,
  end: number,
  gh: Float32Array | Float64Array,
  allRows: boolean,
): void {
  hist.fill(0);
  const { rowStart, cells } = sparse;
  let G = 0;
  let H = 0;
  for (let i = start; i < end; i++) {
    const r = allRows ? i : rows[i]!;
    const gr = gh[2 * r]!;
    const hr = gh[2 * r + 1]!;
    G += gr;
    H += hr;
    const pe = rowStart[r + 1]!;
    for (let p = rowStart[r]!; p < pe; p++) {
      const k = cells[p]! * 3;
      hist[k]! += gr;
      hist[k + 1]! += hr;
      hist[k + 2]! += 1;
    }
  }
  fillModeBins(hist, 0, data.offsets, sparse.modeSlots, 0, data.nFeatures, G, H, end - start);
}

/**
 * Sets the most frequent bin of features `[fLo, fHi)` of a histogram built from sparse rows
 * (it starts at `hist[base]`) to the node's totals `G`, `H`, `count` minus the feature's other bins.
 */
export function fillModeBins(
  hist: Float64Array,
  base: number,
  offsets: Int32Array,
  modeSlots: Int32Array,
  fLo: number,
  fHi: number,
  G: number,
  H: number,
  count: number,
): void {
  for (let f = fLo; f < fHi; f++) {
    const m = base + modeSlots[f]! * 3;
    let g = G;
    let h = H;
    let c = count;
    for (let k = base + offsets[f]! * 3; k < base + offsets[f + 1]! * 3; k += 3) {
      g -= hist[k]!;
      h -= hist[k + 1]!;
      c -= hist[k + 2]!;
    }
    // The mode bin's own entries are still zero, so they took nothing off.
    hist[m] = g;
    hist[m + 1] = h;
    hist[m + 2] = c;
  }
}

/** Segments from this many rows up are summed into two histograms (see `buildPairedGH`). */
export const PAIRED_ROWS = 2048;

/**
 * `buildHistGH` over every feature with even and odd rows summed into two histograms, then
 * added: consecutive rows often share a bin (features with few values), and one histogram
 * makes each add wait for the previous one's store.
 */
function buildPairedGH(
  hist: Float64Array,
  spare: Float64Array,
  F: number,
  slots: Uint16Array | Uint32Array,
  rows: Uint32Array,
  start: number,
  end: number,
  gh: Float32Array | Float64Array,
  allRows: boolean,
): void {
  spare.fill(0);
  let i = start;
  for (; i + 1 < end; i += 2) {
    const r0 = allRows ? i : rows[i]!;
    const r1 = allRows ? i + 1 : rows[i + 1]!;
    const g0 = gh[2 * r0]!;
    const h0 = gh[2 * r0 + 1]!;
    const g1 = gh[2 * r1]!;
    const h1 = gh[2 * r1 + 1]!;
    const p0 = r0 * F;
    const p1 = r1 * F;
    for (let f = 0; f < F; f++) {
      const k0 = slots[p0 + f]! * 3;
      const k1 = slots[p1 + f]! * 3;
      hist[k0]! += g0;
      hist[k0 + 1]! += h0;
      hist[k0 + 2]! += 1;
      spare[k1]! += g1;
      spare[k1 + 1]! += h1;
      spare[k1 + 2]! += 1;
    }
  }
  if (i < end) {
    const r = allRows ? i : rows[i]!;
    const p = r * F;
    for (let f = 0; f < F; f++) {
      const k = slots[p + f]! * 3;
      hist[k]! += gh[2 * r]!;
      hist[k + 1]! += gh[2 * r + 1]!;
      hist[k + 2]! += 1;
    }
  }
  for (let k = 0; k < hist.length; k++) hist[k]! += spare[k]!;
}

/**
 * Fills `hist` (stride k + 2) with per-class weight sums of the rows in the segment: row `r`
 * adds `w[r]` to its class `y[r]`. Zero-weight rows are not expected in the segment.
 */
export function buildHistClass(
  hist: Float64Array,
  data: Binned,
  feats: Int32Array | null,
  rows: Uint32Array,
  start: number,
  end: number,
  y: Int32Array,
  w: Float64Array,
  k: number,
): void {
  hist.fill(0);
  const F = data.nFeatures;
  const slots = data.slots;
  const S = k + 2;
  const list = feats ?? Int32Array.from({ length: F }, (_, f) => f);
  const nf = list.length;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    const wr = w[r]!;
    const yr = y[r]!;
    const base = r * F;
    for (let j = 0; j < nf; j++) {
      const slot = slots[base + list[j]!]! * S;
      hist[slot + yr]! += wr;
      hist[slot + k]! += wr;
      hist[slot + k + 1]! += 1;
    }
  }
}

/** `parent -= child`, turning the parent's histogram into the sibling's (the subtraction trick). */
export function subtractHist(parent: Float64Array, child: Float64Array): void {
  for (let i = 0; i < parent.length; i++) parent[i]! -= child[i]!;
}
