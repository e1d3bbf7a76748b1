import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { quoteIdent } from '../../engine/sql.js';
import { exprToSql } from '../expr/compileExpr.js';
import { exprColumns } from '../expr/parseExpr.js';
import { defineStep } from '../step.js';
import { common, plain } from './common.js';
import { parseStepExpr } from './compute.js';

const schema = () =>
  z
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
  // Learns nothing; refuses a condition that is not true/false (DuckDB would read 0 as false).
  async fit(s, ctx) {
    const [col] = await ctx.engine.describe(`SELECT (${exprToSql(parseStepExpr(s.expression, ctx))}) AS c FROM ${quoteIdent(ctx.relation)}`);
    if (col && col.sqlType !== 'BOOLEAN') {
      throw new SluiceError(
        'FLOW_TYPE',
        `step ${ctx.index + 1} (filter_rows): the expression ${JSON.stringify(s.expression)} gives ${col.type} values, not true or false`,
        {
          location: { step: ctx.index, field: 'expression' },
          hint: "write a condition, e.g. `age >= 40`, `race IS NOT NULL`, `gender IN ('male', 'female')`",
        },
      );
    }
    return undefined;
  },
  outputs: (_s, _f, ctx) => plain(ctx.columns),
  sql: (s, _f, ctx, input) => `SELECT * FROM ${input} WHERE (${exprToSql(parseStepExpr(s.expression, ctx))}) IS TRUE`,
  record: () => (row) => row,
});
