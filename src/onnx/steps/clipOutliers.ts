import { checkNumericColumns, column, type StepConverter, wantedColumns } from './stepConverter.js';

type Spec = { columns: string[] };
type Fitted = { bounds: Record<string, { lower: number | null; upper: number | null }> };

/** clip_outliers: values below the lower bound become it, above the upper bound become it (NaN stays). */
export const clipOutliersConverter: StepConverter = {
  kind: 'clip_outliers',
  check: checkNumericColumns,
  needs: wantedColumns,
  emit(g, step, columns) {
    const fitted = step.fitted as Fitted;
    for (const c of (step.spec as unknown as Spec).columns) {
      if (!columns.has(c)) continue; // not needed by the model
      const b = fitted.bounds[c] ?? { lower: null, upper: null };
      let x = column(columns, c).tensor;
      // Where over a comparison, not Min/Max: a comparison with NaN is false, so NaN stays NaN.
      if (b.lower !== null) x = g.op('Where', [g.op('Less', [x, g.constant(b.lower)]), g.constant(b.lower), x]);
      if (b.upper !== null) x = g.op('Where', [g.op('Greater', [x, g.constant(b.upper)]), g.constant(b.upper), x]);
      columns.set(c, { type: 'double', tensor: x });
    }
  },
};
