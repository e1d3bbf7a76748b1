import type { Frame } from '../frame.js';
import { Rng, sampleWithoutReplacement } from '../random.js';

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
  /** Rows used to place the numeric bin edges (a seeded subsample; 200,000 as scikit-learn). */
  sampleRows?: number;
  seed?: number;
}

/**
 * Places bin edges for every feature of a frame. Numeric features with at most `maxBins`
 * distinct values get one bin per value (edges halfway between neighbours); others get edges
 * at quantiles of a subsample. Categorical levels get a bin each, most frequent first; levels
 * beyond `maxBins - 1` share one "other" bin; levels absent from the data map to missing.
 */
export function fitBinMapper(frame: Frame, options: BinMapperOptions = {}): BinMapper {
  const maxBins = Math.max(2, Math.min(255, options.maxBins ?? 255));
  const n = frame.nRows;
  const sampleRows = options.sampleRows ?? 200_000;
  const sample = n > sampleRows ? sampleWithoutReplacement(new Rng(options.seed ?? 0), n, sampleRows) : null;
  const features = frame.features.map((f): FeatureBins => {
    if (f.kind === 'numeric') {
      const m = sample ? sample.length : n;
      const vals = new Float64Array(m);
      let k = 0;
      for (let i = 0; i < m; i++) {
        const v = f.values[sample ? sample[i]! : i]!;
        if (!Number.isNaN(v)) vals[k++] = v;
      }
      return { kind: 'numeric', ...numericEdges(vals.subarray(0, k).sort(), maxBins) };
    }
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

function numericEdges(sorted: Float64Array, maxBins: number): { edges: Float64Array; nBins: number } {
  const m = sorted.length;
  if (m === 0) return { edges: new Float64Array(0), nBins: 0 };
  const distinct: number[] = [];
  for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  if (distinct.length <= maxBins) {
    const edges = new Float64Array(distinct.length - 1);
    for (let i = 0; i + 1 < distinct.length; i++) edges[i] = (distinct[i]! + distinct[i + 1]!) / 2;
    return { edges, nBins: distinct.length };
  }
  const edges: number[] = [];
  for (let b = 1; b < maxBins; b++) {
    // Upper edge of quantile bin b-1; a value repeated across several quantiles keeps one edge.
    const v = sorted[Math.min(m - 1, Math.floor((b * m) / maxBins))]!;
    if (v !== sorted[m - 1] && (edges.length === 0 || v > edges[edges.length - 1]!)) edges.push(v);
  }
  return { edges: Float64Array.from(edges), nBins: edges.length + 1 };
}
