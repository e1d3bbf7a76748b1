import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { common, plain } from './common.js';
import { numbered, ROW_NUMBER, seededRank } from './rowOrder.js';

const schema = z
  .object({
    kind: z.literal('sample'),
    n: z.number().int().positive().optional().describe('How many rows to keep (all when the batch is smaller).'),
    fraction: z.number().gt(0).max(1).optional().describe('The share of rows to keep, rounded to a whole number of rows.'),
    seed: z.number().int().min(0).default(0).describe('Another seed gives another sample; the same seed gives the same rows.'),
    ...common,
  })
  .strict()
  .refine((s) => (s.n === undefined) !== (s.fraction === undefined), { message: 'give either n or fraction', path: ['n'] });

/**
 * Keeps a seeded random subset of rows. Not DuckDB's sampler (its choice varies with threads):
 * each row's rank is the md5 of its input position and the seed, so a re-run keeps the same rows.
 */
export const sample = defineStep({
  kind: 'sample',
  schema,
  rowsOnly: true,
  doc: {
    title: 'Sample rows',
    family: 'rows',
    description:
      'Keeps n rows, or a fraction of the rows (rounded), chosen at random but reproducibly: each row is ranked by the md5 of its position in the input and the seed (`md5("<position>:<seed>")`, positions from 1), so the same input and seed give the same rows on every run and every DuckDB version. Rows keep their input order. Applies to training batches only.',
    example: 'kind: sample\nfraction: 0.25\nseed: 42',
  },
  inputs: () => [],
  outputs: (_s, _f, ctx) => plain(ctx.columns),
  sql: (s, _f, _ctx, input) => {
    const rn = quoteIdent(ROW_NUMBER);
    const limit = s.n !== undefined ? String(s.n) : `round(${s.fraction} * count(*) OVER ())`;
    return `SELECT * EXCLUDE (${rn}) FROM ${numbered(input)} QUALIFY row_number() OVER (ORDER BY ${seededRank(s.seed)}, ${rn}) <= ${limit} ORDER BY ${rn}`;
  },
  record: () => (row) => row,
});
