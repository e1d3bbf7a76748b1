import { column, wantedColumns, graphType, inputType, type StepConverter } from './stepConverter.js';
import { lookup, numericCategory } from './lookup.js';

type Spec = { columns: string[]; unseen: 'error' | 'missing' | 'value'; unseen_value: number };
type Fitted = { categories: Record<string, string[]> };

/** ordinal_encode: a LabelEncoder from each category to its position; missing stays missing (NaN). */
export const ordinalEncodeConverter: StepConverter = {
  kind: 'ordinal_encode',
  check(step, wanted) {
    const fitted = step.fitted as Fitted;
    for (const c of wantedColumns(step, wanted)) {
      const t = graphType(inputType(step, c) ?? '');
      if (t === null) return `column "${c}" is ${inputType(step, c)}`;
      if (t === 'double' && !(fitted.categories[c] ?? []).every(numericCategory)) return `numeric column "${c}" has a category that is not a number`;
    }
    return null;
  },
  needs: wantedColumns,
  emit(g, step, columns) {
    const spec = step.spec as unknown as Spec;
    const fitted = step.fitted as Fitted;
    const otherwise = spec.unseen === 'value' ? spec.unseen_value : NaN;
    for (const c of spec.columns) {
      if (!columns.has(c)) continue; // not needed by the model
      const entries = (fitted.categories[c] ?? []).map((k, i): [string, number] => [k, i]);
      columns.set(c, { type: 'double', tensor: lookup(g, column(columns, c), entries, otherwise, NaN) });
    }
  },
  caveats(step) {
    const spec = step.spec as unknown as Spec;
    return spec.unseen === 'error'
      ? [`a value of ${spec.columns.join(', ')} not seen at fit time stops Sluice with an error; the graph cannot stop, it gives a missing value (NaN)`]
      : [];
  },
};
