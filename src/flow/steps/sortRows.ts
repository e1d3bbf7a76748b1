import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { columnName, common, plain } from './common.js';
import { numbered, ROW_NUMBER } from './rowOrder.js';

const key = z.union([columnName, z.object({ column: columnName, descending: z.boolean().default(false) }).strict()]);
const schema = () =>
  z
    .object({
      kind: z.literal('sort'),
      by: z.array(key).min(1).describe('Sort keys in order: a column name (ascending) or {column, descending: true}.'),
      ...common,
    })
    .strict();

type Key = z.infer<typeof key>;
const norm = (k: Key): { column: string; descending: boolean } => (typeof k === 'string' ? { column: k, descending: false } : k);

/** Sorts rows (Data Wrangler's "Sort"). Training batches only. */
export const sortRows = defineStep({
  kind: 'sort',
  schema,
  rowsOnly: true,
  doc: {
    title: 'Sort rows',
    family: 'rows',
    description:
      'Sorts rows by one or more columns, each ascending or descending, missing values last. Ties keep their input order (a stable sort), so a re-run gives the same order. Applies to training batches only.',
    example: 'kind: sort\nby: [race, { column: lab_score, descending: true }]',
  },
  inputs: (s) => s.by.map((k) => norm(k).column),
  outputs: (_s, _f, ctx) => plain(ctx.columns),
  sql: (s, _f, _ctx, input) => {
    const order = s.by.map((k) => `${quoteIdent(norm(k).column)} ${norm(k).descending ? 'DESC' : 'ASC'} NULLS LAST`);
    const rn = quoteIdent(ROW_NUMBER);
    return `SELECT * EXCLUDE (${rn}) FROM ${numbered(input)} ORDER BY ${order.join(', ')}, ${rn}`;
  },
  record: () => (row) => row,
});
