import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep, type StepContext } from '../step.js';
import { columnName, common, plain, typeOf } from './common.js';
import { numbered, ROW_NUMBER, seededRank } from './rowOrder.js';

const schema = () =>
  z
    .object({
      kind: z.literal('balance'),
      column: columnName.optional().describe("The class column; the flow's target when absent."),
      method: z
        .enum(['oversample', 'undersample', 'smote'])
        .describe(
          '`oversample`: add copies of rows of the smaller classes; `undersample`: keep fewer rows of the larger classes; `smote`: add synthetic rows between a row and one of its nearest neighbours of the same class.',
        ),
      k: z.number().int().positive().default(5).describe('smote: how many nearest neighbours of the same class a synthetic row may be drawn towards.'),
      ratio: z.number().gt(0).max(1).default(1).describe('The size of the smaller classes relative to the largest afterwards (1: equal).'),
      seed: z.number().int().min(0).default(0).describe('Which rows are copied or kept; the same seed gives the same rows.'),
      ...common,
    })
    .strict();

type Spec = z.infer<ReturnType<typeof schema>>;

function classColumn(s: Spec, ctx: StepContext): string {
  const c = s.column ?? ctx.target;
  if (!c) {
    throw new SluiceError('FLOW_INVALID', `step ${ctx.index + 1} (balance) needs a class column: the flow has no target`, {
      location: { step: ctx.index, field: 'column' },
      hint: 'name the class column: column: <name>, or give the flow a target',
    });
  }
  return c;
}

/**
 * Data Wrangler's "Balance data" (random oversample, random undersample): evens out the classes
 * of a column on training batches. Seeded like `sample`; rows with a missing class are kept as
 * they are and not counted.
 */
export const balance = defineStep({
  kind: 'balance',
  schema,
  rowsOnly: true,
  doc: {
    title: 'Balance classes',
    family: 'rows',
    description:
      "Evens out the classes of `column` (the flow's target by default) on training batches. With L the largest class's row count and S the smallest's: `oversample` brings every class to at least round(ratio x L) rows by appending copies of its rows (a seeded shuffle of the class, repeated as often as needed, so every row is copied once before any is copied twice); `undersample` keeps at most round(S / ratio) rows of each class (a seeded choice), in input order. `smote` appends the same number of rows as `oversample`, each synthetic (SMOTE): on the segment from its row to one of that row's k nearest neighbours of the same class (Euclidean distance over the integer and float columns), x + gap x (neighbour - x) with the neighbour and the gap drawn from the seed; integer columns are rounded, other columns keep the row's value, and a class of one row gets copies; neighbours are found by comparing every pair of rows of a class that gets synthetic rows (quadratic: fine for tens of thousands of rows, slow for millions). Rows with a missing class are kept and not counted. Applies to training batches only, like every step that adds or removes rows; the run says how many rows it removed.",
    example: 'kind: balance\nmethod: smote\nk: 5\nratio: 1\nseed: 7',
  },
  inputs: (s, ctx) => [classColumn(s, ctx)],
  outputs: (_s, _f, ctx) => plain(ctx.columns),
  sql: (s, _f, ctx, input) => {
    const c = quoteIdent(classColumn(s, ctx));
    const rn = quoteIdent(ROW_NUMBER);
    const ranked = `SELECT *, row_number() OVER (PARTITION BY ${c} ORDER BY ${seededRank(s.seed)}, ${rn}) AS __rank, count(*) OVER (PARTITION BY ${c}) AS __n,
      max(CASE WHEN ${c} IS NOT NULL THEN 1 END) OVER () AS __any FROM ${numbered(input)}`;
    const sizes = `SELECT *, max(CASE WHEN ${c} IS NOT NULL THEN __n END) OVER () AS __largest, min(CASE WHEN ${c} IS NOT NULL THEN __n END) OVER () AS __smallest FROM (${ranked})`;
    const drop = `${rn}, __rank, __n, __any, __largest, __smallest`;
    if (s.method === 'undersample') {
      return `SELECT * EXCLUDE (${drop}) FROM (${sizes}) WHERE ${c} IS NULL OR __rank <= greatest(round(__smallest / ${s.ratio}), 1) ORDER BY ${rn}`;
    }
    // Copies: a class of n rows needing k more gives row r floor((k - r) / n) + 1 copies (r <= k).
    const extra = `greatest(CAST(round(${s.ratio} * __largest) AS BIGINT) - __n, 0)`;
    const k = `CASE WHEN ${c} IS NOT NULL AND __rank <= ${extra} THEN (${extra} - __rank) // __n + 1 ELSE 0 END`;
    if (s.method === 'smote') return smoteSql(s, ctx, sizes, k, drop);
    const all = `SELECT *, 0 AS __part, 0 AS __copy FROM (${sizes}) UNION ALL SELECT *, 1 AS __part, unnest(range(${k})) AS __copy FROM (${sizes})`;
    // The input rows in their order, then the copies by class, round and shuffled rank.
    return `SELECT * EXCLUDE (${drop}, __part, __copy) FROM (${all}) ORDER BY __part, CASE WHEN __part = 0 THEN ${rn} END, ${c}, __copy, __rank`;
  },
  record: () => (row) => row,
});

