import { column, graphType, inputType, type StepConverter } from './stepConverter.js';
import { lookup, numericCategory } from './lookup.js';

type Spec = { columns: string[]; other: boolean; unseen: 'other' | 'error' | 'missing'; drop_original: boolean };
type Fitted = { columns: Record<string, { categories: string[]; seen?: string[] }> };

/** The new columns of the step, per encoded column, in the order the step makes them. */
function newColumns(step: Parameters<StepConverter['check']>[0]): Map<string, string[]> | null {
  const spec = step.spec as unknown as Spec;
  const fitted = step.fitted as Fitted;
  const kept = new Set(step.input.map((c) => c.name).filter((n) => !(spec.drop_original && spec.columns.includes(n))));
  const made = step.output.map((c) => c.name).filter((n) => !kept.has(n));
  const out = new Map<string, string[]>();
  let at = 0;
  for (const c of spec.columns) {
    const n = (fitted.columns[c]?.categories.length ?? 0) + (spec.other ? 1 : 0);
    out.set(c, made.slice(at, at + n));
    at += n;
  }
  return at === made.length ? out : null;
}

/** The encoded columns whose indicators (or, kept, themselves) are wanted. */
function oneHotNeeds(step: Parameters<StepConverter['check']>[0], wanted: Set<string>): string[] {
  const spec = step.spec as unknown as Spec;
  const made = newColumns(step);
  return spec.columns.filter((c) => (made?.get(c) ?? []).some((n) => wanted.has(n)) || (!spec.drop_original && wanted.has(c)));
}

/**
 * one_hot: one 0/1 column per fitted category (Equal), and the `other` column as a lookup
 * (1 for a value outside the top k; for an unseen value as the step's `unseen` says).
 * The names of the new columns are read from the fitted step's output, in order.
 */
export const oneHotConverter: StepConverter = {
  kind: 'one_hot',
  check(step, wanted) {
    const fitted = step.fitted as Fitted;
    for (const c of oneHotNeeds(step, wanted)) {
      const t = graphType(inputType(step, c) ?? '');
      if (t === null) return `column "${c}" is ${inputType(step, c)}`;
      const cats = [...(fitted.columns[c]?.categories ?? []), ...(fitted.columns[c]?.seen ?? [])];
      if (t === 'double' && !cats.every(numericCategory)) return `numeric column "${c}" has a category that is not a number`;
    }
    return newColumns(step) ? null : 'its output columns do not follow its categories';
  },
  needs: oneHotNeeds,
  emit(g, step, columns) {
    const spec = step.spec as unknown as Spec;
    const fitted = step.fitted as Fitted;
    const names = newColumns(step)!;
    for (const c of spec.columns) {
      if (!columns.has(c)) continue; // not needed by the model
      const x = column(columns, c);
      const fc = fitted.columns[c] ?? { categories: [] };
      const made = names.get(c)!;
      fc.categories.forEach((cat, i) => {
        const value = x.type === 'double' ? g.constant(Number(cat)) : g.constantString(cat);
        columns.set(made[i]!, { type: 'double', tensor: g.toDouble(g.op('Equal', [x.tensor, value])) });
      });
      if (spec.other) {
        // outside the top k: 1; a value seen at fit time but not in the top k: 1; unseen: 1
        // unless unseen is missing (0); known categories and missing values: 0
        const entries: Array<[string, number]> = [
          ...(fc.seen ?? []).map((s): [string, number] => [s, 1]),
          ...fc.categories.map((s): [string, number] => [s, 0]),
        ];
        columns.set(made[made.length - 1]!, { type: 'double', tensor: lookup(g, x, entries, spec.unseen === 'missing' ? 0 : 1, 0) });
      }
      if (spec.drop_original) columns.delete(c);
    }
  },
  caveats(step) {
    const spec = step.spec as unknown as Spec;
    return spec.unseen === 'error'
      ? [
          `a value of ${spec.columns.join(', ')} not seen at fit time stops Sluice with an error; the graph cannot stop, it gives ${spec.other ? 'other = 1' : 'all zeros'}`,
        ]
      : [];
  },
};
