import { z } from 'zod';
import { exprToSql } from '../expr/compileExpr.js';
import { exprColumns } from '../expr/parseExpr.js';
import { defineStep } from '../step.js';
import { common, plain } from './common.js';
import { parseStepExpr } from './compute.js';

const schema = z
  .object({
    kind: z.literal('filter_rows'),
    expression: z.string().min(1).describe('A condition in the flow expression language; rows where it is true are kept.'),
    ...common,
  })
  .strict();

/** Keeps the rows where a condition holds (Data Wrangler's "Filter"). Training batches only. */
export const filterRows = defineStep({
  kind: 'filter_rows',
  schema,
  rowsOnly: true,
  doc: {
    title: 'Filter rows',
    family: 'rows',
    description:
      'Keeps the rows where a condition (one expression, as in compute) is true; rows where it is false or missing are dropped. Applies to training batches only: at prediction time every record gets a prediction.',
    example: "kind: filter_rows\nexpression: age >= 40 AND gender != 'unknown'",
  },
  inputs: (s, ctx) => [...exprColumns(parseStepExpr(s.expression, ctx))],
  outputs: (_s, _f, ctx) => plain(ctx.columns),
  sql: (s, _f, ctx, input) => `SELECT * FROM ${input} WHERE (${exprToSql(parseStepExpr(s.expression, ctx))}) IS TRUE`,
  record: () => (row) => row,
});
