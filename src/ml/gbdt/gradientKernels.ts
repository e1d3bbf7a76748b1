/**
 * The three-class softmax gradients of `computeGradients` as WebAssembly over the engine's memory
 * (see `wasmHistEngine.ts`): the same operations in the same order as `softmaxGradients3` with
 * `expNonPositive`'s polynomial, so the same `f32` pairs bit for bit, at about half the CPU of the
 * JavaScript loop. `2^k` comes from the exponent bits (`k` is in [-1010, 0], where that is exact)
 * instead of a table. Pointers are byte offsets into the memory.
 */
import { EXP_TAYLOR, INV_LN2, LN2_HI, LN2_LO, MIN_X } from './expNonPositive.js';
import { localIndices, overRows } from './histKernels.js';
import { F64, I32, op, type WasmFunction, wasmModule } from './wasmBuilder.js';

export interface GradientKernels {
  /**
   * For `i` in `[from, to)`, row `r = sample[i]` (or `i` when `sampled` is 0): from the raw
   * scores `raw[c * n + r]` (`f64`, three columns) and the class `y[r]` (`i32`), writes
   * `f32` pairs `[p_c - [y = c], max(p_c (1 - p_c), 1e-16)]` at pair `c * n + r` of `gh`.
   */
  softmax3(raw: number, y: number, gh: number, n: number, sample: number, sampled: number, from: number, to: number): void;
}

const { get, set, tee, i32, f64, i64, add, shl, eq, fadd, fsub, fmul, fdiv, fmax, floor, demote, select, truncSat, i64ExtendU, i64Shl, reinterpret } = op;
const { loadI32, loadF64, storeF32 } = op;

/** `expNonPositive(x)` onto the stack; `x` is overwritten, `k` and `r` are scratch `f64` locals. */
const expInline = (x: number, k: number, r: number): number[] => [
  // x = max(x, MIN_X); k = floor(x * INV_LN2 + 0.5); r = x - k * LN2_HI - k * LN2_LO
  ...get(x),
  ...f64(MIN_X),
  ...fmax,
  ...tee(x),
  ...f64(INV_LN2),
  ...fmul,
  ...f64(0.5),
  ...fadd,
  ...floor,
  ...set(k),
  ...get(x),
  ...get(k),
  ...f64(LN2_HI),
  ...fmul,
  ...fsub,
  ...get(k),
  ...f64(LN2_LO),
  ...fmul,
  ...fsub,
  ...set(r),
  // Horner: p = c0; p = c_j + r * p (IEEE products and sums commute, so r * p = p * r bit for bit)
  ...f64(EXP_TAYLOR[0]!),
  ...EXP_TAYLOR.slice(1).flatMap((c) => [...get(r), ...fmul, ...f64(c), ...fadd]),
  // * 2^k from the exponent field: (k + 1023) << 52
  ...get(k),
  ...truncSat,
  ...i32(1023),
  ...add,
  ...i64ExtendU,
  ...i64(52),
  ...i64Shl,
  ...reinterpret,
  ...fmul,
];

function softmax3Fn(): WasmFunction {
  const L = localIndices(
    'raw',
    'y',
    'gh',
    'n',
    'sample',
    'sampled',
    'from',
    'to',
    // i32 locals
    'i',
    'r',
    'ra',
    'ga',
    'yr',
    'n8',
    // f64 locals
    'a',
    'b',
    'c',
    'mx',
    'ea',
    'eb',
    'ec',
    'inv',
    'k',
    'x',
    'p',
  );
  /** The pair of class `cls` at byte address `ga + off` (local `off` of 0, n8 or 2 n8). */
  const pair = (e: number, cls: number, at: number[]): number[] => [
    // p = e * inv
    ...get(e),
    ...get(L.inv),
    ...fmul,
    ...set(L.p),
    ...at,
    ...get(L.p),
    ...f64(1),
    ...f64(0),
    ...get(L.yr),
    ...i32(cls),
    ...eq,
    ...select,
    ...fsub,
    ...demote,
    ...storeF32(0),
    ...at,
    ...get(L.p),
    ...f64(1),
    ...get(L.p),
    ...fsub,
    ...fmul,
    ...f64(1e-16),
    ...fmax,
    ...demote,
    ...storeF32(4),
  ];
  const body = [
    // n8 = n * 8: the byte distance between two classes' scores, and between their pairs
    ...get(L.n),
    ...i32(3),
    ...shl,
    ...set(L.n8),
    ...overRows(L.i, L.from, L.to, 1, [
      // r = sampled ? sample[i] : i
      ...get(L.sample),
      ...get(L.i),
      ...i32(2),
      ...shl,
      ...add,
      ...loadI32(),
      ...get(L.i),
      ...get(L.sampled),
      ...select,
      ...set(L.r),
      // ra = raw + 8 r; a, b, c = the three scores
      ...get(L.raw),
      ...get(L.r),
      ...i32(3),
      ...shl,
      ...add,
      ...tee(L.ra),
      ...loadF64(),
      ...set(L.a),
      ...get(L.ra),
      ...get(L.n8),
      ...add,
      ...tee(L.ra),
      ...loadF64(),
      ...set(L.b),
      ...get(L.ra),
      ...get(L.n8),
      ...add,
      ...loadF64(),
      ...set(L.c),
      // mx = max(max(a, b), c) (Math.max(-Infinity, a) is a)
      ...get(L.a),
      ...get(L.b),
      ...fmax,
      ...get(L.c),
      ...fmax,
      ...set(L.mx),
      ...get(L.a),
      ...get(L.mx),
      ...fsub,
      ...set(L.x),
      ...expInline(L.x, L.k, L.p),
      ...set(L.ea),
      ...get(L.b),
      ...get(L.mx),
      ...fsub,
      ...set(L.x),
      ...expInline(L.x, L.k, L.p),
      ...set(L.eb),
      ...get(L.c),
      ...get(L.mx),
      ...fsub,
      ...set(L.x),
      ...expInline(L.x, L.k, L.p),
      ...set(L.ec),
      // inv = 1 / (ea + eb + ec)
      ...f64(1),
      ...get(L.ea),
      ...get(L.eb),
      ...fadd,
      ...get(L.ec),
      ...fadd,
      ...fdiv,
      ...set(L.inv),
      // yr = y[r]; ga = gh + 8 r
      ...get(L.y),
      ...get(L.r),
      ...i32(2),
      ...shl,
      ...add,
      ...loadI32(),
      ...set(L.yr),
      ...get(L.gh),
      ...get(L.r),
      ...i32(3),
      ...shl,
      ...add,
      ...set(L.ga),
      ...pair(L.ea, 0, get(L.ga)),
      ...pair(L.eb, 1, [...get(L.ga), ...get(L.n8), ...add]),
      ...pair(L.ec, 2, [...get(L.ga), ...get(L.n8), ...i32(1), ...shl, ...add]),
    ]),
  ];
  return { name: 'softmax3', params: Array(8).fill(I32), locals: [...Array(6).fill(I32), ...Array(11).fill(F64)], body };
}

let compiled: WebAssembly.Module | null = null;
const instances = new WeakMap<WebAssembly.Memory, GradientKernels>();

/** The kernel, instantiated on `memory` (once per memory: every iteration asks for it). */
export function gradientKernels(memory: WebAssembly.Memory): GradientKernels {
  let k = instances.get(memory);
  if (k === undefined) {
    compiled ??= new WebAssembly.Module(wasmModule([softmax3Fn()], true));
    k = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as GradientKernels;
    instances.set(memory, k);
  }
  return k;
}
