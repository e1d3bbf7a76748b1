import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { assertNew, columnName, common, plain } from './common.js';
import { numbered, ROW_NUMBER, seededRank } from './rowOrder.js';

const schema = () =>
  z
    .object({
      kind: z.literal('split'),
      output: columnName.default('split'),
      fractions: z
        .object({ train: z.number().min(0).max(1), validation: z.number().min(0).max(1).default(0), test: z.number().min(0).max(1) })
        .strict()
        .default({ train: 0.7, validation: 0.15, test: 0.15 })
        .describe('Shares of the rows for train, validation and test; they add up to 1.'),
      seed: z.number().int().min(0).default(0),
      stratify_by: columnName.optional().describe('Keep the shares within each value of this column (usually the target).'),
      ...common,
    })
    .strict()
    .refine((s) => Math.abs(s.fractions.train + s.fractions.validation + s.fractions.test - 1) < 1e-9, {
      message: 'fractions must add up to 1',
      path: ['fractions'],
    });

/**
 * Marks each row train, validation or test. Within each stratum (or the whole batch) rows are
 * ranked by the md5 of their input position and the seed, and the ranks are cut at the
 * fractions: the shares are exact (to a row per stratum) and a re-run gives the same split.
 */
export const split = defineStep({
  kind: 'split',
  schema,
  doc: {
    title: 'Train / validation / test split',
    family: 'rows',
    description:
      'Adds a text column (`split` by default) saying train, validation or test for each row, in the given shares (default 0.7 / 0.15 / 0.15), at random but reproducibly: rows are ranked by the md5 of their input position and the seed (as in sample), within each value of stratify_by when given, so every class keeps the shares. No row is removed. At prediction time (records, or batches in serve mode) the column is missing: a record belongs to no split.',
    example: 'kind: split\nfractions: { train: 0.6, validation: 0.2, test: 0.2 }\nseed: 7\nstratify_by: readmitted',
  },
  inputs: (s) => (s.stratify_by ? [s.stratify_by] : []),
  outputs: (s, _f, ctx) => {
    assertNew(ctx, s.output);
    return [...plain(ctx.columns), { name: s.output, type: 'string' as const }];
  },
  sql: (s, _f, ctx, input) => {
    if (ctx.mode === 'serve') return `SELECT *, NULL::VARCHAR AS ${quoteIdent(s.output)} FROM ${input}`;
    const rn = quoteIdent(ROW_NUMBER);
    const part = s.stratify_by ? `PARTITION BY ${quoteIdent(s.stratify_by)} ` : '';
    const pos = `((row_number() OVER (${part}ORDER BY ${seededRank(s.seed)}, ${rn}) - 0.5) / count(*) OVER (${part}))`;
    const { train, validation } = s.fractions;
    const label = `CASE WHEN ${pos} < ${train} THEN 'train' WHEN ${pos} < ${train + validation} THEN 'validation' ELSE 'test' END`;
    return `SELECT * EXCLUDE (${rn}), ${label} AS ${quoteIdent(s.output)} FROM ${numbered(input)} ORDER BY ${rn}`;
  },
  record: (s) => (row) => ({ ...row, [s.output]: null }),
});
