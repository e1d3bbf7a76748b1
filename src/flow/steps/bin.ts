import { z } from 'zod';
import { quoteIdent, quoteLiteral, sqlValue } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { assertNew, columnName, common, isMissing } from './common.js';
import { assertNumeric, num, presentSql } from './numeric.js';

const schema = () =>
  z
    .object({
      kind: z.literal('bin'),
      column: columnName,
      method: z
        .enum(['equal_width', 'quantile', 'edges'])
        .default('equal_width')
        .describe('equal_width and quantile learn the edges at fit time; edges uses the given ones.'),
      bins: z.number().int().min(1).max(1000).default(5).describe('The number of bins (equal_width, quantile).'),
      edges: z.array(z.number()).min(2).optional().describe('Increasing bin edges, for method edges.'),
      output: columnName.optional().describe('The new column; `<column>_bin` when absent.'),
      labels: z.enum(['index', 'range']).default('index').describe('index: the bin number 0, 1, ...; range: text such as "[1, 3.5)".'),
      ...common,
    })
    .strict()
    .refine((s) => s.method !== 'edges' || s.edges !== undefined, { message: 'method edges needs edges', path: ['edges'] })
    .refine((s) => !s.edges || s.edges.every((e, i) => i === 0 || e > s.edges![i - 1]!), { message: 'edges must be strictly increasing', path: ['edges'] });

type Spec = z.infer<ReturnType<typeof schema>>;
type Fitted = { edges: number[] };

const outName = (s: Spec): string => s.output ?? `${s.column}_bin`;
const fmt = (x: number): string => String(Number(x.toPrecision(6)));

/** Bin labels: `[lo, hi)`, the last one closed. */
export function binLabels(edges: number[]): string[] {
  return edges.slice(0, -1).map((lo, i) => `[${fmt(lo)}, ${fmt(edges[i + 1]!)}${i === edges.length - 2 ? ']' : ')'}`);
}

/** Bins a numeric column into a new column (Data Wrangler's "Bin numeric"). */
export const bin = defineStep<Spec, Fitted>({
  kind: 'bin',
  schema,
  doc: {
    title: 'Bin numeric',
    family: 'numeric',
    description:
      'Adds a column (`<column>_bin` unless output is given) with the bin of each value: bins of equal width between the fit-time minimum and maximum, bins with equal counts (quantile edges, duplicates merged), or explicit edges. Bins are [lo, hi) and the last one is closed; values outside the edges fall into the first or last bin, as scikit-learn KBinsDiscretizer does. The column holds the bin number (integer, from 0) or its range as text (labels: range). Missing values stay missing.',
    example: 'kind: bin\ncolumn: lab_score\nmethod: quantile\nbins: 4\nlabels: range',
    learns: 'the bin edges (equal_width, quantile)',
  },
  inputs: (s) => [s.column],
  async fit(s, ctx) {
    assertNumeric(ctx, 'bin', [s.column]);
    if (s.method === 'edges') return { edges: s.edges! };
    const x = `${quoteIdent(s.column)}::DOUBLE`;
    const where = presentSql(ctx, s.column);
    const rel = quoteIdent(ctx.relation);
    if (s.method === 'equal_width') {
      const r = (await ctx.engine.query(`SELECT min(${x}) AS lo, max(${x}) AS hi FROM ${rel} WHERE ${where}`))[0];
      const lo = num(r?.lo);
      const hi = num(r?.hi);
      if (lo === null || hi === null) return { edges: [] };
      if (lo === hi) return { edges: [lo, hi] };
      return { edges: Array.from({ length: s.bins + 1 }, (_, i) => (i === s.bins ? hi : lo + (i * (hi - lo)) / s.bins)) };
    }
    const qs = Array.from({ length: s.bins + 1 }, (_, i) => i / s.bins);
    const r = (await ctx.engine.query(`SELECT quantile_cont(${x}, [${qs.join(', ')}]) AS q FROM ${rel} WHERE ${where}`))[0];
    const q = Array.isArray(r?.q) ? (r.q as unknown[]).map(num).filter((v): v is number => v !== null) : [];
    const edges = q.filter((v, i) => i === 0 || v > q[i - 1]!);
    return { edges: edges.length === 1 ? [edges[0]!, edges[0]!] : edges };
  },
  outputs: (s, _f, ctx) => {
    assertNew(ctx, outName(s));
    return [
      ...ctx.columns.map((c) => ({ name: c.name, type: c.type })),
      { name: outName(s), type: s.labels === 'range' ? ('string' as const) : ('integer' as const) },
    ];
  },
  sql: (s, f, ctx, input) => {
    const c = quoteIdent(s.column);
    const inner = f.edges.slice(1, -1);
    const index = inner.length === 0 ? '0' : inner.map((e) => `(${c} >= ${sqlValue(e)})::BIGINT`).join(' + ');
    let e: string;
    if (f.edges.length === 0) e = s.labels === 'range' ? 'NULL::VARCHAR' : 'NULL::BIGINT';
    else if (s.labels === 'index') e = `CASE WHEN ${presentSql(ctx, s.column)} THEN (${index})::BIGINT END`;
    else e = `CASE WHEN ${presentSql(ctx, s.column)} THEN [${binLabels(f.edges).map(quoteLiteral).join(', ')}][(${index}) + 1] END`;
    return `SELECT *, ${e} AS ${quoteIdent(outName(s))} FROM ${input}`;
  },
  record: (s, f) => {
    const inner = f.edges.slice(1, -1);
    const labels = binLabels(f.edges);
    return (row) => {
      const v = row[s.column];
      if (isMissing(v) || f.edges.length === 0) return { ...row, [outName(s)]: null };
      const x = Number(v);
      let i = 0;
      for (const e of inner) if (x >= e) i += 1;
      return { ...row, [outName(s)]: s.labels === 'range' ? labels[i]! : i };
    };
  },
});
