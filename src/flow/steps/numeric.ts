import { SluiceError } from '../../core/errors.js';
import { isNumericType } from '../../core/types.js';
import type { StepContext } from '../step.js';
import { missingSql, typeOf } from './common.js';

/**
 * Numeric steps (and series steps that interpolate or aggregate) refuse other columns with a
 * hint, before any SQL runs.
 */
export function assertNumeric(ctx: StepContext, kind: string, columns: readonly string[]): void {
  for (const c of columns) {
    const t = typeOf(ctx, c);
    if (!isNumericType(t)) {
      throw new SluiceError('FLOW_TYPE', `step ${ctx.index + 1} (${kind}) needs a numeric column, but "${c}" is ${t}`, {
        location: { step: ctx.index, field: c },
        hint: t === 'string' ? `convert "${c}" first (kind: infer_types, or kind: cast with to: float)` : `choose a numeric column in place of "${c}"`,
      });
    }
  }
}

/**
 * The usable values of a numeric column in SQL: not missing (src/core/missing.ts: not NULL and,
 * for floats, not NaN or ±Infinity; pandas and scikit-learn skip NaN when they learn, and DuckDB
 * would let one NaN poison an average).
 */
export function presentSql(ctx: StepContext, column: string): string {
  return `NOT ${missingSql(ctx, column)}`;
}

/** A number read back from an aggregate (DuckDB returns NULL for an empty input). */
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
