import { SluiceError } from '../../core/errors.js';
import { isNumericType } from '../../core/types.js';
import { quoteIdent } from '../../engine/sql.js';
import type { StepContext } from '../step.js';
import { typeOf } from './common.js';

/** Numeric steps refuse other columns with a hint, before any SQL runs. */
export function assertNumeric(ctx: StepContext, column: string, kind: string): void {
  const t = typeOf(ctx, column);
  if (!isNumericType(t)) {
    throw new SluiceError('FLOW_TYPE', `step ${ctx.index + 1} (${kind}) needs a numeric column, but "${column}" is ${t}`, {
      location: { step: ctx.index, field: column },
      hint: t === 'string' ? `convert "${column}" first (kind: infer_types, or kind: cast with to: float)` : `remove "${column}" from the step's columns`,
    });
  }
}

/**
 * The usable values of a numeric column in SQL: not NULL and, for floats, not NaN (pandas and
 * scikit-learn skip NaN when they learn; DuckDB would let one NaN poison an average).
 */
export function presentSql(ctx: StepContext, column: string): string {
  const q = quoteIdent(column);
  return typeOf(ctx, column) === 'float' ? `(${q} IS NOT NULL AND NOT isnan(${q}))` : `${q} IS NOT NULL`;
}

/** A number read back from an aggregate (DuckDB returns NULL for an empty input). */
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
