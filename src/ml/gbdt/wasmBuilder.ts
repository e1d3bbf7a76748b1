/**
 * A minimal WebAssembly binary encoder: enough to write the few numeric kernels of gradient
 * boosting (loops over typed data in one imported memory) as code, so no compiled binary is
 * checked in or downloaded. Each op helper returns the bytes of one instruction; a function
 * body is their concatenation. See the WebAssembly core specification, "Binary Format".
 */

export const I32 = 0x7f;
export const F64 = 0x7c;

/** One exported function: its parameter and result types, extra local types and body (without `end`). */
export interface WasmFunction {
  name: string;
  params: number[];
  /** Result types (none when absent). */
  results?: number[];
  locals: number[];
  body: number[];
}

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

/**
 * A module of `fns` that imports one memory as `env.memory` (shared when `shared`, so worker
 * threads can run the same kernels on it) and exports every function by name.
 */
export function wasmModule(fns: WasmFunction[], shared: boolean): Uint8Array {
  const types = section(1, vec(fns.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec((f.results ?? []).map((r) => [r]))])));
  const memLimits = shared ? [3, ...uleb(1), ...uleb(MAX_PAGES)] : [0, ...uleb(1)];
  const imports = section(2, vec([[...name('env'), ...name('memory'), 2, ...memLimits]]));
  const funcs = section(3, vec(fns.map((_, i) => uleb(i))));
  const exports = section(7, vec(fns.map((f, i) => [...name(f.name), 0, ...uleb(i)])));
  const code = section(
    10,
    vec(
      fns.map((f) => {
        const body = [...vec(f.locals.map((t) => [1, t])), ...f.body, 0x0b];
        return [...uleb(body.length), ...body];
      }),
    ),
  );
  return Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...types, ...imports, ...funcs, ...exports, ...code]);
}

/** 64 KiB pages a shared memory may grow to (4 GiB, wasm32's limit). */
export const MAX_PAGES = 65536;

export const op = {
  get: (i: number): number[] => [0x20, ...uleb(i)],
  set: (i: number): number[] => [0x21, ...uleb(i)],
  tee: (i: number): number[] => [0x22, ...uleb(i)],
  i32: (n: number): number[] => [0x41, ...sleb(n)],
  f64: (x: number): number[] => {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, x, true);
    return [0x44, ...new Uint8Array(b.buffer)];
  },
  add: [0x6a],
  mul: [0x6c],
  shl: [0x74],
  geU: [0x4f],
  xor: [0x73],
  eq: [0x46],
  fadd: [0xa0],
  fsub: [0xa1],
  fmul: [0xa2],
  fdiv: [0xa3],
  fmax: [0xa5],
  floor: [0x9c],
  promote: [0xbb],
  demote: [0xb6],
  /** Pops a, b and a condition: a when the condition is not zero, else b. */
  select: [0x1b],
  /** `i32.trunc_sat_f64_s`: toward zero, NaN to 0, saturating (never traps). */
  truncSat: [0xfc, 0x02],
  i64: (n: number): number[] => [0x42, ...sleb(n)],
  i64ExtendU: [0xad],
  i64Shl: [0x86],
  /** `f64.reinterpret_i64`: the same 64 bits read as a double. */
  reinterpret: [0xbf],
  /** Loads and stores take a static byte offset added to the address on the stack. */
  loadI32: (offset = 0): number[] => [0x28, 2, ...uleb(offset)],
  loadU8: (offset = 0): number[] => [0x2d, 0, ...uleb(offset)],
  loadU16: (offset = 0): number[] => [0x2f, 1, ...uleb(offset)],
  loadF32: (offset = 0): number[] => [0x2a, 2, ...uleb(offset)],
  loadF64: (offset = 0): number[] => [0x2b, 3, ...uleb(offset)],
  storeF64: (offset = 0): number[] => [0x39, 3, ...uleb(offset)],
  storeI32: (offset = 0): number[] => [0x36, 2, ...uleb(offset)],
  storeF32: (offset = 0): number[] => [0x38, 2, ...uleb(offset)],
  /** `memory.copy` (bulk memory): pops destination, source and byte count; overlapping is fine. */
  memoryCopy: [0xfc, 0x0a, 0x00, 0x00],
  /** `block ... end`: `br 0` inside jumps past its end. */
  block: (...body: number[][]): number[] => [0x02, 0x40, ...body.flat(), 0x0b],
  /** `loop ... end`: `br 0` inside jumps back to its start. */
  loop: (...body: number[][]): number[] => [0x03, 0x40, ...body.flat(), 0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
};
