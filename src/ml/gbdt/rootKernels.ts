/**
 * The root histograms of all `K` raw-score columns of an iteration in one pass over the rows
 * (multiclass gradient boosting without row or feature subsampling: every tree of the iteration
 * starts from every row). `densePaired` of `histKernels.ts` reads each row's slots once per
 * class; this kernel reads them once and adds the row's `K` gradient pairs, and leaves the
 * counts alone (every root holds every row: the engine writes the counts it counted once, see
 * `histParts.ts`). The same additions in the same order per slot as `densePaired`, so the
 * gradient and hessian sums are the same bit for bit.
 */
import { localIndices, overRows } from './histKernels.js';
import { F64, I32, op, type WasmFunction, wasmModule } from './wasmBuilder.js';

export interface RootKernels {
  /**
   * For `i` in `[start, end)` (an even count; the rows themselves, no row list): even rows'
   * gradient pairs into the histograms whose `K` byte addresses are the `u32`s at `hs`, odd
   * rows' into those at `ss`; class `k`'s pairs are at `gh + k * ghStride`. Gradient and
   * hessian sums only, not the counts.
   */
  pairedRoots(hs: number, ss: number, F: number, slots: number, start: number, end: number, gh: number, ghStride: number): void;
}

const { get, set, tee, i32, add, mul, shl, geU, fadd, promote, loadI32, loadU16, loadF32, loadF64, storeF64, block, loop, brIf, br } = op;

/** `f64[base + slot] += v; f64[base + slot + 8] += w` (local `a` as scratch). */
const addPair = (base: number, slot: number, v: number, w: number, a: number): number[] => [
  ...get(base),
  ...get(slot),
  ...add,
  ...tee(a),
  ...get(a),
  ...loadF64(0),
  ...get(v),
  ...fadd,
  ...storeF64(0),
  ...get(a),
  ...get(a),
  ...loadF64(8),
  ...get(w),
  ...fadd,
  ...storeF64(8),
];

function pairedRootsFn(K: number): WasmFunction {
  const names = ['hs', 'ss', 'F', 'slots', 'start', 'end', 'gh', 'ghStride', 'i', 'p0', 'p1', 'pe', 'a', 's0', 's1'] as const;
  const L = localIndices(...names);
  const nI = names.length;
  // Per class: its histogram and spare addresses and its gradient column (i32), then g0 h0 g1 h1 (f64).
  const hk = (k: number): number => nI + k;
  const sk = (k: number): number => nI + K + k;
  const gk = (k: number): number => nI + 2 * K + k;
  const fk = (k: number, j: number): number => nI + 3 * K + 4 * k + j;
  const setup: number[] = [];
  for (let k = 0; k < K; k++) {
    setup.push(...get(L.hs), ...loadI32(4 * k), ...set(hk(k)));
    setup.push(...get(L.ss), ...loadI32(4 * k), ...set(sk(k)));
    setup.push(...get(L.gh), ...get(L.ghStride), ...i32(k), ...mul, ...add, ...set(gk(k)));
  }
  const loadPairs: number[] = [];
  for (let k = 0; k < K; k++) {
    // a = gh_k + i * 8: rows i and i + 1 are adjacent pairs.
    loadPairs.push(...get(gk(k)), ...get(L.i), ...i32(3), ...shl, ...add, ...set(L.a));
    for (const [j, off] of [0, 4, 8, 12].entries()) loadPairs.push(...get(L.a), ...loadF32(off), ...promote, ...set(fk(k, j)));
  }
  const cell: number[] = [
    // s0 = u16[p0] * 24; s1 = u16[p1] * 24
    ...get(L.p0),
    ...loadU16(),
    ...i32(24),
    ...mul,
    ...set(L.s0),
    ...get(L.p1),
    ...loadU16(),
    ...i32(24),
    ...mul,
    ...set(L.s1),
  ];
  for (let k = 0; k < K; k++) {
    cell.push(...addPair(hk(k), L.s0, fk(k, 0), fk(k, 1), L.a));
    cell.push(...addPair(sk(k), L.s1, fk(k, 2), fk(k, 3), L.a));
  }
  const body = [
    ...setup,
    ...overRows(L.i, L.start, L.end, 2, [
      ...loadPairs,
      // p0 = slots + i * F * 2; p1 = pe = p0 + F * 2 (row i + 1's slots follow row i's)
      ...get(L.slots),
      ...get(L.i),
      ...get(L.F),
      ...mul,
      ...i32(1),
      ...shl,
      ...add,
      ...tee(L.p0),
      ...get(L.F),
      ...i32(1),
      ...shl,
      ...add,
      ...tee(L.p1),
      ...set(L.pe),
      ...block(loop(get(L.p0), get(L.pe), geU, brIf(1), cell, get(L.p0), i32(2), add, set(L.p0), get(L.p1), i32(2), add, set(L.p1), br(0))),
    ]),
  ];
  const locals = [...Array(nI - 8).fill(I32), ...Array(3 * K).fill(I32), ...Array(4 * K).fill(F64)];
  return { name: 'pairedRoots', params: Array(8).fill(I32), locals, body };
}

/** Classes up to which the kernel is generated (its locals grow with K). */
export const MAX_ROOT_CLASSES = 8;

const compiled = new Map<number, WebAssembly.Module>();

/** The kernel for `K` classes (2 to {@link MAX_ROOT_CLASSES}), instantiated on `memory`. */
export function rootKernels(memory: WebAssembly.Memory, K: number): RootKernels {
  let mod = compiled.get(K);
  if (!mod) {
    mod = new WebAssembly.Module(wasmModule([pairedRootsFn(K)], true));
    compiled.set(K, mod);
  }
  return new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as RootKernels;
}
