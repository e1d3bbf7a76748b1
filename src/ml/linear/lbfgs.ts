/**
 * Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking line search that
 * enforces the Armijo condition; pairs that violate the curvature condition are skipped, which
 * keeps the inverse-Hessian estimate positive definite. For the smooth convex objectives of
 * linear models this converges in tens to a few hundred iterations.
 */
export interface LbfgsOptions {
  maxIter?: number;
  /** Stop when the gradient's max-norm is below this (default 1e-6, for objectives that are means). */
  gradTol?: number;
  /** Stop when the relative decrease of the objective falls below this (default 2.2e-9, as SciPy's L-BFGS-B, which scikit-learn uses). */
  fTol?: number;
  memory?: number;
  /** Epoch milliseconds after which the solver returns what it has. */
  deadline?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  converged: boolean;
}

/** Minimises `fg`, which returns f(x) and writes the gradient into `g`. */
export function lbfgs(fg: (x: Float64Array, g: Float64Array) => number, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIter = options.maxIter ?? 1000;
  const gradTol = options.gradTol ?? 1e-6;
  const fTol = options.fTol ?? 2.2e-9;
  const m = options.memory ?? 10;
  const d = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(d);
  let f = fg(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  const dir = new Float64Array(d);
  const xNew = new Float64Array(d);
  const gNew = new Float64Array(d);
  let iter = 0;
  let converged = false;
  const maxAbs = (v: Float64Array): number => {
    let a = 0;
    for (let i = 0; i < v.length; i++) a = Math.max(a, Math.abs(v[i]!));
    return a;
  };
  for (; iter < maxIter; iter++) {
    if (maxAbs(g) < gradTol) {
      converged = true;
      break;
    }
    if (options.deadline !== undefined && Date.now() > options.deadline) break;
    // Two-loop recursion: dir = -H g.
    for (let i = 0; i < d; i++) dir[i] = -g[i]!;
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      const a = rho[j]! * dot(S[j]!, dir);
      alpha[j] = a;
      axpy(-a, Y[j]!, dir);
    }
    if (k > 0) {
      const gamma = dot(S[k - 1]!, Y[k - 1]!) / dot(Y[k - 1]!, Y[k - 1]!);
      for (let i = 0; i < d; i++) dir[i]! *= gamma;
    } else {
      // First step: a unit-length move along the negative gradient.
      const gn = Math.sqrt(dot(g, g));
      for (let i = 0; i < d; i++) dir[i]! /= Math.max(gn, 1);
    }
    for (let j = 0; j < k; j++) {
      const b = rho[j]! * dot(Y[j]!, dir);
      axpy(alpha[j]! - b, S[j]!, dir);
    }
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < d; i++) dir[i] = -g[i]!;
      slope = -dot(g, g);
    }
    let step = 1;
    let fNew = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < d; i++) xNew[i] = x[i]! + step * dir[i]!;
      fNew = fg(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) break; // no progress possible at machine precision
    const s = new Float64Array(d);
    const y = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const rel = (f - fNew) / Math.max(Math.abs(f), Math.abs(fNew), 1);
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (rel < fTol) {
      converged = true;
      iter++;
      break;
    }
  }
  return { x, f, iterations: iter, converged };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}
