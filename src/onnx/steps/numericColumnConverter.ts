import type { GraphBuilder } from '../GraphBuilder.js';
import { checkNumericColumns, column, type StepConverter, wantedColumns } from './stepConverter.js';

/**
 * The converter of a step that rewrites each of its numeric `columns` in place from its fitted
 * parameters (`clip_outliers`, `scale`): only the columns the model needs are emitted, each
 * becomes the double tensor `rewrite` makes from the column's tensor and the fitted step.
 */
export function numericColumnConverter<F>(kind: string, rewrite: (g: GraphBuilder, x: string, fitted: F, name: string) => string): StepConverter {
  return {
    kind,
    check: checkNumericColumns,
    needs: wantedColumns,
    emit(g, step, columns) {
      for (const c of (step.spec as unknown as { columns: string[] }).columns) {
        if (!columns.has(c)) continue; // not needed by the model
        columns.set(c, { type: 'double', tensor: rewrite(g, column(columns, c).tensor, step.fitted as F, c) });
      }
    },
  };
}
