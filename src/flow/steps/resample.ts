import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { quoteIdent } from '../../engine/sql.js';
import type { ColumnSchema } from '../../core/types.js';
import { defineStep, type StepContext } from '../step.js';
import { common, typeOf } from './common.js';
import { every, intervalSql, seriesFields, seriesInputs } from './series.js';

const NUMERIC = { mean: 'avg', sum: 'sum', min: 'min', max: 'max', median: 'median', first: 'first', last: 'last' } as const;
const OTHER = { mode: 'mode', first: 'first', last: 'last' } as const;

const schema = () =>
  z
    .object({
      kind: z.literal('resample'),
      ...seriesFields,
      every,
      numeric: z.enum(['mean', 'sum', 'min', 'max', 'median', 'first', 'last']).default('mean').describe('How the numbers of one interval become one value.'),
      other: z.enum(['mode', 'first', 'last']).default('mode').describe('How other values of one interval become one (`mode`: the most common).'),
      fill: z
        .enum(['none', 'ffill', 'linear'])
        .default('none')
        .describe(
          "Intervals with no rows between a series' first and last: `none` leaves them out; `ffill` adds them with the previous interval's values; `linear` adds them with numbers interpolated in time (other columns forward-filled).",
        ),
      ...common,
    })
    .strict();

type Spec = z.infer<ReturnType<typeof schema>>;

function check(s: Spec, ctx: StepContext): void {
  const t = typeOf(ctx, s.timestamp);
  if (t !== 'timestamp' && t !== 'date') {
    throw new SluiceError('FLOW_TYPE', `step ${ctx.index + 1} (resample) needs a date or timestamp column, but "${s.timestamp}" is ${t}`, {
      location: { step: ctx.index, field: 'timestamp' },
      hint: `convert "${s.timestamp}" first (kind: cast with to: timestamp, or kind: validate_timestamps)`,
    });
  }
}

/** The columns that are aggregated: all but the timestamp and the groups. */
function valueColumns(s: Spec, ctx: StepContext): ColumnSchema[] {
  const keys = new Set(seriesInputs(s));
  return ctx.columns.filter((c) => !keys.has(c.name));
}

const isNumber = (c: ColumnSchema): boolean => c.type === 'integer' || c.type === 'float';

/**
 * Data Wrangler's time series "Resample": one row per series and interval (`time_bucket`), the
 * numbers aggregated (mean by default, as float), other values by their most common value; gaps
 * optionally filled. Changes the rows, so training batches only.
 */
export const resample = defineStep({
  kind: 'resample',
  schema,
  rowsOnly: true,
  doc: {
    title: 'Resample a time series',
    family: 'time',
    description:
      'Gives each series (`group_by`) one row per interval of `every` (intervals start at whole multiples of the unit, as pandas `resample`): the timestamp becomes the interval\'s start, numbers are aggregated with `numeric` (as float), other columns with `other`. `fill` adds the intervals with no rows between a series\' first and last (`ffill`: previous values; `linear`: numbers interpolated in time, as pandas `interpolate(method="time")`, other values forward-filled); intervals that had rows are never changed. Rows with a missing timestamp are left out. Applies to training batches only.',
    example: 'kind: resample\ntimestamp: admitted_at\ngroup_by: [race]\nevery: 1 day\nnumeric: mean\nfill: linear',
  },
  inputs: (s) => seriesInputs(s),
  outputs: (s, _f, ctx) => {
    check(s, ctx);
    const keys = [...(s.group_by ?? []), s.timestamp].map((n) => ({ name: n, type: typeOf(ctx, n) }));
    return [...keys, ...valueColumns(s, ctx).map((c) => ({ name: c.name, type: isNumber(c) ? ('float' as const) : c.type }))];
  },
  sql: (s, _f, ctx, input) => {
    check(s, ctx);
    const ts = quoteIdent(s.timestamp);
    const groups = (s.group_by ?? []).map(quoteIdent);
    const values = valueColumns(s, ctx);
    const agg = (c: ColumnSchema): string =>
      isNumber(c) ? `${NUMERIC[s.numeric]}(${quoteIdent(c.name)}::DOUBLE)` : `${OTHER[s.other]}(${quoteIdent(c.name)})`;
    const bucket = `time_bucket(${intervalSql(s.every)}, ${ts})${typeOf(ctx, s.timestamp) === 'date' ? '::DATE' : ''}`;
    const keyList = [...groups, ts].join(', ');
    const buckets = `SELECT ${[...groups, `${bucket} AS ${ts}`, ...values.map((c) => `${agg(c)} AS ${quoteIdent(c.name)}`)].join(', ')}, true AS __present FROM ${input} WHERE ${ts} IS NOT NULL GROUP BY ALL`;
    if (s.fill === 'none') return `SELECT * EXCLUDE (__present) FROM (${buckets}) ORDER BY ${keyList}`;
    // Every interval between a series' first and last, the missing ones filled.
    const grid = `SELECT ${[...groups, `unnest(generate_series(min(${ts}), max(${ts}), ${intervalSql(s.every)}))${typeOf(ctx, s.timestamp) === 'date' ? '::DATE' : ''} AS ${ts}`].join(', ')} FROM b${groups.length ? ` GROUP BY ${groups.join(', ')}` : ''}`;
    const part = groups.length ? `PARTITION BY ${groups.join(', ')} ` : '';
    const before = `(${part}ORDER BY ${ts} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
    const after = `(${part}ORDER BY ${ts} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)`;
    const filled = values.map((c) => {
      const v = quoteIdent(c.name);
      const prev = `last_value(${v} IGNORE NULLS) OVER ${before}`;
      if (s.fill === 'ffill' || !isNumber(c)) return `CASE WHEN __present THEN ${v} ELSE ${prev} END AS ${v}`;
      const prevT = `last_value(CASE WHEN ${v} IS NOT NULL THEN epoch(${ts}) END IGNORE NULLS) OVER ${before}`;
      const next = `first_value(${v} IGNORE NULLS) OVER ${after}`;
      const nextT = `first_value(CASE WHEN ${v} IS NOT NULL THEN epoch(${ts}) END IGNORE NULLS) OVER ${after}`;
      return `CASE WHEN __present THEN ${v} ELSE ${prev} + (${next} - ${prev}) * (epoch(${ts}) - ${prevT}) / (${nextT} - ${prevT}) END AS ${v}`;
    });
    const using = [...(s.group_by ?? []), s.timestamp].map(quoteIdent).join(', ');
    return `WITH b AS (${buckets}), g AS (${grid}), j AS (SELECT g.*, b.* EXCLUDE (${using}) FROM g LEFT JOIN b USING (${using}))
      SELECT ${[...groups, ts, ...filled].join(', ')} FROM j ORDER BY ${keyList}`;
  },
  record: () => (row) => row,
});
