import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { isMissingSql, presentOrNullSql } from '../../core/missing.js';
import { RESERVED_COLUMN_NAME, RESERVED_COLUMN_REASON } from '../../core/reservedColumnName.js';
import type { ColumnSchema, LogicalType } from '../../core/types.js';
import { identList, quoteIdent } from '../../engine/sql.js';
import type { StepContext } from '../step.js';
import { closest } from '../../core/closest.js';

/** Fields every step accepts besides its own: a label and a note for people. */
export const common = {
  name: z.string().optional().describe('A label for the step, shown in previews and errors.'),
  description: z.string().optional().describe('A note for people reading the flow.'),
  as: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a branch name is a letter or _ followed by letters, digits or _')
    .optional()
    .describe('Names the table after this step, so a later join or concatenate (`with:`) or a branch input (`inputs: NAME: { branch: ... }`) reads it.'),
};

/** A column name a flow gives: not `__proto__` (src/core/reservedColumnName.ts). */
const notReserved = [
  (n: string) => n !== RESERVED_COLUMN_NAME,
  `"${RESERVED_COLUMN_NAME}" cannot be a column name: ${RESERVED_COLUMN_REASON}; choose another name`,
] as const;

/** A column name without a description of its own (as a map's values). */
export const columnNameText = z
  .string()
  .min(1)
  .refine(...notReserved);
export const columnList = z.array(columnNameText).min(1).describe('Column names.');
export const columnName = columnNameText.describe('A column name.');

/**
 * Missing on the record path: null, undefined, NaN and ±Infinity (src/core/missing.ts). Text
 * tokens such as `NA` were turned into null when the record entered the flow.
 */
export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v));
}

/** SQL: true when column `c` is missing at this step (NULL, or NaN/±Infinity in a float column). */
export function missingSql(ctx: StepContext, c: string): string {
  return isMissingSql(quoteIdent(c), ctx.columns.find((x) => x.name === c)?.type === 'float');
}

/** SQL: column `c` with NaN and ±Infinity as NULL (for aggregates that must skip them). */
export function valueOrNullSql(ctx: StepContext, c: string): string {
  return presentOrNullSql(quoteIdent(c), ctx.columns.find((x) => x.name === c)?.type === 'float');
}

/**
 * The record path of a step that rewrites each listed column's present values: missing values
 * stay as they are (as NULL passes through the SQL path), the rest go through `fn`.
 */
export function mapPresent(
  columns: readonly string[],
  fn: (value: unknown, column: string) => unknown,
): (row: Record<string, unknown>) => Record<string, unknown> {
  // Copied on the first change only: a record whose listed values are all missing passes as it is
  // (no step changes the row it is given).
  return (row) => {
    let out: Record<string, unknown> | undefined;
    for (const c of columns) {
      const v = (out ?? row)[c];
      if (!isMissing(v)) (out ??= { ...row })[c] = fn(v, c);
    }
    return out ?? row;
  };
}

/** `SELECT * REPLACE (expr AS "col", ...) FROM input`, or all columns when nothing changes. */
export function replaceSql(input: string, replacements: Array<[string, string]>): string {
  if (replacements.length === 0) return `SELECT * FROM ${input}`;
  return `SELECT * REPLACE (${replacements.map(([c, e]) => `${e} AS ${quoteIdent(c)}`).join(', ')}) FROM ${input}`;
}

/** `SELECT *, expr AS "new", ... FROM input`. */
export function addSql(input: string, additions: Array<[string, string]>): string {
  return `SELECT *${additions.map(([c, e]) => `, ${e} AS ${quoteIdent(c)}`).join('')} FROM ${input}`;
}

/** `SELECT * EXCLUDE (...) FROM input`. */
export function excludeSql(input: string, columns: string[]): string {
  if (columns.length === 0) return `SELECT * FROM ${input}`;
  return `SELECT * EXCLUDE (${identList(columns)}) FROM ${input}`;
}

export function typeOf(ctx: StepContext, column: string): LogicalType {
  const c = ctx.columns.find((x) => x.name === column);
  if (!c) throw missingColumn(ctx, column);
  return c.type;
}

