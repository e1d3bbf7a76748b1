import { z } from 'zod';
import { defineStep } from '../step.js';
import { common, missingSql, plain } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('drop_missing'),
      columns: z.array(z.string().min(1)).optional().describe('Columns to check; all columns when absent.'),
      ...common,
    })
    .strict();

/** Drops rows with a missing value (pandas `dropna`). Training batches only. */
export const dropMissing = defineStep({
  kind: 'drop_missing',
  schema,
  rowsOnly: true,
  doc: {
    title: 'Drop rows with missing values',
    family: 'missing',
    description:
      'Drops every row that has a missing value in the listed columns (all columns when none are listed), like pandas `dropna`. Applies to training batches only: at prediction time every record gets a prediction.',
    example: 'kind: drop_missing\ncolumns: [race, age]',
  },
  inputs: (s) => s.columns ?? [],
  outputs: (_s, _f, ctx) => plain(ctx.columns),
  sql: (s, _f, ctx, input) => {
    const cols = s.columns ?? ctx.columns.map((c) => c.name);
    // The same predicate the report counts missing values with (src/core/missing.ts).
    const cond = cols.map((c) => `NOT ${missingSql(ctx, c)}`);
    return `SELECT * FROM ${input}${cond.length ? ` WHERE ${cond.join(' AND ')}` : ''}`;
  },
  record: () => (row) => row,
});
