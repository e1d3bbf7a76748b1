import { SluiceError } from '../../core/errors.js';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import type { StepContext } from '../step.js';
import { typeOf } from './common.js';

/** How a category not seen at fit time is handled. */
export type Unseen = 'other' | 'error' | 'missing' | 'value';

/**
 * Categories are compared as text on both paths: `col::VARCHAR` in DuckDB, `String(v)` on
 * records. That agrees for text, integers and booleans; floats (`1.0` vs `1`), dates and
 * timestamps do not print alike, so encoding steps refuse them.
 */
export function assertCategorical(ctx: StepContext, column: string, kind: string): void {
  const t = typeOf(ctx, column);
  if (t !== 'string' && t !== 'integer' && t !== 'boolean') {
    throw new SluiceError('FLOW_TYPE', `step ${ctx.index + 1} (${kind}) encodes text, integer or boolean columns, but "${column}" is ${t}`, {
      location: { step: ctx.index, field: column },
      hint: t === 'float' ? `bin "${column}" first (kind: bin), or cast it to integer or string` : `derive parts with datetime_features, or cast "${column}" to string first`,
    });
  }
}

/** The category text of a column in SQL. */
export const catSql = (column: string): string => `${quoteIdent(column)}::VARCHAR`;

/** `x IN ('a', 'b')`, or FALSE for an empty list (SQL has no empty IN list). */
export function inListSql(expr: string, values: string[]): string {
  return values.length === 0 ? 'FALSE' : `${expr} IN (${values.map(quoteLiteral).join(', ')})`;
}

/** The SQL that stops the run on an unseen category (DuckDB's error() aborts the query). */
export function unseenErrorSql(ctx: StepContext, kind: string, column: string): string {
  return `error(${quoteLiteral(`step ${ctx.index + 1} (${kind}): a value of column "${column}" was not seen when the flow was fitted: `)} || ${catSql(column)})`;
}

/** The record-path error for an unseen category; applyRecords adds the record number. */
export function unseenError(ctx: StepContext, kind: string, column: string, value: unknown, known: string[]): SluiceError {
  const shown = known.slice(0, 10).map((k) => JSON.stringify(k)).join(', ') + (known.length > 10 ? `, ... (${known.length} in all)` : '');
  return new SluiceError('RECORD_UNSEEN_CATEGORY', `value ${JSON.stringify(value)} of field "${column}" was not seen when the flow was fitted (step ${ctx.index + 1}, ${kind})`, {
    location: { step: ctx.index, field: column },
    hint: `send one of ${shown || 'the fitted categories'}, or refit the flow on data that has it (or set unseen: missing)`,
  });
}
