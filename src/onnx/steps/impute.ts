import { column, wantedColumns, graphType, inputType, type StepConverter } from './stepConverter.js';

type Spec = { columns: string[] };
type Fitted = { values: Record<string, string | number | boolean | null> };

/** impute: a missing value becomes the fitted fill value (Where over IsNaN, or over `== ""` for text). */
export const imputeConverter: StepConverter = {
  kind: 'impute',
  check(step, wanted) {
    const fitted = step.fitted as Fitted;
    for (const c of wantedColumns(step, wanted)) {
      const type = graphType(inputType(step, c) ?? '');
      const v = fitted.values[c] ?? null;
      if (type === null) return `column "${c}" is ${inputType(step, c)}, which the graph has no type for`;
      if (type === 'double' && v !== null && typeof v !== 'number') return `column "${c}" is numeric but its fill value ${JSON.stringify(v)} is not a number`;
    }
    return null;
  },
  needs: wantedColumns,
  emit(g, step, columns) {
    const spec = step.spec as unknown as Spec;
    const fitted = step.fitted as Fitted;
    for (const c of spec.columns) {
      if (!columns.has(c)) continue; // not needed by the model
      const v = fitted.values[c] ?? null;
      if (v === null) continue; // nothing was learned: missing values stay missing
      const x = column(columns, c);
      if (x.type === 'double') {
        columns.set(c, { type: 'double', tensor: g.op('Where', [g.op('IsNaN', [x.tensor]), g.constant(Number(v)), x.tensor]) });
      } else {
        columns.set(c, { type: 'string', tensor: g.op('Where', [g.op('Equal', [x.tensor, g.constantString('')]), g.constantString(String(v)), x.tensor]) });
      }
    }
  },
};
