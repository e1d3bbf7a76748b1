/**
 * The subset of ONNX's protobuf schema (onnx/onnx.proto, IR version 10) that Sluice writes:
 * ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto
 * and OperatorSetIdProto, as plain TypeScript values and one encoder. Field numbers are those
 * of onnx.proto; nothing else of the schema is needed to write a model.
 */
import { ProtobufWriter } from './protobufWriter.js';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export type OnnxTensor =
  | { name?: string; dims: number[]; type: 'double'; data: Float64Array | number[] }
  | { name?: string; dims: number[]; type: 'float'; data: Float32Array | number[] }
  | { name?: string; dims: number[]; type: 'int64'; data: BigInt64Array | number[] }
  | { name?: string; dims: number[]; type: 'uint8'; data: Uint8Array | number[] }
  | { name?: string; dims: number[]; type: 'string'; data: string[] };

export type OnnxAttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: ArrayLike<number> }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: ArrayLike<number> }
  | { kind: 'string'; value: string }
  | { kind: 'strings'; value: string[] }
  | { kind: 'tensor'; value: OnnxTensor };

export interface OnnxNode {
  opType: string;
  domain?: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttributeValue>;
  doc?: string;
}

export type ElemType = 'double' | 'float' | 'int64' | 'string' | 'bool';

export interface OnnxValueInfo {
  name: string;
  elemType: ElemType;
  /** A number is a fixed size, a string a symbolic one (e.g. "N"). */
  shape: Array<number | string>;
  doc?: string;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  doc?: string;
}

export interface OnnxModel {
  irVersion: number;
  opsets: Array<{ domain: string; version: number }>;
  producerName: string;
  producerVersion: string;
  doc?: string;
  graph: OnnxGraph;
  metadata: Record<string, string>;
}

const ELEM: Record<ElemType, DataTypeCode> = {
  double: DataType.DOUBLE,
  float: DataType.FLOAT,
  int64: DataType.INT64,
  string: DataType.STRING,
  bool: DataType.BOOL,
};
const TENSOR_TYPE: Record<OnnxTensor['type'], DataTypeCode> = {
  double: DataType.DOUBLE,
  float: DataType.FLOAT,
  int64: DataType.INT64,
  uint8: DataType.UINT8,
  string: DataType.STRING,
};

function rawBytes(t: Exclude<OnnxTensor, { type: 'string' }>): Uint8Array {
  const arr =
    t.type === 'double'
      ? Float64Array.from(t.data)
      : t.type === 'float'
        ? Float32Array.from(t.data)
        : t.type === 'int64'
          ? BigInt64Array.from(t.data as ArrayLike<number | bigint>, (v) => BigInt(v))
          : Uint8Array.from(t.data);
  // ONNX raw_data is little-endian, as typed arrays are on every platform Node runs on.
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

function writeTensor(w: ProtobufWriter, t: OnnxTensor): void {
  w.packedInts(1, t.dims);
  w.int(2, TENSOR_TYPE[t.type]);
  if (t.type === 'string') for (const s of t.data) w.bytes(6, s);
  if (t.name !== undefined) w.bytes(8, t.name);
  if (t.type !== 'string') w.bytes(9, rawBytes(t));
}

/** AttributeProto.AttributeType values. */
const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

function writeAttribute(w: ProtobufWriter, name: string, a: OnnxAttributeValue): void {
  w.bytes(1, name);
  w.int(20, ATTR_TYPE[a.kind]);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.bytes(4, a.value);
      break;
    case 'tensor':
      w.message(5, (m) => writeTensor(m, a.value));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedInts(8, a.value);
      break;
    case 'strings':
      for (const s of a.value) w.bytes(9, s);
      break;
  }
}

function writeNode(w: ProtobufWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.bytes(1, i);
  for (const o of n.outputs) w.bytes(2, o);
  w.bytes(3, n.name);
  w.bytes(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, (m) => writeAttribute(m, k, v));
  if (n.doc) w.bytes(6, n.doc);
  if (n.domain) w.bytes(7, n.domain);
}

function writeValueInfo(w: ProtobufWriter, v: OnnxValueInfo): void {
  w.bytes(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ELEM[v.elemType]);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.bytes(2, d)));
      });
    }),
  );
  if (v.doc) w.bytes(3, v.doc);
}

function writeGraph(w: ProtobufWriter, g: OnnxGraph): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.bytes(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  if (g.doc) w.bytes(10, g.doc);
  for (const i of g.inputs) w.message(11, (m) => writeValueInfo(m, i));
  for (const o of g.outputs) w.message(12, (m) => writeValueInfo(m, o));
}

/** Encodes a model as the bytes of an `.onnx` file. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtobufWriter();
  w.int(1, model.irVersion);
  w.bytes(2, model.producerName);
  w.bytes(3, model.producerVersion);
  if (model.doc) w.bytes(6, model.doc);
  w.message(7, (g) => writeGraph(g, model.graph));
  for (const o of model.opsets) w.message(8, (m) => m.bytes(1, o.domain).int(2, o.version));
  for (const [key, value] of Object.entries(model.metadata)) w.message(14, (m) => m.bytes(1, key).bytes(2, value));
  return w.finish();
}
