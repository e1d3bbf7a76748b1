import { numericColumnConverter } from './numericColumnConverter.js';

type Fitted = { bounds: Record<string, { lower: number | null; upper: number | null }> };

/** clip_outliers: values below the lower bound become it, above the upper bound become it (NaN stays). */
export const clipOutliersConverter = numericColumnConverter<Fitted>('clip_outliers', (g, tensor, fitted, c) => {
  const b = fitted.bounds[c] ?? { lower: null, upper: null };
  let x = tensor;
  // Where over a comparison, not Min/Max: a comparison with NaN is false, so NaN stays NaN.
  if (b.lower !== null) x = g.op('Where', [g.op('Less', [x, g.constant(b.lower)]), g.constant(b.lower), x]);
  if (b.upper !== null) x = g.op('Where', [g.op('Greater', [x, g.constant(b.upper)]), g.constant(b.upper), x]);
  return x;
});
