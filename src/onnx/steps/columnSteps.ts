import type { FittedStep } from '../../flow/fittedFlow.js';
import type { GraphColumns, StepConverter } from './stepConverter.js';

/** The column a step's output column comes from. */
function source(step: FittedStep, out: string): string {
  const spec = step.spec as Record<string, unknown>;
  if (step.kind === 'rename_columns') {
    const mapping = spec.mapping as Record<string, string>;
    return Object.keys(mapping).find((k) => mapping[k] === out) ?? out;
  }
  if (step.kind === 'duplicate_column' && out === spec.output) return spec.column as string;
  return out;
}

/**
 * Steps that only drop, keep, move, rename or copy columns: no operator, only the columns'
 * names change (a renamed or copied column is the same tensor).
 */
function columnStep(kind: string): StepConverter {
  return {
    kind,
    check: () => null,
    emit(_g, step, columns: GraphColumns) {
      const next: GraphColumns = new Map();
      for (const c of step.output) {
        const t = columns.get(source(step, c.name));
        if (t) next.set(c.name, t);
      }
      columns.clear();
      for (const [k, v] of next) columns.set(k, v);
    },
  };
}

export const columnStepConverters: StepConverter[] = ['drop_columns', 'select_columns', 'move_column', 'rename_columns', 'duplicate_column'].map(columnStep);
