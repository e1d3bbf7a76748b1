/**
 * The losses gradient boosting minimises, as gradient and hessian per row of the raw scores
 * (`raw[r * k + c]`, one column per tree of an iteration).
 *
 * - binary: log loss on one logit; start from the log odds of the positive class.
 * - multiclass: softmax cross-entropy with one tree per class per iteration, hessian
 *   `p (1 - p)` as scikit-learn and LightGBM; start from the log class priors.
 * - squared error: start from the mean, gradient `raw - y`, hessian 1.
 */
import { expNonPositive } from './expNonPositive.js';

export type LossName = 'binary' | 'multiclass' | 'squared_error';

/** The initial raw score of each output column. */
export function initialRaw(loss: LossName, y: Int32Array | Float64Array, k: number): Float64Array {
  const n = y.length;
  if (loss === 'squared_error') {
    let s = 0;
    for (let i = 0; i < n; i++) s += y[i]!;
    return Float64Array.of(n ? s / n : 0);
  }
  const counts = new Float64Array(Math.max(2, k));
  for (let i = 0; i < n; i++) counts[y[i]!]!++;
  const eps = 1e-12;
  if (loss === 'binary') {
    const p = Math.min(1 - eps, Math.max(eps, counts[1]! / n));
    return Float64Array.of(Math.log(p / (1 - p)));
  }
  return Float64Array.from(counts, (c) => Math.log(Math.max(eps, c / n)));
}

/**
 * From column-major raw scores (`raw[c * n + r]`), writes gradients and hessians for raw
 * column `c`, interleaved: `gh[c * 2n + 2r]` and `gh[c * 2n + 2r + 1]` (the layout the
 * histogram loop reads). With `rows`, only those rows are written (the iteration's sample:
 * the others' gradients would never be read). `from` and `to` limit the work to positions
 * `[from, to)` of `rows` (or of 0..n-1), so threads can share it: each row's values do not
 * depend on the others.
 */
export function computeGradients(
  loss: LossName,
  raw: Float64Array,
  y: Int32Array | Float64Array,
  k: number,
  gh: Float32Array | Float64Array,
  rows: Uint32Array | null = null,
  from = 0,
  to = rows ? rows.length : y.length,
): void {
  const n = y.length;
  const m = to;
  if (loss === 'squared_error') {
    for (let i = from; i < m; i++) {
      const r = rows ? rows[i]! : i;
      gh[2 * r] = raw[r]! - y[r]!;
      gh[2 * r + 1] = 1;
    }
    return;
  }
  if (loss === 'binary') {
    for (let i = from; i < m; i++) {
      const r = rows ? rows[i]! : i;
      const p = 1 / (1 + Math.exp(-raw[r]!));
      gh[2 * r] = p - y[r]!;
      gh[2 * r + 1] = Math.max(p * (1 - p), 1e-16);
    }
    return;
  }
  if (k === 3) {
    softmaxGradients3(raw, y, gh, rows, from, m);
    return;
  }
  const e = new Float64Array(k);
  const n2 = 2 * n;
  for (let i = from; i < m; i++) {
    const r = rows ? rows[i]! : i;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) mx = Math.max(mx, raw[c * n + r]!);
    let z = 0;
    for (let c = 0; c < k; c++) {
      const v = expNonPositive(raw[c * n + r]! - mx);
      e[c] = v;
      z += v;
    }
    const yr = y[r]!;
    const inv = 1 / z;
    for (let c = 0; c < k; c++) {
      const p = e[c]! * inv;
      const q = c * n2 + 2 * r;
      gh[q] = p - (yr === c ? 1 : 0);
      gh[q + 1] = Math.max(p * (1 - p), 1e-16);
    }
  }
}

/**
 * `computeGradients` for three classes, the common case, without the per-class loops (about
 * twice as fast): the same operations in the same order as the general loop, so the same bits.
 */
function softmaxGradients3(
  raw: Float64Array,
  y: Int32Array | Float64Array,
  gh: Float32Array | Float64Array,
  rows: Uint32Array | null,
  from: number,
  to: number,
): void {
  const n = y.length;
  const n2 = 2 * n;
  for (let i = from; i < to; i++) {
    const r = rows ? rows[i]! : i;
    const a = raw[r]!;
    const b = raw[n + r]!;
    const c = raw[2 * n + r]!;
    const mx = Math.max(Math.max(Math.max(-Infinity, a), b), c);
    const ea = expNonPositive(a - mx);
    const eb = expNonPositive(b - mx);
    const ec = expNonPositive(c - mx);
    const inv = 1 / (ea + eb + ec);
    const yr = y[r]!;
    const pa = ea * inv;
    const pb = eb * inv;
    const pc = ec * inv;
    const q = 2 * r;
    gh[q] = pa - (yr === 0 ? 1 : 0);
    gh[q + 1] = Math.max(pa * (1 - pa), 1e-16);
    gh[n2 + q] = pb - (yr === 1 ? 1 : 0);
    gh[n2 + q + 1] = Math.max(pb * (1 - pb), 1e-16);
    gh[2 * n2 + q] = pc - (yr === 2 ? 1 : 0);
    gh[2 * n2 + q + 1] = Math.max(pc * (1 - pc), 1e-16);
  }
}

/** Turns raw scores into outputs in place: probabilities (`n x k`, binary widened to 2 columns) or values. */
export function rawToOutput(loss: LossName, raw: Float64Array, n: number, k: number): Float64Array {
  if (loss === 'squared_error') return raw;
  if (loss === 'binary') {
    const out = new Float64Array(2 * n);
    for (let r = 0; r < n; r++) {
      const p = 1 / (1 + Math.exp(-raw[r]!));
      out[2 * r] = 1 - p;
      out[2 * r + 1] = p;
    }
    return out;
  }
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let m = -Infinity;
    for (let c = 0; c < k; c++) m = Math.max(m, raw[o + c]!);
    let z = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(raw[o + c]! - m);
      raw[o + c] = e;
      z += e;
    }
    for (let c = 0; c < k; c++) raw[o + c]! /= z;
  }
  return raw;
}

/** Mean loss of raw scores (log loss, or mean squared error), for early stopping. */
export function meanLoss(loss: LossName, raw: Float64Array, y: Int32Array | Float64Array, k: number): number {
  const n = y.length;
  let s = 0;
  if (loss === 'squared_error') {
    for (let r = 0; r < n; r++) s += (raw[r]! - y[r]!) ** 2;
    return s / n;
  }
  if (loss === 'binary') {
    for (let r = 0; r < n; r++) {
      const z = raw[r]!;
      // log(1 + e^z) - y z, computed without overflow
      s += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[r]! * z;
    }
    return s / n;
  }
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let m = -Infinity;
    for (let c = 0; c < k; c++) m = Math.max(m, raw[o + c]!);
    let z = 0;
    for (let c = 0; c < k; c++) z += Math.exp(raw[o + c]! - m);
    s += m + Math.log(z) - raw[o + y[r]!]!;
  }
  return s / n;
}
