import type { Feature, FeatureSchema, Frame } from '../ml/frame.js';
import { levelCode, toNumber } from '../ml/featureValue.js';

/**
 * Builds the frame a model expects from transformed rows, directly in the model's schema:
 * numeric features as Float64Array (missing, and ±Infinity, -> NaN: src/core/missing.ts; booleans -> 0/1, numeric text parsed),
 * categorical ones coded against the training levels (unseen or missing -> -1, which the model
 * routes like a missing value). Going straight to the training levels makes `alignFrame` a
 * pass-through, which matters at one record per request.
 */
export function rowsToFrame(
  rows: readonly Record<string, unknown>[],
  schema: readonly FeatureSchema[],
  levelIndex?: ReadonlyMap<string, ReadonlyMap<string, number>>,
): Frame {
  const n = rows.length;
  const features: Feature[] = schema.map((s) => {
    if (s.kind === 'numeric') {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = toNumber(rows[i]![s.name]);
      return { name: s.name, kind: 'numeric', values };
    }
    const index = levelIndex?.get(s.name) ?? new Map(s.levels.map((l, i) => [l, i] as const));
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) codes[i] = levelCode(index, rows[i]![s.name]);
    return { name: s.name, kind: 'categorical', codes, levels: s.levels };
  });
  return { nRows: n, features };
}

/** Level -> code maps of a schema's categorical features, built once per loaded model. */
export function levelIndexes(schema: readonly FeatureSchema[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const s of schema) if (s.kind === 'categorical') out.set(s.name, new Map(s.levels.map((l, i) => [l, i] as const)));
  return out;
}
