import { z } from 'zod';
import type { LogicalType } from '../../core/types.js';
import { quoteIdent, sqlValue } from '../../engine/sql.js';
import { defineStep, type FitContext } from '../step.js';
import { columnList, common, mapPresent, replaceSql, retype, typeOf } from './common.js';
import { assertNumeric, num, presentSql } from './numeric.js';

const schema = () =>
  z
    .object({
      kind: z.literal('clip_outliers'),
      columns: columnList,
      method: z.enum(['robust_stdev', 'stdev', 'quantile']).default('robust_stdev').describe('How the bounds are learned.'),
      k: z.number().positive().default(3).describe('How many standard deviations from the center the bounds lie (robust_stdev, stdev).'),
      lower_quantile: z.number().min(0).max(1).default(0.01).describe("The lower bound's quantile (method quantile)."),
      upper_quantile: z.number().min(0).max(1).default(0.99).describe("The upper bound's quantile (method quantile)."),
      ...common,
    })
    .strict()
    .refine((s) => s.lower_quantile < s.upper_quantile, { message: 'lower_quantile must be below upper_quantile', path: ['lower_quantile'] });

type Spec = z.infer<ReturnType<typeof schema>>;
type Fitted = { bounds: Record<string, { lower: number | null; upper: number | null }> };

/** MAD times this estimates the standard deviation of normally distributed data (1 / Φ⁻¹(3/4)). */
export const MAD_TO_STD = 1.482602218505602;

/** An integer column stays integer when both bounds are whole numbers; otherwise it becomes float. */
function outType(t: LogicalType, b: { lower: number | null; upper: number | null } | undefined): LogicalType {
  if (t !== 'integer' || !b) return t;
  return [b.lower, b.upper].every((x) => x === null || Number.isInteger(x)) ? 'integer' : 'float';
}

async function learn(s: Spec, ctx: FitContext, c: string) {
  const x = `${quoteIdent(c)}::DOUBLE`;
  const rel = quoteIdent(ctx.relation);
  const where = presentSql(ctx, c);
  if (s.method === 'quantile') {
    const r = (
      await ctx.engine.query(`SELECT quantile_cont(${x}, ${s.lower_quantile}) AS lo, quantile_cont(${x}, ${s.upper_quantile}) AS hi FROM ${rel} WHERE ${where}`)
    )[0];
    return { lower: num(r?.lo), upper: num(r?.hi) };
  }
  const r =
    s.method === 'stdev'
      ? (await ctx.engine.query(`SELECT avg(${x}) AS center, stddev_samp(${x}) AS sd FROM ${rel} WHERE ${where}`))[0]
      : (
          await ctx.engine.query(
            `WITH m AS (SELECT median(${x}) AS med FROM ${rel} WHERE ${where})
             SELECT any_value(m.med) AS center, median(abs(${x} - m.med)) * ${MAD_TO_STD} AS sd FROM ${rel}, m WHERE ${where}`,
          )
        )[0];
  const center = num(r?.center);
  const sd = num(r?.sd) ?? 0;
  return center === null ? { lower: null, upper: null } : { lower: center - s.k * sd, upper: center + s.k * sd };
}

/** Clips numeric outliers to bounds learned at fit time (Data Wrangler's "Handle outliers"). */
export const clipOutliers = defineStep<Spec, Fitted>({
  kind: 'clip_outliers',
  schema,
  doc: {
    title: 'Clip numeric outliers',
    family: 'numeric',
    description:
      'Learns bounds per column at fit time and clips values outside them to the nearest bound: robust_stdev median ± k · 1.4826 · MAD (a standard deviation estimated from the median absolute deviation), stdev mean ± k · sample std (pandas .std(), ddof=1), quantile the lower_quantile and upper_quantile (linear interpolation, as pandas .quantile). k defaults to 3; quantiles to 0.01 and 0.99. Rows are never removed. An integer column stays integer when both bounds are whole numbers, otherwise it becomes float. Missing values stay missing.',
    example: 'kind: clip_outliers\ncolumns: [num_lab_procedures, lab_score]\nmethod: robust_stdev\nk: 2',
    learns: 'a lower and an upper bound per column',
  },
  inputs: (s) => s.columns,
  async fit(s, ctx) {
    assertNumeric(ctx, 'clip_outliers', s.columns);
    const bounds: Fitted['bounds'] = {};
    for (const c of s.columns) bounds[c] = await learn(s, ctx, c);
    return { bounds };
  },
  outputs: (s, f, ctx) => retype(ctx.columns, Object.fromEntries(s.columns.map((c) => [c, outType(typeOf(ctx, c), f.bounds[c])]))),
  sql: (s, f, ctx, input) =>
    replaceSql(
      input,
      s.columns.map((c) => {
        const b = f.bounds[c] ?? { lower: null, upper: null };
        const t = typeOf(ctx, c);
        let e = outType(t, b) === 'float' && t === 'integer' ? `${quoteIdent(c)}::DOUBLE` : quoteIdent(c);
        // greatest/least skip NULL arguments, so a missing value must be kept apart
        if (b.lower !== null) e = `greatest(${e}, ${sqlValue(b.lower)})`;
        if (b.upper !== null) e = `least(${e}, ${sqlValue(b.upper)})`;
        return [c, `CASE WHEN ${presentSql(ctx, c)} THEN ${e} ELSE ${quoteIdent(c)} END`];
      }),
    ),
  record: (s, f) =>
    mapPresent(s.columns, (v, c) => {
      const b = f.bounds[c] ?? { lower: null, upper: null };
      let x = Number(v);
      if (b.lower !== null && x < b.lower) x = b.lower;
      if (b.upper !== null && x > b.upper) x = b.upper;
      return x;
    }),
});
