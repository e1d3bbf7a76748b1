import type { OnnxAttributeValue, OnnxNode, OnnxTensor } from './onnxProto.js';

/** The ONNX operator-set versions every exported graph is written against. */
export const OPSETS = { onnx: 21, ml: 5 } as const;
export const ML = 'ai.onnx.ml';

/** Attribute shorthands: numbers are ints, arrays of numbers ints, strings strings. */
export type Attr = number | string | number[] | string[] | OnnxAttributeValue;

function attr(a: Attr): OnnxAttributeValue {
  if (typeof a === 'number') return { kind: 'int', value: a };
  if (typeof a === 'string') return { kind: 'string', value: a };
  if (Array.isArray(a))
    return a.every((x) => typeof x === 'string') && a.length > 0 ? { kind: 'strings', value: a as string[] } : { kind: 'ints', value: a as number[] };
  return a;
}

/**
 * Builds an ONNX graph one operator at a time. Every intermediate tensor gets a fresh name
 * under a prefix no column name can take by accident (`sluice/...`), so the graph's inputs can
 * keep the data's column names whatever they are.
 *
 * @example
 * const g = new GraphBuilder();
 * const filled = g.op('Where', [g.op('IsNaN', ['age']), g.constant(50), 'age']);
 */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private counter = 0;
  private readonly scalars = new Map<string, string>();

  /** A name no other tensor of this graph has. */
  fresh(hint: string): string {
    return `sluice/${hint}_${this.counter++}`;
  }

  /** Adds one node with a single output and returns that output's name. */
  op(opType: string, inputs: string[], attributes: Record<string, Attr> = {}, domain = ''): string {
    return this.opN(opType, inputs, 1, attributes, domain)[0]!;
  }

  /** Adds one node with `nOutputs` outputs. */
  opN(opType: string, inputs: string[], nOutputs: number, attributes: Record<string, Attr> = {}, domain = ''): string[] {
    const outputs = Array.from({ length: nOutputs }, () => this.fresh(opType));
    const attributes2: Record<string, OnnxAttributeValue> = {};
    for (const [k, v] of Object.entries(attributes)) attributes2[k] = attr(v);
    this.nodes.push({ opType, domain, name: this.fresh(`${opType}_node`), inputs, outputs, attributes: attributes2 });
    return outputs;
  }

  /** An `ai.onnx.ml` operator. */
  ml(opType: string, inputs: string[], attributes: Record<string, Attr> = {}): string {
    return this.op(opType, inputs, attributes, ML);
  }

  /** A constant tensor (an initializer). */
  tensor(hint: string, t: OnnxTensor): string {
    const name = this.fresh(hint);
    this.initializers.push({ ...t, name } as OnnxTensor);
    return name;
  }

  /** A scalar double constant, shared by every use of the same value. */
  constant(value: number): string {
    const key = Object.is(value, -0) ? '-0' : String(value);
    let name = this.scalars.get(key);
    if (!name) {
      name = this.tensor('const', { dims: [], type: 'double', data: [value] });
      this.scalars.set(key, name);
    }
    return name;
  }

  /** A scalar string constant. */
  constantString(value: string): string {
    const key = `s:${value}`;
    let name = this.scalars.get(key);
    if (!name) {
      name = this.tensor('const', { dims: [], type: 'string', data: [value] });
      this.scalars.set(key, name);
    }
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, indices). */
  ints(values: number[]): string {
    const key = `i:${values.join(',')}`;
    let name = this.scalars.get(key);
    if (!name) {
      name = this.tensor('ints', { dims: [values.length], type: 'int64', data: values });
      this.scalars.set(key, name);
    }
    return name;
  }

  /** Casts to double (TensorProto.DOUBLE). */
  toDouble(x: string): string {
    return this.op('Cast', [x], { to: 11 });
  }

  /** Columns `[N, 1]` side by side as `[N, k]`. */
  concatColumns(columns: string[]): string {
    return columns.length === 1 ? columns[0]! : this.op('Concat', columns, { axis: 1 });
  }
}
