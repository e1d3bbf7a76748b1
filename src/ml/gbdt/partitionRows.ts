/**
 * Splits `rows[start..end)` in place, stably: rows `r` with `goLeft[col[r]]` 1 first, the others
 * after them (through `scratch`); returns where the others start. Branch-free: every row is
 * written to both sides and the side's cursor advances by the table's entry, so an
 * unpredictable split costs no branch mispredictions (the loop was a sixth of training time with
 * them). `rowKernels.ts` has the same loop in WebAssembly.
 */
export function partitionRows(rows: Uint32Array, start: number, end: number, col: Uint8Array, goLeft: Uint8Array, scratch: Uint32Array): number {
  let l = start;
  let t = 0;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    const g = goLeft[col[r]!]!;
    rows[l] = r;
    scratch[t] = r;
    l += g;
    t += g ^ 1;
  }
  rows.set(scratch.subarray(0, t), l);
  return l;
}
