import type { GraphColumn } from '../graphColumn.js';
import type { GraphBuilder } from '../GraphBuilder.js';

/**
 * Maps each value of a column to a number by its category text, as Sluice's encoders compare
 * categories (`String(v)`): a LabelEncoder from the categories (as text, or as numbers for a
 * numeric column) to `value`, `otherwise` for the rest and `missing` for a missing value.
 * Returns a `[N, 1]` double tensor. A category listed twice keeps its last value, as a Map does.
 */
export function lookup(g: GraphBuilder, x: GraphColumn, entries: Array<[string, number]>, otherwise: number, missing: number): string {
  const map = new Map(entries);
  const isMissing = x.type === 'double' ? g.op('IsNaN', [x.tensor]) : g.op('Equal', [x.tensor, g.constantString('')]);
  if (map.size === 0) return g.op('Where', [isMissing, g.constant(missing), g.constant(otherwise)]);
  const values = [...map.values()];
  const valuesTensor = { kind: 'tensor' as const, value: { dims: [values.length], type: 'double' as const, data: values } };
  const defaultTensor = { kind: 'tensor' as const, value: { dims: [1], type: 'double' as const, data: [otherwise] } };
  const encoded =
    x.type === 'string'
      ? g.ml('LabelEncoder', [x.tensor], { keys_strings: [...map.keys()], values_tensor: valuesTensor, default_tensor: defaultTensor })
      : g.ml('LabelEncoder', [x.tensor], {
          keys_tensor: { kind: 'tensor', value: { dims: [map.size], type: 'double', data: [...map.keys()].map(Number) } },
          values_tensor: valuesTensor,
          default_tensor: defaultTensor,
        });
  // The empty string may itself be a category; only then is it not missing.
  if (x.type === 'string' && map.has('')) return encoded;
  return g.op('Where', [isMissing, g.constant(missing), encoded]);
}

/** Whether a category can be compared with a numeric column's values (integer categories can). */
export function numericCategory(category: string): boolean {
  return category.trim() !== '' && Number.isFinite(Number(category));
}
