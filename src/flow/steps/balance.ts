import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep, type StepContext } from '../step.js';
import { columnName, common, plain } from './common.js';
import { numbered, ROW_NUMBER, seededRank } from './rowOrder.js';

const schema = z
  .object({
    kind: z.literal('balance'),
    column: columnName.optional().describe("The class column; the flow's target when absent."),
    method: z.enum(['oversample', 'undersample']).describe('`oversample`: add copies of rows of the smaller classes; `undersample`: keep fewer rows of the larger classes.'),
    ratio: z.number().gt(0).max(1).default(1).describe('The size of the smaller classes relative to the largest afterwards (1: equal).'),
    seed: z.number().int().min(0).default(0).describe('Which rows are copied or kept; the same seed gives the same rows.'),
    ...common,
  })
  .strict();

type Spec = z.infer<typeof schema>;

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
      "Evens out the classes of `column` (the flow's target by default) on training batches. With L the largest class's row count and S the smallest's: `oversample` brings every class to at least round(ratio x L) rows by appending copies of its rows (a seeded shuffle of the class, repeated as often as needed, so every row is copied once before any is copied twice); `undersample` keeps at most round(S / ratio) rows of each class (a seeded choice), in input order. Rows with a missing class are kept and not counted. Applies to training batches only, like every step that adds or removes rows; the run says how many rows it removed.",
    example: 'kind: balance\nmethod: oversample\nratio: 1\nseed: 7',
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
    const all = `SELECT *, 0 AS __part, 0 AS __copy FROM (${sizes}) UNION ALL SELECT *, 1 AS __part, unnest(range(${k})) AS __copy FROM (${sizes})`;
    // The input rows in their order, then the copies by class, round and shuffled rank.
    return `SELECT * EXCLUDE (${drop}, __part, __copy) FROM (${all}) ORDER BY __part, CASE WHEN __part = 0 THEN ${rn} END, ${c}, __copy, __rank`;
  },
  record: () => (row) => row,
});