/**
 * SMOTE (Chawla et al. 2002): each copy the random oversample would append becomes a synthetic
 * row on the segment from its row to one of that row's k nearest neighbours of the same class
 * (Euclidean distance over the numeric columns, ties by file order): x + gap * (neighbour - x),
 * with the neighbour and the gap in [0, 1) drawn from md5 of the row, the copy and the seed, so a
 * run is reproducible. Integer columns are rounded; other columns keep the row's value; a class
 * of one row has no neighbour, and its synthetic rows are copies.
 */
function smoteSql(s: Spec, ctx: StepContext, sizes: string, copies: string, drop: string): string {
  const cls = classColumn(s, ctx);
  const rn = quoteIdent(ROW_NUMBER);
  const numeric = ctx.columns.filter((col) => col.name !== cls && (col.type === 'integer' || col.type === 'float')).map((col) => col.name);
  if (numeric.length === 0) {
    throw new SluiceError('FLOW_TYPE', `step ${ctx.index + 1} (balance, smote) interpolates numeric columns, but there is none besides "${cls}"`, {
      location: { step: ctx.index, field: 'method' },
      hint: 'use method: oversample, or encode the features as numbers first (one_hot, ordinal_encode)',
    });
  }
  const c = quoteIdent(cls);
  const dist = numeric.map((n) => `power(o.${quoteIdent(n)}::DOUBLE - b.${quoteIdent(n)}::DOUBLE, 2)`).join(' + ');
  const base = `SELECT *, ${copies} AS __copies FROM (${sizes})`;
  // the k nearest neighbours of every row that gets synthetic rows
  const near = `SELECT b.${rn} AS __base, o.${rn} AS __nb, row_number() OVER (PARTITION BY b.${rn} ORDER BY ${dist} NULLS LAST, o.${rn}) AS __nr
    FROM (${base}) b JOIN (${base}) o ON b.${c} = o.${c} AND b.${rn} <> o.${rn} WHERE b.__copies > 0 QUALIFY __nr <= ${s.k}`;
  const draw = (what: string): string => `md5_number(${rn}::VARCHAR || ':' || __copy || ':' || ${Math.trunc(s.seed)} || ':${what}')`;
  const synth = `SELECT *, (${draw('gap')} % 1000000)::DOUBLE / 1000000 AS __gap, CASE WHEN __n > 1 THEN (${draw('nb')} % least(${s.k}, __n - 1))::BIGINT + 1 END AS __pick
    FROM (SELECT *, unnest(range(__copies)) AS __copy FROM (${base}) WHERE __copies > 0)`;
  const interpolated = numeric.map((n) => {
    const q = quoteIdent(n);
    const e = `p.${q} + p.__gap * (coalesce(o.${q}, p.${q}) - p.${q})`;
    return `${typeOf(ctx, n) === 'integer' ? `CAST(round(${e}) AS BIGINT)` : e} AS ${q}`;
  });
  const made = `SELECT p.* REPLACE (${interpolated.join(', ')}), 1 AS __part FROM (${synth}) p LEFT JOIN (${near}) nb ON nb.__base = p.${rn} AND nb.__nr = p.__pick LEFT JOIN (${base}) o ON o.${rn} = nb.__nb`;
  const all = `SELECT *, 0 AS __copy, 0 AS __part FROM (${base}) UNION ALL BY NAME SELECT * EXCLUDE (__gap, __pick) FROM (${made})`;
  return `SELECT * EXCLUDE (${drop}, __copies, __part, __copy) FROM (${all}) ORDER BY __part, CASE WHEN __part = 0 THEN ${rn} END, ${c}, __copy, __rank`;
}
