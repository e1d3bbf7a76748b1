/**
 * Penalised empirical risk of a linear model and its gradient, on a compact design:
 * `f(W, b) = mean_i loss(z_i, y_i) + lambda / (2n) * ||W||^2` with `z_i = b + x_i W`; the
 * intercept is not penalised. Dividing scikit-learn's objectives by `C n` (logistic) or `2n`
 * (ridge) gives this form with `lambda = 1 / C` or `lambda = alpha`, so the optimum is theirs.
 *
 * The parameter vector is `[W (d x k, row-major), b (k)]`.
 */
import type { Design } from './design.js';

export type LinearLoss = 'binary' | 'multinomial' | 'squared';

/** z = b + X W for every row, into `z` (row-major `n x k`). */
export function linearScores(X: Design, params: Float64Array, k: number, z: Float64Array): void {
  const { n, pn, num, pc, cat, d } = X;
  const bOff = d * k;
  for (let r = 0; r < n; r++) {
    const zo = r * k;
    for (let c = 0; c < k; c++) z[zo + c] = params[bOff + c]!;
    const no = r * pn;
    for (let j = 0; j < pn; j++) {
      const v = num[no + j]!;
      if (v === 0) continue;
      const wo = j * k;
      for (let c = 0; c < k; c++) z[zo + c]! += v * params[wo + c]!;
    }
    const co = r * pc;
    for (let j = 0; j < pc; j++) {
      const col = cat[co + j]!;
      if (col < 0) continue;
      const wo = col * k;
      for (let c = 0; c < k; c++) z[zo + c]! += params[wo + c]!;
    }
  }
}

/**
 * Builds `fg(params, grad) -> f` for the L-BFGS solver. `y` holds class codes (binary: 0/1)
 * or target values.
 */
export function linearObjective(
  X: Design,
  y: Int32Array | Float64Array,
  loss: LinearLoss,
  k: number,
  lambda: number,
): (params: Float64Array, grad: Float64Array) => number {
  const { n, pn, num, pc, cat, d } = X;
  const z = new Float64Array(n * k);
  const dz = new Float64Array(k);
  const bOff = d * k;
  return (params, grad) => {
    linearScores(X, params, k, z);
    grad.fill(0);
    let total = 0;
    for (let r = 0; r < n; r++) {
      const zo = r * k;
      if (loss === 'binary') {
        const zi = z[zo]!;
        const yi = y[r]!;
        total += Math.max(zi, 0) + Math.log1p(Math.exp(-Math.abs(zi))) - yi * zi;
        dz[0] = 1 / (1 + Math.exp(-zi)) - yi;
      } else if (loss === 'squared') {
        const e = z[zo]! - y[r]!;
        total += 0.5 * e * e;
        dz[0] = e;
      } else {
        let m = -Infinity;
        for (let c = 0; c < k; c++) m = Math.max(m, z[zo + c]!);
        let s = 0;
        for (let c = 0; c < k; c++) {
          const e = Math.exp(z[zo + c]! - m);
          dz[c] = e;
          s += e;
        }
        const yi = y[r]!;
        total += m + Math.log(s) - z[zo + yi]!;
        for (let c = 0; c < k; c++) dz[c] = dz[c]! / s - (c === yi ? 1 : 0);
      }
      for (let c = 0; c < k; c++) grad[bOff + c]! += dz[c]!;
      const no = r * pn;
      for (let j = 0; j < pn; j++) {
        const v = num[no + j]!;
        if (v === 0) continue;
        const wo = j * k;
        for (let c = 0; c < k; c++) grad[wo + c]! += v * dz[c]!;
      }
      const co = r * pc;
      for (let j = 0; j < pc; j++) {
        const col = cat[co + j]!;
        if (col < 0) continue;
        const wo = col * k;
        for (let c = 0; c < k; c++) grad[wo + c]! += dz[c]!;
      }
    }
    let pen = 0;
    for (let i = 0; i < bOff; i++) {
      const w = params[i]!;
      pen += w * w;
      grad[i] = grad[i]! / n + (lambda / n) * w;
    }
    for (let c = 0; c < k; c++) grad[bOff + c] = grad[bOff + c]! / n;
    return total / n + (lambda / (2 * n)) * pen;
  };
}
