import { z } from 'zod';
import { logicalToDuckType } from '../../core/types.js';
import { quoteIdent, sqlValue } from '../../engine/sql.js';
import { defineStep, type StepContext } from '../step.js';
import { columnList, common, isMissing, missingSql, plain, retype, typeOf } from './common.js';
import { inFileOrder } from './rowOrder.js';
import { assertNumeric } from './numeric.js';
import { refuseRecords, seriesFields, seriesInputs, seriesServingProblem, seriesWindow } from './series.js';

const schema = () =>
  z
    .object({
      kind: z.literal('fill_series'),
      columns: columnList.describe('The columns whose missing values are filled.'),
      ...seriesFields,
      method: z
        .enum(['ffill', 'bfill', 'linear', 'constant'])
        .describe(
          '`ffill`: the previous value of the series; `bfill`: the next; `linear`: interpolated in time between the two (numbers only); `constant`: `value`.',
        ),
      value: z.union([z.number(), z.string(), z.boolean()]).optional().describe('The fill value of `method: constant`.'),
      then: z
        .enum(['none', 'ffill_bfill'])
        .default('none')
        .describe(
          "What fills the values the method leaves missing (before a series' first value, after its last): `ffill_bfill` forward-fills, then back-fills.",
        ),
      ...common,
    })
    .strict()
    .refine((s) => (s.method === 'constant') === (s.value !== undefined), { message: 'give value with method: constant, and only then', path: ['value'] });

type Spec = z.infer<ReturnType<typeof schema>>;

const needsHistory = (s: Spec): boolean => s.method !== 'constant' || s.then !== 'none';

function fillSql(s: Spec, ctx: StepContext, c: string): string {
  const v = quoteIdent(c);
  const present = `CASE WHEN NOT ${missingSql(ctx, c)} THEN ${v} END`;
  const before = seriesWindow(s, 'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW');
  const after = seriesWindow(s, 'ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING');
  const prev = `last_value(${present} IGNORE NULLS) OVER ${before}`;
  const next = `first_value(${present} IGNORE NULLS) OVER ${after}`;
  const t = `epoch(${quoteIdent(s.timestamp)})`;
  let e: string;
  switch (s.method) {
    case 'ffill':
      e = prev;
      break;
    case 'bfill':
      e = next;
      break;
    case 'constant':
      e = `CAST(${sqlValue(s.value)} AS ${logicalToDuckType(typeOf(ctx, c))})`;
      break;
    case 'linear': {
      const prevT = `last_value(CASE WHEN ${present} IS NOT NULL THEN ${t} END IGNORE NULLS) OVER ${before}`;
      const nextT = `first_value(CASE WHEN ${present} IS NOT NULL THEN ${t} END IGNORE NULLS) OVER ${after}`;
      // Equal neighbour times (or the row itself present) give the previous value, never a division by zero.
      e = `coalesce(${present}::DOUBLE, CASE WHEN ${nextT} = ${prevT} THEN ${prev}::DOUBLE ELSE ${prev} + (${next} - ${prev}) * (${t} - ${prevT}) / (${nextT} - ${prevT}) END)`;
      break;
    }
  }
  if (s.then === 'ffill_bfill') e = `coalesce(${e}, ${prev}, ${next})`;
  return `coalesce(${present}, ${e})${s.method === 'linear' ? '::DOUBLE' : ''}`;
}

/**
 * Data Wrangler's time series "Handle missing": fills a column's gaps from the same series
 * (previous, next, interpolated in time) or with a constant, as pandas `ffill`, `bfill`,
 * `interpolate(method="time")`, `fillna`. Present values are never changed; rows keep their order.
 */
export const fillSeries = defineStep({
  kind: 'fill_series',
  schema,
  servingProblem: (s) => (needsHistory(s) ? seriesServingProblem(`fill_series with method ${s.method}`) : undefined),
  doc: {
    title: 'Fill missing values along a series',
    family: 'time',
    description:
      'Fills the missing values of each column from the same series (rows of a `group_by` group ordered by `timestamp`): `ffill` takes the previous present value, `bfill` the next, `linear` interpolates between them in proportion to time (as pandas `interpolate(method="time")`; numbers only, the column becomes float), `constant` puts `value`. `then: ffill_bfill` fills what is left at the ends of a series. Present values never change; rows keep their order. Only `method: constant` without `then` runs on a single record at prediction time; the others need the series and are refused at serving.',
    example: 'kind: fill_series\ncolumns: [lab_score]\ntimestamp: admitted_at\ngroup_by: [race]\nmethod: linear\nthen: ffill_bfill',
  },
  inputs: (s) => [...s.columns, ...seriesInputs(s)],
  outputs: (s, _f, ctx) => {
    s.columns.forEach((c) => {
      typeOf(ctx, c);
    });
    if (s.method === 'linear') assertNumeric(ctx, 'fill_series', s.columns);
    return s.method === 'linear' ? retype(plain(ctx.columns), Object.fromEntries(s.columns.map((c) => [c, 'float' as const]))) : plain(ctx.columns);
  },
  sql: (s, _f, ctx, input) => {
    if (s.method === 'linear') assertNumeric(ctx, 'fill_series', s.columns);
    const replace = s.columns.map((c) => `${fillSql(s, ctx, c)} AS ${quoteIdent(c)}`).join(', ');
    return inFileOrder(input, `* REPLACE (${replace})`);
  },
  record: (s, _f, ctx) => {
    if (needsHistory(s)) return refuseRecords(`fill_series with method ${s.method}`, ctx);
    return (row) => {
      const out = { ...row };
      for (const c of s.columns) if (isMissing(out[c])) out[c] = s.value;
      return out;
    };
  },
});
