import type { Frame } from '../frame.js';
import { columnEdges } from './numericEdges.js';

/**
 * How one feature's values become small integer bins.
 * Numeric: `bin(x)` is the first `i` with `x <= edges[i]`, else `edges.length`; so `nBins =
 * edges.length + 1` and "bin <= t" is the same test as "x <= edges[t]".
 * Categorical: `levelBins[code]` is the bin of a training level; unseen levels (and the rare
 * levels past `maxBins - 1`, which share the last bin) are handled as described below.
 * Missing values always go to bin `nBins`, the feature's last histogram slot.
 */
export type FeatureBins = { kind: 'numeric'; edges: Float64Array; nBins: number } | { kind: 'categorical'; levelBins: Int32Array; nBins: number };

export interface BinMapper {
  features: FeatureBins[];
}

export interface BinMapperOptions {
  /** Non-missing bins per feature, at most 255 (one more slot holds missing values). */
  maxBins?: number;
}

/**
 * Places bin edges for every feature of a frame. Numeric features with at most `maxBins`
 * distinct values get one bin per value (edges halfway between neighbours); others get edges
 * at quantiles of every row's value (see `numericEdges.ts`: exact, without a sort of the
 * column; scikit-learn places them from a seeded subsample of 200,000 rows, and so did Sluice
 * before, so the model depended on which rows the seed drew). Categorical levels get a bin
 * each, most frequent first; levels beyond `maxBins - 1` share one "other" bin; levels absent
 * from the data map to missing.
 */
export function fitBinMapper(frame: Frame, options: BinMapperOptions = {}): BinMapper {
  const maxBins = Math.max(2, Math.min(255, options.maxBins ?? 255));
  const n = frame.nRows;
  const features = frame.features.map((f): FeatureBins => {
    if (f.kind === 'numeric') return { kind: 'numeric', ...columnEdges(f.values, maxBins) };
    const counts = new Float64Array(f.levels.length);
    for (let i = 0; i < n; i++) {
      const c = f.codes[i]!;
      if (c >= 0) counts[c]!++;
    }
    const seen = Array.from(counts.keys())
      .filter((c) => counts[c]! > 0)
      .sort((a, b) => counts[b]! - counts[a]! || a - b);
    const own = seen.length <= maxBins ? seen.length : maxBins - 1;
    const nBins = Math.min(seen.length, maxBins);
    const levelBins = new Int32Array(f.levels.length).fill(nBins);
    seen.forEach((c, i) => {
      levelBins[c] = i < own ? i : maxBins - 1;
    });
    return { kind: 'categorical', levelBins, nBins };
  });
  return { features };
}
