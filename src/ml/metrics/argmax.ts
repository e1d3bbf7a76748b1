/**
 * The most probable class of each row of a row-major `n x k` probability matrix; ties go to
 * the lowest class code, as numpy's argmax does.
 */
export function argmaxRows(proba: Float64Array, k: number): Int32Array {
  const n = Math.floor(proba.length / k);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let best = 0;
    let bv = proba[o]!;
    for (let j = 1; j < k; j++) {
      const v = proba[o + j]!;
      if (v > bv) {
        bv = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}
