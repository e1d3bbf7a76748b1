/**
 * Typed arrays in JSON: base64 of their little-endian bytes, which is exact (a float survives
 * bit for bit, unlike a decimal round trip would for some values) and about 3x smaller than a
 * number list.
 */
type TypedCtor<T> = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): T; BYTES_PER_ELEMENT: number };

/** Base64 of a typed array's bytes. */
export function encodeTyped(a: ArrayBufferView): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function decode<T>(s: string, ctor: TypedCtor<T>): T {
  const buf = Buffer.from(s, 'base64');
  // Copy into a fresh, aligned buffer: Buffer pools are not aligned for 8-byte views.
  const ab = new ArrayBuffer(buf.length);
  new Uint8Array(ab).set(buf);
  return new ctor(ab, 0, buf.length / ctor.BYTES_PER_ELEMENT);
}

export const decodeF64 = (s: string): Float64Array => decode(s, Float64Array);
export const decodeI32 = (s: string): Int32Array => decode(s, Int32Array);
export const decodeU32 = (s: string): Uint32Array => decode(s, Uint32Array);
export const decodeU8 = (s: string): Uint8Array => decode(s, Uint8Array);
