import type { FittedStep } from '../../flow/fittedFlow.js';
import type { GraphColumn } from '../graphColumn.js';
import type { GraphBuilder } from '../GraphBuilder.js';

/** The graph's columns by name, as a step sees them and leaves them. */
export type GraphColumns = Map<string, GraphColumn>;

/**
 * How one flow step kind becomes ONNX operators. `check` says why a particular fitted step
 * cannot make the wanted columns (or null when it can); `emit` adds its operators and updates the
 * columns, reproducing the step's record path (the one predictions use).
 */
export interface StepConverter {
  kind: string;
  check(step: FittedStep, wanted: Set<string>): string | null;
  /**
   * The columns the step must read to make the wanted ones (default: all it reads); steps that
   * treat each listed column on its own need only the listed columns that are wanted.
   */
  needs?(step: FittedStep, wanted: Set<string>): string[];
  /** Adds the operators; a listed column the graph does not hold (not needed) is passed over. */
  emit(g: GraphBuilder, step: FittedStep, columns: GraphColumns): void;
  /** Where the graph's behaviour differs from Sluice's for this step, said to the user. */
  caveats?(step: FittedStep): string[];
}

/** The graph type of a logical column type; null for dates and timestamps. */
export function graphType(type: string): GraphColumn['type'] | null {
  if (type === 'integer' || type === 'float') return 'double';
  if (type === 'string' || type === 'boolean') return 'string';
  return null;
}

/** The type of a column entering a step. */
export function inputType(step: FittedStep, column: string): string | undefined {
  return step.input.find((c) => c.name === column)?.type;
}

/** `needs` of a step that rewrites each of `spec.columns` in place. */
export function wantedColumns(step: FittedStep, wanted: Set<string>): string[] {
  return (step.spec as unknown as { columns: string[] }).columns.filter((c) => wanted.has(c));
}

/** `check` of a step that reads only numbers: the first wanted column that is not one, named. */
export function checkNumericColumns(step: FittedStep, wanted: Set<string>): string | null {
  for (const c of wantedColumns(step, wanted)) {
    const t = inputType(step, c);
    if (t !== 'integer' && t !== 'float') return `column "${c}" is ${t}, not a number`;
  }
  return null;
}

/** The column, or an error naming it (the plan only emits steps whose inputs exist). */
export function column(columns: GraphColumns, name: string): GraphColumn {
  const c = columns.get(name);
  if (!c) throw new Error(`onnx export: column "${name}" is not in the graph at this step`);
  return c;
}

/** A 0/1 double tensor: whether each value is present (not NaN, not the empty string). */
export function present(g: GraphBuilder, c: GraphColumn): string {
  const missing = c.type === 'double' ? g.op('IsNaN', [c.tensor]) : g.op('Equal', [c.tensor, g.constantString('')]);
  return g.op('Not', [missing]);
}
