/**
 * One histogram split into parts by feature, each part built by one thread on the data of a
 * shared WebAssembly memory (see `wasmHistEngine.ts`). A feature's slots are always summed by
 * one part, over the node's rows in their order, so the histogram is the same bit for bit
 * whatever the number of threads (and the same as `histogram.ts` builds).
 */
import { fillModeBins, PAIRED_ROWS } from './histogram.js';
import type { HistKernels } from './histKernels.js';
import type { LossName } from './loss.js';

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
  /** `Int32Array` control block of the threads (see `histThreads.ts`). */
  control: number;
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

/**
 * Builds part `t` of the histogram at byte `hist` from rows `rows[start..end)` of the plan's
 * partition and the gradient pairs at byte `gh`: zeroes the part's slots, then adds.
 */
export function buildPart(plan: HistPlan, kernels: HistKernels, view: MemoryView, t: number, hist: number, start: number, end: number, gh: number): void {
  const { fLo, fHi, spare, out } = plan.parts[t]!;
  const F = plan.nFeatures;
  const sLo = plan.offsets[fLo]! * 3;
  const sHi = plan.offsets[fHi]! * 3;
  const h = hist / 8;
  const mem = view.get();
  mem.fill(0, h + sLo, h + sHi);
  const sp = plan.sparse;
  if (sp !== null) {
    kernels.sparse(hist, sp.cells, sp.bounds[t]!, sp.bounds[t + 1]!, plan.rows, start, end, gh, out);
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
