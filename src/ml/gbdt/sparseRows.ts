import type { Binned } from './binned.js';

/**
 * The training cells that are not their feature's most frequent bin, row by row (compressed
 * sparse rows): row `r`'s histogram slots are `cells[rowStart[r]..rowStart[r + 1])`. A histogram
 * built from them leaves each feature's most frequent bin empty; `fillModeBins` then sets it to
 * the node's totals minus the feature's other bins. On data where many cells hold their
 * feature's most common value (zero counts, "none", one dominant category), this skips them.
 */
export interface SparseRows {
  /** Per feature, the histogram slot of its most frequent bin. */
  modeSlots: Int32Array;
  rowStart: Uint32Array;
  cells: Uint16Array | Uint32Array;
  /** Share of all cells that are a mode bin (and so are skipped). */
  skipped: number;
}

/** Each feature's most frequent bin and the share of cells they hold: whether sparse rows pay off, before building them. */
export function modeBins(data: Binned): Pick<SparseRows, 'modeSlots' | 'skipped'> {
  const { nRows: n, nFeatures: F, bins, offsets } = data;
  const modeSlots = new Int32Array(F);
  const counts = new Int32Array(256);
  let skippedCells = 0;
  for (let f = 0; f < F; f++) {
    counts.fill(0);
    const col = bins.subarray(f * n, (f + 1) * n);
    for (let i = 0; i < n; i++) counts[col[i]!]!++;
    let mode = 0;
    for (let b = 1; b < 256; b++) if (counts[b]! > counts[mode]!) mode = b;
    modeSlots[f] = offsets[f]! + mode;
    skippedCells += counts[mode]!;
  }
  return { modeSlots, skipped: n * F > 0 ? skippedCells / (n * F) : 0 };
}

/** The sparse rows of `data` (`modes`: its `modeBins`, when already counted). */
export function buildSparseRows(data: Binned, modes: Pick<SparseRows, 'modeSlots' | 'skipped'> = modeBins(data)): SparseRows {
  const { nRows: n, nFeatures: F, slots, offsets } = data;
  const { modeSlots, skipped } = modes;
  const skippedCells = Math.round(skipped * n * F);
  const rowStart = new Uint32Array(n + 1);
  const cells = offsets[F]! <= 0xffff ? new Uint16Array(n * F - skippedCells) : new Uint32Array(n * F - skippedCells);
  let c = 0;
  for (let r = 0; r < n; r++) {
    rowStart[r] = c;
    const base = r * F;
    for (let f = 0; f < F; f++) {
      const s = slots[base + f]!;
      cells[c] = s;
      c += s === modeSlots[f]! ? 0 : 1;
    }
  }
  rowStart[n] = c;
  return { modeSlots, rowStart, cells, skipped };
}
