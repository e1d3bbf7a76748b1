import { numericColumnConverter } from './numericColumnConverter.js';

type Fitted = { params: Record<string, { center: number; scale: number }> };

/** scale: `(x - center) / scale` in double, as Sluice computes it (missing stays NaN). */
export const scaleConverter = numericColumnConverter<Fitted>('scale', (g, x, fitted, c) => {
  const p = fitted.params[c] ?? { center: 0, scale: 1 };
  return g.op('Div', [g.op('Sub', [x, g.constant(p.center)]), g.constant(p.scale)]);
});
