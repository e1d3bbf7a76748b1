/**
 * The per-row loops of gradient boosting besides the histograms, as WebAssembly over the
 * engine's memory (see `wasmHistEngine.ts`): splitting a node's rows by a split, and adding a
 * leaf's value to its rows' raw scores. They do what `partitionRows` and `addToRows` do on
 * typed arrays, with no bounds checks, and give the same rows in the same order and the same
 * sums bit for bit. Pointers are byte offsets into the memory; row lists are `u32`.
 */
import { localIndices, overRows, rowAt } from './histKernels.js';
import { F64, I32, op, type WasmFunction, wasmModule } from './wasmBuilder.js';

export interface RowKernels {
  /**
   * Stable partition of `rows[start..end)`: rows whose `table[col[r]]` is 1 (`u8` bins of one
   * feature, a 256-byte table) first, the others after them (through `scratch`); returns where
   * the second group starts.
   */
  partition(rows: number, start: number, end: number, col: number, table: number, scratch: number): number;
  /** `raw[rows[i]] += v` (`f64` scores) for `i` in `[start, end)`. */
  addToRows(raw: number, rows: number, start: number, end: number, v: number): void;
}

const { get, set, tee, i32, add, shl, xor, fadd, loadU8, loadF64, storeF64, storeI32, memoryCopy } = op;

/** `base + (i << 2)`: the address of the `u32` at index `i`. */
const u32At = (base: number, i: number): number[] => [...get(base), ...get(i), ...i32(2), ...shl, ...add];

function partitionFn(): WasmFunction {
  const { rows, start, end, col, table, scratch, i, l, t, r, g } = localIndices('rows', 'start', 'end', 'col', 'table', 'scratch', 'i', 'l', 't', 'r', 'g');
  const body = [
    ...get(start),
    ...set(l),
    ...overRows(i, start, end, 1, [
      ...rowAt(rows, i, 0, r),
      // g = table[col[r]]
      ...get(table),
      ...get(col),
      ...get(r),
      ...add,
      ...loadU8(),
      ...add,
      ...loadU8(),
      ...set(g),
      // rows[l] = r; scratch[t] = r; l += g; t += g ^ 1 (both written, one cursor moves)
      ...u32At(rows, l),
      ...get(r),
      ...storeI32(),
      ...u32At(scratch, t),
      ...get(r),
      ...storeI32(),
      ...get(l),
      ...get(g),
      ...add,
      ...set(l),
      ...get(t),
      ...get(g),
      ...i32(1),
      ...xor,
      ...add,
      ...set(t),
    ]),
    // rows[l..l + t) = scratch[0..t)
    ...u32At(rows, l),
    ...get(scratch),
    ...get(t),
    ...i32(2),
    ...shl,
    ...memoryCopy,
    ...get(l),
  ];
  return { name: 'partition', params: Array(6).fill(I32), results: [I32], locals: [I32, I32, I32, I32, I32], body };
}

function addToRowsFn(): WasmFunction {
  const { raw, rows, start, end, v, i, r, a } = localIndices('raw', 'rows', 'start', 'end', 'v', 'i', 'r', 'a');
  const body = overRows(i, start, end, 1, [
    ...rowAt(rows, i, 0, r),
    ...get(raw),
    ...get(r),
    ...i32(3),
    ...shl,
    ...add,
    ...tee(a),
    ...get(a),
    ...loadF64(),
    ...get(v),
    ...fadd,
    ...storeF64(),
  ]);
  return { name: 'addToRows', params: [I32, I32, I32, I32, F64], locals: [I32, I32, I32], body };
}

let compiled: WebAssembly.Module | null = null;

/** The kernels, instantiated on `memory`. */
export function rowKernels(memory: WebAssembly.Memory): RowKernels {
  compiled ??= new WebAssembly.Module(wasmModule([partitionFn(), addToRowsFn()], true));
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as RowKernels;
}
