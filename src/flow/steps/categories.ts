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
export function assertCategorical(ctx: StepContext, column: string, kind: string, floats = false): void {
  const t = typeOf(ctx, column);
  if (t !== 'string' && t !== 'integer' && t !== 'boolean' && !(floats && t === 'float')) {
    throw new SluiceError(
      'FLOW_TYPE',
      `step ${ctx.index + 1} (${kind}) encodes text, integer${floats ? ', float' : ''} or boolean columns, but "${column}" is ${t}`,
      {
        location: { step: ctx.index, field: column },
        hint:
          t === 'float'
            ? `bin "${column}" first (kind: bin), or cast it to integer or string`
            : `derive parts with datetime_features, or cast "${column}" to string first`,
      },
    );
  }
}

/**
 * The category text of a float, as Python's `repr` (and so pandas `get_dummies`) writes it: the
 * shortest digits that read back as the same number, a whole number with one decimal (`1.0`),
 * exponent form below 1e-4 and from 1e16 (`1e-05`, `2.5e+16`). Computed in JavaScript on both
 * paths, as DuckDB's own float text differs for small and large numbers.
 */
export function floatText(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const [mantissa, exp] = x.toExponential().split('e') as [string, string];
  const e = Number(exp);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  if (e < -4 || e >= 16)
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const frac = digits.slice(e + 1);
  return `${sign}${whole}.${frac || '0'}`;
}

/**
 * How a column's values become category text, the same way in SQL and on records: text,
 * integers and booleans as `col::VARCHAR` / `String(v)`; floats compared as numbers in SQL
 * against categories written by {@link floatText}.
 */
export interface CategoryCodec {
  /** The SQL value to group and compare (the text, or the float itself). */
  sql: string;
  /** `value IN (categories)` in SQL, or FALSE for none. */
  inList(categories: string[]): string;
  /** `value = category` in SQL. */
  equals(category: string): string;
  /** The category of a fitted SQL value or a record's value (not missing). */
  key(v: unknown): string;
}

export function categoryCodec(ctx: StepContext, column: string): CategoryCodec {
  if (typeOf(ctx, column) === 'float') {
    const sql = quoteIdent(column);
    const literal = (cat: string): string => `${quoteLiteral(cat)}::DOUBLE`;
    return {
      sql,
      inList: (cats) => (cats.length === 0 ? 'FALSE' : `${sql} IN (${cats.map(literal).join(', ')})`),
      equals: (cat) => `${sql} = ${literal(cat)}`,
      key: (v) => floatText(Number(v)),
    };
  }
  const sql = catSql(column);
  return { sql, inList: (cats) => inListSql(sql, cats), equals: (cat) => `${sql} = ${quoteLiteral(cat)}`, key: (v) => String(v) };
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

/** The record-path error for an unseen category; compileRecordTransform adds the record number. */
export function unseenError(ctx: StepContext, kind: string, column: string, value: unknown, known: string[]): SluiceError {
  const shown =
    known
      .slice(0, 10)
      .map((k) => JSON.stringify(k))
      .join(', ') + (known.length > 10 ? `, ... (${known.length} in all)` : '');
  return new SluiceError(
    'RECORD_UNSEEN_CATEGORY',
    `value ${JSON.stringify(value)} of field "${column}" was not seen when the flow was fitted (step ${ctx.index + 1}, ${kind})`,
    {
      location: { step: ctx.index, field: column },
      hint: `send one of ${shown || 'the fitted categories'}, or refit the flow on data that has it (or set unseen: missing)`,
    },
  );
}
