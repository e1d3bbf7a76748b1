import type { FittedStep } from '../../flow/fittedFlow.js';
import { column, graphType, inputType, present, type StepConverter } from './stepConverter.js';

type Spec = { columns: string[] };

/** Each listed column with the indicator column the step adds for it (read from its output, in order). */
function indicators(step: FittedStep): Array<[string, string]> {
  const before = new Set(step.input.map((c) => c.name));
  const added = step.output.map((c) => c.name).filter((n) => !before.has(n));
  return (step.spec as unknown as Spec).columns.map((c, i) => [c, added[i] ?? '']);
}

function needs(step: FittedStep, wanted: Set<string>): string[] {
  return indicators(step)
    .filter(([c, ind]) => wanted.has(ind) || wanted.has(c))
    .map(([c]) => c);
}

/** missing_indicator: a 0/1 column, 1 where the value is missing (NaN, or the empty string for text). */
export const missingIndicatorConverter: StepConverter = {
  kind: 'missing_indicator',
  check(step, wanted) {
    for (const c of needs(step, wanted)) if (graphType(inputType(step, c) ?? '') === null) return `column "${c}" is ${inputType(step, c)}`;
    return indicators(step).every(([, ind]) => ind !== '') ? null : 'its output columns do not follow its columns';
  },
  needs,
  emit(g, step, columns) {
    for (const [c, ind] of indicators(step)) {
      if (!columns.has(c)) continue; // not needed by the model
      columns.set(ind, { type: 'double', tensor: g.toDouble(g.op('Not', [present(g, column(columns, c))])) });
    }
  },
};
