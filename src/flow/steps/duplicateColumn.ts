import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { addSql, assertNew, columnName, common, plain, typeOf } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('duplicate_column'),
      column: columnName,
      output: columnName.describe('The name of the copy.'),
      ...common,
    })
    .strict();

/** Copies a column under a new name (Data Wrangler's "Duplicate column"). */
export const duplicateColumn = defineStep({
  kind: 'duplicate_column',
  schema,
  doc: {
    title: 'Duplicate a column',
    family: 'columns',
    description: 'Adds a copy of a column under a new name, at the end, with the same type; e.g. to keep the raw value next to a transformed one.',
    example: 'kind: duplicate_column\ncolumn: num_medications\noutput: num_medications_raw',
  },
  inputs: (s) => [s.column],
  outputs: (s, _f, ctx) => {
    assertNew(ctx, s.output);
    return [...plain(ctx.columns), { name: s.output, type: typeOf(ctx, s.column) }];
  },
  sql: (s, _f, _ctx, input) => addSql(input, [[s.output, quoteIdent(s.column)]]),
  record: (s) => (row) => ({ ...row, [s.output]: row[s.column] ?? null }),
});
