/**
 * One histogram split into parts, each part built by one thread on the data of a shared
 * WebAssembly memory (see `wasmHistEngine.ts`). A big segment of rows (see `splitsRows`) is
 * always built as the sum of the histograms of its two halves of rows, whatever the number of
 * threads: one thread builds both, two build one each. A smaller segment is built by feature
 * ranges, each feature's slots summed by one part over the rows in their order. Either way the
 * histogram is the same bit for bit whatever the number of threads.
 */
import { fillModeBins, PAIRED_ROWS } from './histogram.js';
import type { HistKernels } from './histKernels.js';
import type { LossName } from './loss.js';
import type { RootKernels } from './rootKernels.js';

/** Where everything lives in the memory (byte offsets) and how features are split into parts. */
export interface HistPlan {
  memory: WebAssembly.Memory;
  nFeatures: number;
  /** Start of each feature's slots in a histogram; last = total. */
  offsets: Int32Array;
  /** Row-major `u16` slots (dense data), or -1 when histograms come from sparse rows. */
  slots: number;
  sparse: {
    /** `u16` cells of the sparse rows. */
    cells: number;
    /**
     * `u32` arrays indexed by row; part `t` adds the cells `[bounds[t][r], bounds[t + 1][r])` of
     * row `r` (the first is the sparse rows' `rowStart`, the last the same shifted by one row).
     */
    bounds: number[];
    modeSlots: Int32Array;
  } | null;
  /** The partition of row indices (`u32`). */
  rows: number;
  /** Feature ranges of the parts, each with its own spare histogram and totals (16 bytes). */
  parts: { fLo: number; fHi: number; spare: number; out: number }[];
  /**
   * The two halves of a big segment, over every feature: where the first half's spare and
   * totals are, and the second half's histogram (`upper`), spare and totals.
   */
  halves: { spare: number; out: number }[];
  /** The second half's histogram, added into the first's once both are built (`mergeHalves`). */
  upper: number;
  /** `Int32Array` control block of the threads (see `histThreads.ts`). */
  control: number;
  /**
   * What the threads need to split a node's rows (see `rowKernels.ts`): column-major `u8` bins
   * (`n` a feature), a `u32` scratch list of `n` and the 256-byte table of the split.
   */
  partition: { bins: number; scratch: number; table: number };
  /**
   * The `K` root histograms of an iteration in one pass (see `rootKernels.ts`; dense rows and
   * several classes only, else null): `args` holds `4K` `u32` histogram addresses, the targets
   * (written per call), the first half's spares, the second half's histograms (`uppers`) and
   * its spares; `counts` the rows of each slot (`f64`), counted on first use.
   */
  roots: { K: number; args: number; counts: number } | null;
  /** What the threads need to compute gradients (see `computeGradients`). */
  gradients: {
    loss: LossName;
    K: number;
    n: number;
    /** Raw scores, `f64`, `K` columns of `n`. */
    raw: number;
    /** The target: `f64` values when `yFloat`, else `i32` class codes. */
    y: number;
    yFloat: boolean;
    /** The iteration's sampled rows (`u32`, up to `n`). */
    sample: number;
  };
}

/** A `Float64Array` over the whole memory, renewed when the memory has grown. */
export class MemoryView {
  private f64: Float64Array;
  constructor(private readonly memory: WebAssembly.Memory) {
    this.f64 = new Float64Array(memory.buffer);
  }
  get(): Float64Array {
    if (this.f64.byteLength !== this.memory.buffer.byteLength) this.f64 = new Float64Array(this.memory.buffer);
    return this.f64;
  }
}

/** Cells (rows x features) from which a segment's histogram is built in two halves of rows. */
const HALVES_CELLS = 100_000;
/** Rows per histogram slot from which it is: merging the halves costs a pass over the slots. */
const HALVES_ROWS_PER_SLOT = 4;

/**
 * Whether the histogram of a segment of `rows` rows is the sum of its two halves' (rows
 * `[start, mid)` and `[mid, end)`, `mid = start + floor(rows / 2)`): parts 0 and 1 of
 * `buildPart` with `halves`, then `mergeHalves`. A rule of the data alone, never of the
 * threads, so that the sums are the same with any number of them.
 */
export function splitsRows(layout: Pick<HistPlan, 'nFeatures' | 'offsets'>, rows: number): boolean {
  return rows * layout.nFeatures >= HALVES_CELLS && rows >= HALVES_ROWS_PER_SLOT * layout.offsets[layout.nFeatures]!;
}

/**
 * Builds part `t` of the histogram at byte `hist` from rows `rows[start..end)` of the plan's
 * partition and the gradient pairs at byte `gh`. With `halves`, part 0 is the first half of the
 * rows over every feature, into `hist`, and part 1 the second half into `plan.upper` (see
 * `splitsRows`); otherwise part `t` is feature range `t` of the plan.
 */
export function buildPart(
  plan: HistPlan,
  kernels: HistKernels,
  view: MemoryView,
  t: number,
  hist: number,
  start: number,
  end: number,
  gh: number,
  halves: boolean,
): void {
  if (!halves) {
    const { fLo, fHi, spare, out } = plan.parts[t]!;
    buildRange(plan, kernels, view, t, fLo, fHi, hist, spare, out, start, end, gh);
    return;
  }
  const mid = start + ((end - start) >> 1);
  const { spare, out } = plan.halves[t]!;
  // Sparse rows: a row's cells of every feature lie between the first and the last bounds.
  const [into, s, e] = t === 0 ? [hist, start, mid] : [plan.upper, mid, end];
  buildRange(plan, kernels, view, 0, 0, plan.nFeatures, into, spare, out, s, e, gh, plan.parts.length);
}

