import { z } from 'zod';
import { identList, quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { common, plain } from './common.js';
import { numbered, ROW_NUMBER } from './rowOrder.js';

const schema = () =>
  z
    .object({
      kind: z.literal('drop_duplicates'),
      columns: z.array(z.string().min(1)).min(1).optional().describe('Rows are duplicates when these columns are equal; all columns when absent.'),
      ...common,
    })
    .strict();

/** Drops repeated rows, keeping the first (pandas `drop_duplicates`). Training batches only. */
export const dropDuplicates = defineStep({
  kind: 'drop_duplicates',
  schema,
  rowsOnly: true,
  doc: {
    title: 'Drop duplicate rows',
    family: 'rows',
    description:
      'Drops rows equal to an earlier row in all columns, or in the listed columns, keeping the first in input order (pandas drop_duplicates with keep="first"). Missing values count as equal. Applies to training batches only.',
    example: 'kind: drop_duplicates\ncolumns: [race, gender, age]',
  },
  inputs: (s) => s.columns ?? [],
  outputs: (_s, _f, ctx) => plain(ctx.columns),
  sql: (s, _f, ctx, input) => {
    const key = identList(s.columns ?? ctx.columns.map((c) => c.name));
    const rn = quoteIdent(ROW_NUMBER);
    return `SELECT * EXCLUDE (${rn}) FROM ${numbered(input)} QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ${rn}) = 1 ORDER BY ${rn}`;
  },
  record: () => (row) => row,
});
