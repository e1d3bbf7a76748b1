import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { columnName, common, plain } from './common.js';
import { numbered, ROW_NUMBER, seededRank } from './rowOrder.js';

const schema = () =>
  z
    .object({
      kind: z.literal('sample'),
      n: z.number().int().positive().optional().describe('How many rows to keep (all when the batch is smaller).'),
      fraction: z.number().gt(0).max(1).optional().describe('The share of rows to keep, rounded to a whole number of rows.'),
      method: z.enum(['random', 'first']).default('random').describe('`random`: a seeded random choice; `first`: the first rows in input order.'),
      stratify_by: columnName
        .optional()
        .describe(
          'With method random: sample each value of this column in proportion to its share of the rows (each stratum keeps round(its rows x n / all rows), or round(its rows x fraction)).',
        ),
      seed: z.number().int().min(0).default(0).describe('Another seed gives another sample; the same seed gives the same rows.'),
      ...common,
    })
    .strict()
    .refine((s) => (s.n === undefined) !== (s.fraction === undefined), { message: 'give either n or fraction', path: ['n'] })
    .refine((s) => s.method === 'random' || s.stratify_by === undefined, { message: 'stratify_by needs method: random', path: ['stratify_by'] });

/**
 * Keeps a seeded random subset of rows, a stratified one, or the first rows. Not DuckDB's
 * sampler (its choice varies with threads): each row's rank is the md5 of its input position and
 * the seed, so a re-run keeps the same rows.
 */
export const sample = defineStep({
  kind: 'sample',
  schema,
  rowsOnly: true,
  doc: {
    title: 'Sample rows',
    family: 'rows',
    description:
      'Keeps n rows, or a fraction of the rows (rounded). `method: random` (the default) chooses at random but reproducibly: each row is ranked by the md5 of its position in the input and the seed (`md5("<position>:<seed>")`, positions from 1), so the same input and seed give the same rows on every run and every DuckDB version; with `stratify_by` each value of that column is sampled in proportion to its share (Data Wrangler\'s stratified sampling). `method: first` keeps the first rows (Data Wrangler\'s "first K"). Rows keep their input order. Applies to training batches only.',
    example: 'kind: sample\nfraction: 0.25\nstratify_by: readmitted\nseed: 42',
  },
  inputs: (s) => (s.stratify_by ? [s.stratify_by] : []),
  outputs: (_s, _f, ctx) => plain(ctx.columns),
  sql: (s, _f, _ctx, input) => {
    const rn = quoteIdent(ROW_NUMBER);
    const part = s.stratify_by ? `PARTITION BY ${quoteIdent(s.stratify_by)} ` : '';
    const rows = `count(*) OVER (${part.trim()})`;
    const limit = s.n !== undefined ? (s.stratify_by ? `round(${s.n} * ${rows} / count(*) OVER ())` : String(s.n)) : `round(${s.fraction} * ${rows})`;
    const order = s.method === 'first' ? rn : `${seededRank(s.seed)}, ${rn}`;
    return `SELECT * EXCLUDE (${rn}) FROM ${numbered(input)} QUALIFY row_number() OVER (${part}ORDER BY ${order}) <= ${limit} ORDER BY ${rn}`;
  },
  record: () => (row) => row,
});
