import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { isNumericType, type LogicalType } from '../../core/types.js';
import { quoteIdent, sqlValue } from '../../engine/sql.js';
import { defineStep, type Row } from '../step.js';
import { columnList, common, isMissing, missingSql, valueOrNullSql, replaceSql, retype, typeOf } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('impute'),
      columns: columnList,
      strategy: z.enum(['mean', 'median', 'mode', 'constant']).describe('How the fill value is chosen.'),
      value: z.union([z.string(), z.number(), z.boolean()]).optional().describe('The fill value for strategy constant.'),
      ...common,
    })
    .strict()
    .refine((s) => s.strategy !== 'constant' || s.value !== undefined, { message: 'strategy constant needs a value', path: ['value'] });

type Fitted = { values: Record<string, string | number | boolean | null> };

/**
 * Fills missing values. mean and median learn one number per numeric column at fit time; mode
 * learns the most frequent value (ties broken by the smallest value, so fits are reproducible).
 */
export const impute = defineStep<z.infer<ReturnType<typeof schema>>, Fitted>({
  kind: 'impute',
  schema,
  doc: {
    title: 'Impute missing values',
    family: 'missing',
    description:
      'Replaces missing values with the column mean, median (exact, as pandas), most frequent value, or a constant. An integer column filled with a fractional mean or median becomes a float column.',
    example: 'kind: impute\ncolumns: [time_in_hospital, num_medications]\nstrategy: median',
    learns: 'one fill value per column (mean, median or mode)',
  },
  inputs: (s) => s.columns,
  async fit(s, ctx) {
    const values: Fitted['values'] = {};
    if (s.strategy === 'constant') {
      for (const c of s.columns) values[c] = s.value ?? null;
      return { values };
    }
    for (const c of s.columns) {
      const t = typeOf(ctx, c);
      if (s.strategy !== 'mode' && !isNumericType(t)) {
        throw new SluiceError('FLOW_TYPE', `step ${ctx.index + 1} (impute ${s.strategy}) needs a numeric column, but "${c}" is ${t}`, {
          location: { step: ctx.index, field: c },
          hint: 'use strategy mode or constant for text columns, or cast the column first',
        });
      }
    }
    const q = quoteIdent;
    // NaN and ±Infinity are missing: the aggregates skip them as they skip NULL (pandas' skipna).
    const aggs = s.columns.map((c, i) =>
      s.strategy === 'mean' ? `avg(${valueOrNullSql(ctx, c)}) AS v${i}` : `median(${valueOrNullSql(ctx, c)})::DOUBLE AS v${i}`,
    );
    // mode() has no tie-break of its own; order by count desc then value for reproducibility
    if (s.strategy === 'mode') {
      for (const [i, c] of s.columns.entries()) {
        const rows = await ctx.engine.query(
          `SELECT ${q(c)} AS v FROM ${q(ctx.relation)} WHERE NOT ${missingSql(ctx, c)} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
        );
        values[c] = (rows[0]?.v as string | number | boolean | undefined) ?? null;
        void i;
      }
      return { values };
    }
    const row = (await ctx.engine.query(`SELECT ${aggs.join(', ')} FROM ${q(ctx.relation)}`))[0] ?? {};
    s.columns.forEach((c, i) => {
      const v = row[`v${i}`];
      values[c] = typeof v === 'number' ? v : null;
    });
    return { values };
  },
  outputs: (s, f, ctx) => retype(ctx.columns, Object.fromEntries(s.columns.map((c) => [c, outType(typeOf(ctx, c), f.values[c])]))),
  sql: (s, f, ctx, input) =>
    replaceSql(
      input,
      s.columns.map((c) => {
        const t = outType(typeOf(ctx, c), f.values[c]);
        const col = t === 'float' && typeOf(ctx, c) === 'integer' ? `${quoteIdent(c)}::DOUBLE` : quoteIdent(c);
        // CASE, not coalesce: NaN and ±Infinity are missing too, and coalesce fills only NULL.
        return [c, `CASE WHEN ${missingSql(ctx, c)} THEN ${sqlValue(f.values[c])} ELSE ${col} END`];
      }),
    ),
  record: (s, f) => (row) => {
    // Copied on the first fill only: a record with nothing missing passes as it is.
    let out: Row | undefined;
    for (const c of s.columns) if (isMissing((out ?? row)[c])) (out ??= { ...row })[c] = f.values[c] ?? null;
    return out ?? row;
  },
});

function outType(t: LogicalType, value: unknown): LogicalType {
  if (t === 'integer' && typeof value === 'number' && !Number.isInteger(value)) return 'float';
  return t;
}
