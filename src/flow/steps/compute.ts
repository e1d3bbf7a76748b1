import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import type { LogicalType } from '../../core/types.js';
import { exprToJs, exprToSql } from '../expr/compileExpr.js';
import { exprColumns, parseExpr, type Expr } from '../expr/parseExpr.js';
import { defineStep, type StepContext } from '../step.js';
import { addSql, assertNew, coerce, columnName, common, replaceSql } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('compute'),
      output: columnName.describe('The column to create (or replace, with replace: true).'),
      expression: z.string().min(1).describe('One SQL expression over the columns, e.g. `num_medications / (time_in_hospital + 1)`.'),
      type: z.enum(['string', 'integer', 'float', 'boolean', 'date', 'timestamp']).describe('The type of the result.'),
      replace: z.boolean().default(false).describe('Replace an existing column instead of adding one.'),
      ...common,
    })
    .strict();

/** Parses the expression with the step's position in messages. */
export function parseStepExpr(source: string, ctx: StepContext): Expr {
  try {
    return parseExpr(source);
  } catch (e) {
    if (e instanceof SluiceError) {
      throw new SluiceError(e.code, `step ${ctx.index + 1}: ${e.message}`, {
        location: { step: ctx.index, field: 'expression', column: e.location?.column },
        hint: e.hint,
      });
    }
    throw e;
  }
}

const SQL_TYPE: Record<string, string> = { string: 'VARCHAR', integer: 'BIGINT', float: 'DOUBLE', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMP' };

/** A computed column from a SQL expression (Data Wrangler's "custom formula"). */
export const compute = defineStep({
  kind: 'compute',
  schema,
  doc: {
    title: 'Computed column',
    family: 'expression',
    description:
      'Adds (or replaces) a column computed by one SQL expression: arithmetic, comparisons, AND/OR/NOT, IS NULL, IN, BETWEEN, LIKE, CASE WHEN, CAST, and the functions abs, round, floor, ceil, sqrt, ln, log10, log1p, exp, power, least, greatest, coalesce, nullif, lower, upper, trim, length, substr, replace, contains, starts_with, concat, lpad, rpad, center, swapcase, remove_symbols, and for dates year, quarter, month, day, dayofweek, dayofyear, weekofyear, hour, minute, second, to_date, to_timestamp, last_day, datediff, date_add, add_months (a date is a date or timestamp column, or text `YYYY-MM-DD[ HH:MM[:SS]]`; see the function table below). Statements, sub-queries and other functions are refused when the flow is validated, so the same expression runs in DuckDB and on single records.',
    example: 'kind: compute\noutput: meds_per_day\nexpression: num_medications / (time_in_hospital + 1)\ntype: float',
  },
  inputs: (s, ctx) => [...exprColumns(parseStepExpr(s.expression, ctx))],
  outputs: (s, _f, ctx) => {
    if (!s.replace) assertNew(ctx, s.output);
    const t = s.type as LogicalType;
    return s.replace && ctx.columns.some((c) => c.name === s.output)
      ? ctx.columns.map((c) => (c.name === s.output ? { name: c.name, type: t } : { name: c.name, type: c.type }))
      : [...ctx.columns.map((c) => ({ name: c.name, type: c.type })), { name: s.output, type: t }];
  },
  sql: (s, _f, ctx, input) => {
    const e = `TRY_CAST(${exprToSql(parseStepExpr(s.expression, ctx))} AS ${SQL_TYPE[s.type]})`;
    return s.replace && ctx.columns.some((c) => c.name === s.output) ? replaceSql(input, [[s.output, e]]) : addSql(input, [[s.output, e]]);
  },
  record: (s, _f, ctx) => {
    const f = exprToJs(parseStepExpr(s.expression, ctx));
    return (row) => ({ ...row, [s.output]: castResult(f(row), s.type) });
  },
});

function castResult(v: unknown, type: string): unknown {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return null;
  switch (type) {
    case 'float':
      return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number.isFinite(Number(v)) && String(v).trim() !== '' ? Number(v) : null;
    case 'integer': {
      const n = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number(v);
      return Number.isFinite(n) && !(typeof v === 'string' && v.trim() === '') ? Math.sign(n) * Math.round(Math.abs(n)) : null;
    }
    case 'boolean':
      return typeof v === 'boolean'
        ? v
        : typeof v === 'number'
          ? v !== 0
          : ['true', 't', '1'].includes(String(v).toLowerCase())
            ? true
            : ['false', 'f', '0'].includes(String(v).toLowerCase())
              ? false
              : null;
    case 'date':
    case 'timestamp':
      return coerce(v, type);
    default:
      return typeof v === 'number' && !Number.isInteger(v) ? String(v) : String(v);
  }
}
