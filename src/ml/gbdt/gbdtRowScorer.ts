import { levelCode, toNumber } from '../featureValue.js';
import type { RowScorer, RowsScorer } from '../model.js';
import type { BinMapper } from './binMapper.js';
import { binLayout, categoricalBin, numericBin } from './binned.js';
import { type LossName, rawToOutput } from './loss.js';
import { packedRawScores, packTrees } from './packedTrees.js';
import type { Tree } from './tree.js';
import type { FeatureSchema } from '../frame.js';

/** What the row scorer reads of a GBDT model (a type of its own: the model imports this file). */
export interface GbdtParts {
  readonly schema: readonly FeatureSchema[];
  readonly loss: LossName;
  readonly columns: number;
  readonly init: Float64Array;
  readonly mapper: BinMapper;
  readonly trees: readonly Tree[];
}

type Rows = readonly Readonly<Record<string, unknown>>[];

/**
 * Scores rows of a gradient-boosted model without a frame: each feature's value is binned
 * exactly as `rowsToFrame` then `binFrame` would (the same value reading, the same binary
 * search, the same level table), the trees (packed, src/ml/gbdt/packedTrees.ts) are walked in
 * model order, each row's raw scores summed in that order, and they go through the same link
 * function. The result is bit for bit `model.output` of a frame of those rows, in a fraction
 * of its time (no frame, no binned copy). `one` scores a single row into reused buffers; `many`
 * scores a batch tree by tree over all its rows (a tree's nodes stay in cache while it is used).
 */
export function gbdtScorers(model: GbdtParts): { one: RowScorer; many: RowsScorer } {
  const { schema, mapper, trees, init, loss } = model;
  const K = model.columns;
  const F = schema.length;
  const names = schema.map((s) => s.name);
  const { nBins } = binLayout(mapper);
  const index = schema.map((s) => (s.kind === 'categorical' ? new Map(s.levels.map((l, i) => [l, i] as const)) : undefined));
  const packed = packTrees(trees, nBins);
  const channel = Int32Array.from(trees, (_, i) => i % K);
  // Per feature, in plain arrays (one shape each, so the loops below stay monomorphic).
  const numeric = Uint8Array.from(mapper.features, (fb) => (fb.kind === 'numeric' ? 1 : 0));
  const edges = mapper.features.map((fb) => (fb.kind === 'numeric' ? fb.edges : new Float64Array(0)));
  const levelBins = mapper.features.map((fb) => (fb.kind === 'categorical' ? fb.levelBins : new Int32Array(0)));
  const noIndex: ReadonlyMap<string, number> = new Map();
  const levels = index.map((m) => m ?? noIndex);

  /** Bins of `rows` column-major into `bins` (`bins[f * n + r]`). */
  const binRows = (rows: Rows, bins: Uint8Array): void => {
    const n = rows.length;
    for (let f = 0; f < F; f++) {
      // One key per pass: the property load stays monomorphic over rows of one shape.
      const name = names[f]!;
      const miss = nBins[f]!;
      const base = f * n;
      if (numeric[f] === 1) {
        const e = edges[f]!;
        const m = e.length;
        for (let r = 0; r < n; r++) bins[base + r] = numericBin(e, m, toNumber(rows[r]![name]), miss);
      } else {
        const lb = levelBins[f]!;
        const lv = levels[f]!;
        for (let r = 0; r < n; r++) bins[base + r] = categoricalBin(lb, levelCode(lv, rows[r]![name]), miss);
      }
    }
  };
  /** Raw scores of the n binned rows (`n x K`, row-major): init, then every tree in model order. */
  const leaves = new Int32Array(4);
  const rawOf = (bins: Uint8Array, n: number, raw: Float64Array): void => packedRawScores(packed, channel, init, bins, n, raw, leaves);

  const bins1 = new Uint8Array(F);
  const raw1 = new Float64Array(K);
  const row1: Array<Readonly<Record<string, unknown>>> = [{}];
  const one: RowScorer = (row, out, offset) => {
    row1[0] = row;
    binRows(row1, bins1);
    rawOf(bins1, 1, raw1);
    const o = rawToOutput(loss, raw1, 1, K);
    for (let c = 0; c < o.length; c++) out[offset + c] = o[c]!;
  };
  const many: RowsScorer = (rows, at, out) => {
    const n = rows.length;
    if (n === 0) return;
    const bins = new Uint8Array(F * n);
    binRows(rows, bins);
    const raw = new Float64Array(n * K);
    rawOf(bins, n, raw);
    const o = rawToOutput(loss, raw, n, K);
    const w = o.length / n;
    for (let j = 0; j < n; j++) {
      const src = j * w;
      const dst = at[j]! * w;
      for (let c = 0; c < w; c++) out[dst + c] = o[src + c]!;
    }
  };
  return { one, many };
}

/** The single-row scorer of {@link gbdtScorers}. */
export function gbdtRowScorer(model: GbdtParts): RowScorer {
  return gbdtScorers(model).one;
}
