/** Synthetic data with known structure, for learner tests. */
import type { Frame, Target } from '../../src/ml/frame.js';
import { Rng } from '../../src/ml/random.js';

/** `count` numeric columns of `n` rows. */
const numericColumns = (n: number, count: number): Float64Array[] => Array.from({ length: count }, () => new Float64Array(n));

/** A frame of the numeric columns then the categorical ones (codes with their levels), in the order given. */
function frameOf(n: number, numeric: Record<string, Float64Array>, categorical: Record<string, [Int32Array, string[]]>): Frame {
  return {
    nRows: n,
    features: [
      ...Object.entries(numeric).map(([name, values]) => ({ name, kind: 'numeric' as const, values })),
      ...Object.entries(categorical).map(([name, [codes, levels]]) => ({ name, kind: 'categorical' as const, codes, levels })),
    ],
  };
}

/**
 * Three numeric features and one categorical. The class is decided by `x0 > 0` combined with
 * whether the color is red or blue (an interaction no single feature explains), flipped with
 * probability `noise`; `x1` is pure noise; `x2` is missing in a fifth of the rows, and missing
 * means class 1 regardless (so routing missing values matters).
 */
export function xorData(n: number, seed: number, noise = 0.05): { frame: Frame; target: Target } {
  const rng = new Rng(seed);
  const [x0, x1, x2] = numericColumns(n, 3) as [Float64Array, Float64Array, Float64Array];
  const color = new Int32Array(n);
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x0[i] = rng.normal();
    x1[i] = rng.normal();
    color[i] = rng.int(4);
    const missing = rng.float() < 0.2;
    x2[i] = missing ? NaN : rng.normal();
    let c = x0[i]! > 0 !== color[i]! < 2 ? 1 : 0;
    if (missing) c = 1;
    if (rng.float() < noise) c = 1 - c;
    codes[i] = c;
  }
  return {
    frame: frameOf(n, { x0, x1, x2 }, { color: [color, ['red', 'blue', 'green', 'white']] }),
    target: { kind: 'classification', codes, labels: ['no', 'yes'] },
  };
}

/** Three well-separated classes along x0 and x1 (Gaussian blobs), plus a noise category. */
export function blobs(n: number, seed: number): { frame: Frame; target: Target } {
  const rng = new Rng(seed);
  const centers = [
    [0, 0],
    [3, 0],
    [0, 3],
  ];
  const [x0, x1] = numericColumns(n, 2) as [Float64Array, Float64Array];
  const g = new Int32Array(n);
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(3);
    codes[i] = c;
    x0[i] = centers[c]![0]! + rng.normal();
    x1[i] = centers[c]![1]! + rng.normal();
    g[i] = rng.int(3);
  }
  return {
    frame: frameOf(n, { x0, x1 }, { g: [g, ['p', 'q', 'r']] }),
    target: { kind: 'classification', codes, labels: ['a', 'b', 'c'] },
  };
}

/** y = 3 sin(x0) + 2 * [group effect] + 0.5 x1 + noise; x2 is irrelevant. */
export function regressionData(n: number, seed: number, noiseSd = 0.3): { frame: Frame; target: Target } {
  const rng = new Rng(seed);
  const [x0, x1, x2, y] = numericColumns(n, 4) as [Float64Array, Float64Array, Float64Array, Float64Array];
  const grp = new Int32Array(n);
  const effect = [-2, 0, 2];
  for (let i = 0; i < n; i++) {
    x0[i] = rng.uniform(-3, 3);
    x1[i] = rng.normal();
    x2[i] = rng.normal();
    grp[i] = rng.int(3);
    y[i] = 3 * Math.sin(x0[i]!) + effect[grp[i]!]! + 0.5 * x1[i]! + noiseSd * rng.normal();
  }
  return {
    frame: frameOf(n, { x0, x1, x2 }, { grp: [grp, ['lo', 'mid', 'hi']] }),
    target: { kind: 'regression', values: y },
  };
}
