/**
 * The input of linear models: standardised numeric columns and one-hot categorical columns,
 * kept compact. Numeric values are stored dense (`n x pn`, row-major); each categorical feature
 * stores, per row, the index of its one active column (or -1), so a one-hot block costs one
 * integer per row instead of one number per level.
 *
 * Fitted on training data: means and standard deviations (missing numeric values become the
 * mean, i.e. 0 after standardising, plus an indicator column when training had any), and the
 * levels that get a column (the `maxLevels` most frequent; rarer ones share an "other" column;
 * missing and unseen levels activate nothing, as scikit-learn's `handle_unknown="ignore"`).
 */
import type { Frame } from '../frame.js';

export interface DesignSpec {
  numeric: { feature: number; mean: number; scale: number; missingColumn: number }[];
  categorical: { feature: number; levelColumn: number[] }[];
  /** Dense numeric columns (standardised values and missing indicators). */
  pn: number;
  /** Total columns, numeric first then one-hot. */
  d: number;
}

export interface Design {
  n: number;
  pn: number;
  /** Row-major `n x pn`. */
  num: Float64Array;
  pc: number;
  /** Row-major `n x pc`: the active one-hot column of each categorical feature, or -1. */
  cat: Int32Array;
  d: number;
}

/** Fits the standardisation and one-hot columns of a frame. */
export function fitDesign(frame: Frame, maxLevels = 100): DesignSpec {
  const n = frame.nRows;
  const numeric: DesignSpec['numeric'] = [];
  const categorical: DesignSpec['categorical'] = [];
  let pn = 0;
  frame.features.forEach((f, i) => {
    if (f.kind !== 'numeric') return;
    let s = 0;
    let m = 0;
    for (let r = 0; r < n; r++) {
      const v = f.values[r]!;
      if (v === v) {
        s += v;
        m++;
      }
    }
    const mean = m ? s / m : 0;
    let ss = 0;
    for (let r = 0; r < n; r++) {
      const v = f.values[r]!;
      if (v === v) ss += (v - mean) ** 2;
    }
    const sd = m ? Math.sqrt(ss / m) : 0;
    numeric.push({ feature: i, mean, scale: sd > 0 ? sd : 1, missingColumn: -1 });
    pn++;
  });
  for (const spec of numeric) {
    const f = frame.features[spec.feature]!;
    if (f.kind !== 'numeric') continue;
    let missing = false;
    for (let r = 0; r < n && !missing; r++) missing = f.values[r]! !== f.values[r]!;
    if (missing) spec.missingColumn = pn++;
  }
  let d = pn;
  frame.features.forEach((f, i) => {
    if (f.kind !== 'categorical') return;
    const counts = new Float64Array(f.levels.length);
    for (let r = 0; r < n; r++) {
      const c = f.codes[r]!;
      if (c >= 0) counts[c]!++;
    }
    const seen = Array.from(counts.keys())
      .filter((c) => counts[c]! > 0)
      .sort((a, b) => counts[b]! - counts[a]! || a - b);
    const levelColumn = new Array<number>(f.levels.length).fill(-1);
    const own = seen.length <= maxLevels ? seen.length : maxLevels - 1;
    seen.forEach((c, j) => {
      levelColumn[c] = d + Math.min(j, own);
    });
    d += Math.min(seen.length, maxLevels);
    categorical.push({ feature: i, levelColumn });
  });
  return { numeric, categorical, pn, d };
}

/** Applies a fitted design to a frame aligned with the training schema. */
export function buildDesign(spec: DesignSpec, frame: Frame): Design {
  const n = frame.nRows;
  const pn = spec.pn;
  const num = new Float64Array(n * pn);
  spec.numeric.forEach((s, j) => {
    const f = frame.features[s.feature]!;
    if (f.kind !== 'numeric') throw new Error('buildDesign: align the frame first');
    for (let r = 0; r < n; r++) {
      const v = f.values[r]!;
      const missing = v !== v;
      num[r * pn + j] = missing ? 0 : (v - s.mean) / s.scale;
      if (s.missingColumn >= 0) num[r * pn + s.missingColumn] = missing ? 1 : 0;
    }
  });
  const pc = spec.categorical.length;
  const cat = new Int32Array(n * pc);
  spec.categorical.forEach((s, j) => {
    const f = frame.features[s.feature]!;
    if (f.kind !== 'categorical') throw new Error('buildDesign: align the frame first');
    const lc = s.levelColumn;
    for (let r = 0; r < n; r++) {
      const c = f.codes[r]!;
      cat[r * pc + j] = c >= 0 && c < lc.length ? lc[c]! : -1;
    }
  });
  return { n, pn, num, pc, cat, d: spec.d };
}
