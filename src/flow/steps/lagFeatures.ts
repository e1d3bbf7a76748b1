import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { assertNew, columnName, common, plain, typeOf } from './common.js';
import { inFileOrder } from './rowOrder.js';
import { refuseRecords, seriesFields, seriesInputs, seriesServingProblem, seriesWindow } from './series.js';

const schema = () =>
  z
    .object({
      kind: z.literal('lag_features'),
      column: columnName.describe('The column whose earlier values become features.'),
      ...seriesFields,
      lags: z
        .number()
        .int()
        .min(1)
        .max(366)
        .describe('How many earlier values: columns `<column>_lag_1` (the previous row of the series) to `<column>_lag_<lags>`.'),
      ...common,
    })
    .strict();

type Spec = z.infer<ReturnType<typeof schema>>;

const names = (s: Spec): string[] => Array.from({ length: s.lags }, (_, i) => `${s.column}_lag_${i + 1}`);

/**
 * Data Wrangler's time series "Lag features": the previous values of a column in each series,
 * as pandas `groupby(...)[column].shift(k)`. Rows keep their order; the first rows of a series
 * have missing lags.
 */
export const lagFeatures = defineStep({
  kind: 'lag_features',
  schema,
  servingProblem: () => seriesServingProblem('lag_features'),
  doc: {
    title: 'Lag features',
    family: 'time',
    description:
      'Adds `<column>_lag_1` ... `<column>_lag_<lags>`: the value of `column` 1 ... `lags` rows earlier in the same series (rows of a `group_by` group ordered by `timestamp`, ties in file order), like pandas `groupby(group_by)[column].shift(k)` on rows sorted by time. The first rows of each series have missing lags. Rows keep their order. A single record at prediction time has no history, so a model whose flow has this step is refused at serving (compute the lags upstream instead).',
    example: 'kind: lag_features\ncolumn: lab_score\ntimestamp: admitted_at\ngroup_by: [race]\nlags: 2',
  },
  inputs: (s) => [s.column, ...seriesInputs(s)],
  outputs: (s, _f, ctx) => {
    const type = typeOf(ctx, s.column);
    names(s).forEach((n) => {
      assertNew(ctx, n);
    });
    return [...plain(ctx.columns), ...names(s).map((name) => ({ name, type }))];
  },
  sql: (s, _f, _ctx, input) => {
    const lags = names(s).map((n, i) => `lag(${quoteIdent(s.column)}, ${i + 1}) OVER ${seriesWindow(s)} AS ${quoteIdent(n)}`);
    return inFileOrder(input, `*, ${lags.join(', ')}`);
  },
  record: (_s, _f, ctx) => refuseRecords('lag_features', ctx),
});
