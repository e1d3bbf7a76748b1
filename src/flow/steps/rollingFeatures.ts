import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { assertNew, columnName, common, plain } from './common.js';
import { inFileOrder } from './rowOrder.js';
import { assertNumeric } from './numeric.js';
import { refuseRecords, seriesFields, seriesInputs, seriesServingProblem, seriesWindow } from './series.js';

const STATS = { mean: 'avg', sum: 'sum', min: 'min', max: 'max', std: 'stddev_samp', median: 'median' } as const;
type Stat = keyof typeof STATS;

const schema = () =>
  z
    .object({
      kind: z.literal('rolling_features'),
      column: columnName.describe('The number column summarised over a moving window.'),
      ...seriesFields,
      window: z.number().int().min(1).max(10_000).describe('The window: this row and the `window - 1` rows before it in the series.'),
      stats: z
        .array(z.enum(['mean', 'sum', 'min', 'max', 'std', 'median']))
        .min(1)
        .default(['mean', 'std', 'min', 'max'])
        .describe('The statistics, one column each: `<column>_rolling_<window>_<stat>`.'),
      ...common,
    })
    .strict();

type Spec = z.infer<ReturnType<typeof schema>>;

const name = (s: Spec, stat: Stat): string => `${s.column}_rolling_${s.window}_${stat}`;

/**
 * Data Wrangler's time series "Rolling window features": statistics of the last `window` values
 * of each series, as pandas `groupby(...)[column].rolling(window, min_periods=1)`.
 */
export const rollingFeatures = defineStep({
  kind: 'rolling_features',
  schema,
  servingProblem: () => seriesServingProblem('rolling_features'),
  doc: {
    title: 'Rolling window features',
    family: 'time',
    description:
      'Adds one float column `<column>_rolling_<window>_<stat>` per statistic (mean, sum, min, max, std (sample standard deviation), median) of the values of `column` in this row and the `window - 1` rows before it in the same series (rows of a `group_by` group ordered by `timestamp`), like pandas `rolling(window, min_periods=1)`: the first rows use the rows there are; missing values are skipped. Rows keep their order. A single record at prediction time has no history, so a model whose flow has this step is refused at serving.',
    example: 'kind: rolling_features\ncolumn: lab_score\ntimestamp: admitted_at\nwindow: 3\nstats: [mean, max]',
  },
  inputs: (s) => [s.column, ...seriesInputs(s)],
  outputs: (s, _f, ctx) => {
    assertNumeric(ctx, 'rolling_features', [s.column]);
    s.stats.forEach((st) => {
      assertNew(ctx, name(s, st));
    });
    return [...plain(ctx.columns), ...s.stats.map((st) => ({ name: name(s, st), type: 'float' as const }))];
  },
  sql: (s, _f, ctx, input) => {
    assertNumeric(ctx, 'rolling_features', [s.column]);
    const frame = seriesWindow(s, `ROWS BETWEEN ${s.window - 1} PRECEDING AND CURRENT ROW`);
    const cols = s.stats.map((st) => `${STATS[st]}(${quoteIdent(s.column)}::DOUBLE) OVER ${frame} AS ${quoteIdent(name(s, st))}`);
    return inFileOrder(input, `*, ${cols.join(', ')}`);
  },
  record: (_s, _f, ctx) => refuseRecords('rolling_features', ctx),
});
