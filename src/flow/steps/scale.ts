import { z } from 'zod';
import { quoteIdent, sqlValue } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { columnList, common, isMissing, replaceSql, retype } from './common.js';
import { assertNumeric, num, presentSql } from './numeric.js';

const schema = () =>
  z
    .object({
      kind: z.literal('scale'),
      columns: columnList,
      method: z
        .enum(['standard', 'robust', 'minmax', 'maxabs'])
        .default('standard')
        .describe('standard: (x - mean) / std; robust: (x - median) / IQR; minmax: to [0, 1]; maxabs: x / max |x|.'),
      ...common,
    })
    .strict();

type Spec = z.infer<ReturnType<typeof schema>>;
/** Per column: x becomes (x - center) / scale. */
type Fitted = { params: Record<string, { center: number; scale: number }> };

function aggregates(method: Spec['method'], x: string, where: string): [string, string] {
  const f = (agg: string) => `${agg} FILTER (WHERE ${where})`;
  switch (method) {
    case 'standard':
      return [f(`avg(${x})`), f(`stddev_pop(${x})`)];
    case 'robust':
      return [f(`quantile_cont(${x}, 0.5)`), `(${f(`quantile_cont(${x}, 0.75)`)} - ${f(`quantile_cont(${x}, 0.25)`)})`];
    case 'minmax':
      return [f(`min(${x})`), `(${f(`max(${x})`)} - ${f(`min(${x})`)})`];
    case 'maxabs':
      return ['0', f(`max(abs(${x}))`)];
  }
}

/** Scales numeric columns with parameters learned at fit time, as scikit-learn's scalers do. */
export const scale = defineStep<Spec, Fitted>({
  kind: 'scale',
  schema,
  doc: {
    title: 'Scale numeric columns',
    family: 'numeric',
    description:
      'Rescales numeric columns to float with parameters learned at fit time, as scikit-learn does: standard (x - mean) / std with the population std (StandardScaler, ddof=0); robust (x - median) / (Q3 - Q1) with linearly interpolated quartiles (RobustScaler); minmax (x - min) / (max - min) (MinMaxScaler); maxabs x / max|x| (MaxAbsScaler). A zero spread is replaced by 1, as scikit-learn does. Missing values stay missing and are ignored when learning.',
    example: 'kind: scale\ncolumns: [num_medications, lab_score]\nmethod: robust',
    learns: 'a center and a scale per column (mean/std, median/IQR, min/range or max |x|)',
  },
  inputs: (s) => s.columns,
  async fit(s, ctx) {
    assertNumeric(ctx, 'scale', s.columns);
    const sel = s.columns.flatMap((c, i) => {
      const [center, spread] = aggregates(s.method, `${quoteIdent(c)}::DOUBLE`, presentSql(ctx, c));
      return [`${center} AS c${i}`, `${spread} AS s${i}`];
    });
    const row = (await ctx.engine.query(`SELECT ${sel.join(', ')} FROM ${quoteIdent(ctx.relation)}`))[0] ?? {};
    const params: Fitted['params'] = {};
    s.columns.forEach((c, i) => {
      const spread = num(row[`s${i}`]);
      params[c] = { center: num(row[`c${i}`]) ?? 0, scale: spread === null || spread === 0 ? 1 : spread };
    });
    return { params };
  },
  outputs: (s, _f, ctx) => retype(ctx.columns, Object.fromEntries(s.columns.map((c) => [c, 'float' as const]))),
  sql: (s, f, _ctx, input) =>
    replaceSql(
      input,
      s.columns.map((c) => {
        const p = f.params[c] ?? { center: 0, scale: 1 };
        return [c, `((${quoteIdent(c)}::DOUBLE - ${sqlValue(p.center)}::DOUBLE) / ${sqlValue(p.scale)}::DOUBLE)`];
      }),
    ),
  record: (s, f) => (row) => {
    const out = { ...row };
    for (const c of s.columns) {
      const p = f.params[c] ?? { center: 0, scale: 1 };
      const v = out[c];
      out[c] = isMissing(v) ? null : (Number(v) - p.center) / p.scale;
    }
    return out;
  },
});
