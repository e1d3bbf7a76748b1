import { describe, expect, it } from 'vitest';
import { ProtobufWriter } from '../../src/onnx/protobufWriter.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ProtobufWriter (the wire format, checked against the protobuf encoding guide)', () => {
  it('writes varints, negative int64s, strings, floats and nested messages', () => {
    // field 1 = 150 -> 08 96 01 (the guide's example)
    expect(hex(new ProtobufWriter().int(1, 150).finish())).toBe('089601');
    // field 2 = "testing" -> 12 07 74 65 73 74 69 6e 67
    expect(hex(new ProtobufWriter().bytes(2, 'testing').finish())).toBe('120774657374696e67');
    // int64 -1: ten bytes of two's complement
    expect(hex(new ProtobufWriter().int(3, -1).finish())).toBe('18ffffffffffffffffff01');
    expect(hex(new ProtobufWriter().float(2, 1).finish())).toBe('150000803f');
    // field 3 = message { field 1 = 150 } -> 1a 03 08 96 01
    expect(hex(new ProtobufWriter().message(3, (m) => m.int(1, 150)).finish())).toBe('1a03089601');
    // packed repeated [3, 270, 86942] in field 4 -> 22 06 03 8e 02 9e a7 05
    expect(hex(new ProtobufWriter().packedInts(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
    expect(new ProtobufWriter().packedInts(4, []).finish()).toHaveLength(0);
  });
});
