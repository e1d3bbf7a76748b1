/**
 * A column of the data inside an exported graph: a `[N, 1]` tensor, double for numbers
 * (integer and float columns; NaN is missing) or string for text and booleans (`"true"`,
 * `"false"`; the empty string is missing, since ONNX strings have no null).
 */
export interface GraphColumn {
  tensor: string;
  type: 'double' | 'string';
}

/** How the model's converters get the feature columns they read, by name. */
export type FeatureLookup = (name: string) => GraphColumn;