/** Adds the second half's histogram into the first's (see `splitsRows`). */
export function mergeHalves(plan: HistPlan, view: MemoryView, hist: number): void {
  const mem = view.get();
  const h = hist / 8;
  const u = plan.upper / 8;
  for (let k = 0, e = plan.offsets[plan.nFeatures]! * 3; k < e; k++) mem[h + k]! += mem[u + k]!;
}

/**
 * The histogram of features `[fLo, fHi)` at byte `hist` from rows `rows[start..end)`: zeroes
 * their slots, then adds (in pairs of rows through `spare` when there are enough rows; sparse
 * rows between cell bounds `b` and `bEnd` (default `b + 1`), with the totals at `out`).
 */
function buildRange(
  plan: HistPlan,
  kernels: HistKernels,
  view: MemoryView,
  b: number,
  fLo: number,
  fHi: number,
  hist: number,
  spare: number,
  out: number,
  start: number,
  end: number,
  gh: number,
  bEnd = b + 1,
): void {
  const F = plan.nFeatures;
  const sLo = plan.offsets[fLo]! * 3;
  const sHi = plan.offsets[fHi]! * 3;
  const h = hist / 8;
  const mem = view.get();
  mem.fill(0, h + sLo, h + sHi);
  const sp = plan.sparse;
  if (sp !== null) {
    kernels.sparse(hist, sp.cells, sp.bounds[b]!, sp.bounds[bEnd]!, plan.rows, start, end, gh, out);
    fillModeBins(mem, h, plan.offsets, sp.modeSlots, fLo, fHi, mem[out / 8]!, mem[out / 8 + 1]!, end - start);
    return;
  }
  const nf = fHi - fLo;
  if (end - start < PAIRED_ROWS) {
    kernels.dense(hist, F, fLo, nf, plan.slots, plan.rows, start, end, gh);
    return;
  }
  const s = spare / 8;
  mem.fill(0, s + sLo, s + sHi);
  const pairsEnd = start + ((end - start) & ~1);
  kernels.densePaired(hist, spare, F, fLo, nf, plan.slots, plan.rows, start, pairsEnd, gh);
  if (pairsEnd < end) kernels.dense(hist, F, fLo, nf, plan.slots, plan.rows, pairsEnd, end, gh);
  for (let k = sLo; k < sHi; k++) mem[h + k]! += mem[s + k]!;
}

/** Whether the `K` root histograms of all `n` rows are built in one pass, in halves and pairs of rows. */
export function buildsRoots(plan: HistPlan, n: number): boolean {
  return plan.roots !== null && splitsRows(plan, n) && n >> 1 >= PAIRED_ROWS;
}

/**
 * Half `t` of the `K` root histograms of rows `[0, n)` (gradient pairs at byte `gh`, `K`
 * columns of `2n`): the first half into the target histograms, the second into the uppers,
 * each as `buildRange` does (even rows, odd rows through a spare, the last odd row, the spare
 * added), without the counts (see `mergeRoots`).
 */
export function buildRootsPart(plan: HistPlan, kernels: RootKernels, view: MemoryView, t: number, n: number, gh: number): void {
  const { K, args } = plan.roots!;
  const F = plan.nFeatures;
  const len = plan.offsets[F]! * 3;
  const buf = plan.memory.buffer;
  const addr = new Uint32Array(buf, args, 4 * K);
  const mid = n >> 1;
  const [s, e] = t === 0 ? [0, mid] : [mid, n];
  const hs = t * 2 * K;
  const ss = hs + K;
  const mem = view.get();
  for (let k = 0; k < K; k++) {
    mem.fill(0, addr[hs + k]! / 8, addr[hs + k]! / 8 + len);
    mem.fill(0, addr[ss + k]! / 8, addr[ss + k]! / 8 + len);
  }
  const pairsEnd = s + ((e - s) & ~1);
  kernels.pairedRoots(args + hs * 4, args + ss * 4, F, plan.slots, s, pairsEnd, gh, plan.gradients.n * 8);
  if (pairsEnd < e) {
    const slots = new Uint16Array(buf, plan.slots + pairsEnd * F * 2, F);
    const pairs = new Float32Array(buf, gh, K * 2 * n);
    for (let k = 0; k < K; k++) {
      const h = addr[hs + k]! / 8;
      const g = pairs[k * 2 * n + 2 * pairsEnd]!;
      const w = pairs[k * 2 * n + 2 * pairsEnd + 1]!;
      for (let f = 0; f < F; f++) {
        const j = h + slots[f]! * 3;
        mem[j]! += g;
        mem[j + 1]! += w;
      }
    }
  }
  for (let k = 0; k < K; k++) {
    const h = addr[hs + k]! / 8;
    const sp = addr[ss + k]! / 8;
    for (let j = 0; j < len; j++) mem[h + j]! += mem[sp + j]!;
  }
}

/**
 * Adds the uppers into the target histograms (as `mergeHalves`) and writes every slot's row
 * count, the same whole numbers the kernels would have summed.
 */
export function mergeRoots(plan: HistPlan, view: MemoryView): void {
  const { K, args, counts } = plan.roots!;
  const nSlots = plan.offsets[plan.nFeatures]!;
  const addr = new Uint32Array(plan.memory.buffer, args, 4 * K);
  const mem = view.get();
  const c = counts / 8;
  for (let k = 0; k < K; k++) {
    const h = addr[k]! / 8;
    const u = addr[2 * K + k]! / 8;
    for (let j = 0, e = nSlots * 3; j < e; j++) mem[h + j]! += mem[u + j]!;
    for (let j = 0; j < nSlots; j++) mem[h + 3 * j + 2] = mem[c + j]!;
  }
}
