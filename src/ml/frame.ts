/**
 * The data contract of `src/ml`: column-oriented typed arrays, built by other modules (usually
 * from a DuckDB table) and consumed by every learner, metric and split here.
 *
 * Missing values are encoded in-band so a frame is nothing but typed arrays and can be moved
 * to a worker thread (or shared through a SharedArrayBuffer) without conversion: `NaN` in a
 * numeric feature, `-1` in a categorical one.
 */
import { SluiceError } from '../core/errors.js';

export type Feature =
  | { name: string; kind: 'numeric'; values: Float64Array } // NaN = missing
  | { name: string; kind: 'categorical'; codes: Int32Array; levels: string[] }; // -1 = missing

export interface Frame {
  nRows: number;
  features: Feature[];
}

export type Target = { kind: 'classification'; codes: Int32Array; labels: string[] } | { kind: 'regression'; values: Float64Array };

/** What a trained model remembers about each input column, in training order. */
export type FeatureSchema = { name: string; kind: 'numeric' } | { name: string; kind: 'categorical'; levels: string[] };

/** The schema of a frame (names, kinds, categorical levels). */
export function frameSchema(frame: Frame): FeatureSchema[] {
  return frame.features.map((f) => (f.kind === 'numeric' ? { name: f.name, kind: 'numeric' } : { name: f.name, kind: 'categorical', levels: [...f.levels] }));
}

/** Number of rows of a target. */
export function targetLength(target: Target): number {
  return target.kind === 'classification' ? target.codes.length : target.values.length;
}

/**
 * Checks that a frame and a target agree in length and that every array has `nRows` entries,
 * so learners can index without bounds checks.
 */
export function checkFrame(frame: Frame, target?: Target): void {
  for (const f of frame.features) {
    const len = f.kind === 'numeric' ? f.values.length : f.codes.length;
    if (len !== frame.nRows) {
      throw new SluiceError('ML_FRAME_LENGTH', `feature "${f.name}" has ${len} values, the frame has ${frame.nRows} rows`, {
        location: { field: f.name },
        hint: 'every feature array must have exactly nRows entries',
      });
    }
  }
  if (target && targetLength(target) !== frame.nRows) {
    throw new SluiceError('ML_TARGET_LENGTH', `the target has ${targetLength(target)} values, the frame has ${frame.nRows} rows`, {
      hint: 'build the target from the same rows as the frame',
    });
  }
}

/** A new frame holding the given rows, in the given order (categorical levels are kept). */
export function takeRows(frame: Frame, rows: ArrayLike<number>): Frame {
  const n = rows.length;
  const features: Feature[] = frame.features.map((f) => {
    if (f.kind === 'numeric') {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = f.values[rows[i]!]!;
      return { name: f.name, kind: 'numeric', values: v };
    }
    const c = new Int32Array(n);
    for (let i = 0; i < n; i++) c[i] = f.codes[rows[i]!]!;
    return { name: f.name, kind: 'categorical', codes: c, levels: f.levels };
  });
  return { nRows: n, features };
}

/** The target values of the given rows. */
export function takeTarget(target: Target, rows: ArrayLike<number>): Target {
  const n = rows.length;
  if (target.kind === 'classification') {
    const c = new Int32Array(n);
    for (let i = 0; i < n; i++) c[i] = target.codes[rows[i]!]!;
    return { kind: 'classification', codes: c, labels: target.labels };
  }
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = target.values[rows[i]!]!;
  return { kind: 'regression', values: v };
}

/** Per-class row counts of a classification target. */
export function classCounts(codes: Int32Array, nClasses: number): Float64Array {
  const counts = new Float64Array(nClasses);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c >= 0 && c < nClasses) counts[c]!++;
  }
  return counts;
}