export function missingColumn(ctx: StepContext, column: string): SluiceError {
  const near = closest(
    column,
    ctx.columns.map((c) => c.name),
  );
  return new SluiceError('FLOW_MISSING_COLUMN', `step ${ctx.index + 1} needs column "${column}", which the data does not have at that point`, {
    location: { step: ctx.index, field: column },
    hint: near
      ? `did you mean "${near}"? Columns here: ${ctx.columns.map((c) => c.name).join(', ')}`
      : `columns here: ${ctx.columns.map((c) => c.name).join(', ')}`,
  });
}

/** A new column must not collide with an existing one. */
export function assertNew(ctx: StepContext, column: string): void {
  if (ctx.columns.some((c) => c.name === column)) {
    throw new SluiceError('FLOW_COLUMN_EXISTS', `step ${ctx.index + 1} creates column "${column}", which already exists`, {
      location: { step: ctx.index, field: column },
      hint: 'choose another output name, or drop or rename the existing column first',
    });
  }
}

/** Replaces the types of some columns in a schema. */
export function retype(columns: ColumnSchema[], types: Record<string, LogicalType>): ColumnSchema[] {
  return columns.map((c) => ({ name: c.name, type: ownEntry(types, c.name) ?? c.type }));
}

/**
 * `map[name]` when the map (a step's mapping, a fitted table) holds `name` as its own key, else
 * undefined: a column named `constructor` or `toString` must not find Object.prototype's member.
 */
export function ownEntry<T>(map: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

export function plain(columns: ColumnSchema[]): ColumnSchema[] {
  return columns.map((c) => ({ name: c.name, type: c.type }));
}

/** The closest name by edit distance (core/closest.ts), for the steps' "did you mean" hints. */
export { closest };

/**
 * DuckDB reads a date only as year-month-day (with - or /) and refuses impossible days; JavaScript's
 * Date also takes "5" (as 2001-05-01) or "Jan 5 2024" and rolls 2024-02-30 over to March 1st.
 */
function ymdPrefix(s: string): boolean {
  const m = /^\s*(\d{4,})[-/](\d{1,2})[-/](\d{1,2})(?=$|[ T])/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const t = new Date(0);
  t.setUTCFullYear(y, mo, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo && t.getUTCDate() === d;
}

/** Coerces a record value to a logical type the way DuckDB's TRY_CAST does (NULL when it cannot). */
export function coerce(v: unknown, type: LogicalType): unknown {
  if (isMissing(v)) return null;
  switch (type) {
    case 'integer': {
      if (typeof v === 'number') return Number.isInteger(v) ? v : Math.sign(v) * Math.round(Math.abs(v));
      if (typeof v === 'boolean') return v ? 1 : 0;
      const s = String(v).trim();
      if (/^[+-]?\d+$/.test(s)) return Number(s);
      if (s !== '' && Number.isFinite(Number(s))) {
        const n = Number(s);
        return Math.sign(n) * Math.round(Math.abs(n));
      }
      return null;
    }
    case 'float': {
      if (typeof v === 'number') return v;
      if (typeof v === 'boolean') return v ? 1 : 0;
      const s = String(v).trim();
      if (s === '' || !Number.isFinite(Number(s))) {
        const low = s.toLowerCase();
        if (low === 'nan') return Number.NaN;
        if (low === 'inf' || low === 'infinity') return Infinity;
        if (low === '-inf' || low === '-infinity') return -Infinity;
        return null;
      }
      return Number(s);
    }
    case 'boolean': {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      const s = String(v).trim().toLowerCase();
      if (['true', 't', '1', 'yes', 'y'].includes(s)) return true;
      if (['false', 'f', '0', 'no', 'n'].includes(s)) return false;
      return null;
    }
    case 'date': {
      if (!(v instanceof Date) && !ymdPrefix(String(v))) return null;
      const d = v instanceof Date ? v : new Date(String(v));
      return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 10);
    }
    case 'timestamp': {
      if (!(v instanceof Date) && !ymdPrefix(String(v))) return null;
      const d = v instanceof Date ? v : new Date(String(v).replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(String(v)) ? '' : 'Z'));
      return Number.isNaN(d.getTime()) ? null : d.toISOString().replace('T', ' ').replace('Z', '');
    }
    default:
      if (v instanceof Date) return v.toISOString();
      return String(v);
  }
}
