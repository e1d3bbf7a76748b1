import { checkNumericColumns, column, type StepConverter, wantedColumns } from './stepConverter.js';

type Spec = { columns: string[] };
type Fitted = { params: Record<string, { center: number; scale: number }> };

/** scale: `(x - center) / scale` in double, as Sluice computes it (missing stays NaN). */
export const scaleConverter: StepConverter = {
  kind: 'scale',
  check: checkNumericColumns,
  needs: wantedColumns,
  emit(g, step, columns) {
    const fitted = step.fitted as Fitted;
    for (const c of (step.spec as unknown as Spec).columns) {
      if (!columns.has(c)) continue; // not needed by the model
      const p = fitted.params[c] ?? { center: 0, scale: 1 };
      const x = column(columns, c);
      columns.set(c, { type: 'double', tensor: g.op('Div', [g.op('Sub', [x.tensor, g.constant(p.center)]), g.constant(p.scale)]) });
    }
  },
};
