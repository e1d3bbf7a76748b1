import { z } from 'zod';
import { defineStep } from '../step.js';
import { columnList, common, excludeSql, plain } from './common.js';

const schema = () => z.object({ kind: z.literal('drop_columns'), columns: columnList, ...common }).strict();

/** Removes columns. At prediction time a dropped target column that is absent is ignored. */
export const dropColumns = defineStep({
  kind: 'drop_columns',
  schema,
  doc: {
    title: 'Drop columns',
    family: 'columns',
    description: 'Removes the listed columns.',
    example: 'kind: drop_columns\ncolumns: [max_glu_serum, a1c_result]',
  },
  inputs: (s, ctx) => s.columns.filter((c) => !(ctx.mode === 'serve' && c === ctx.target)),
  outputs: (s, _f, ctx) => plain(ctx.columns.filter((c) => !s.columns.includes(c.name))),
  sql: (s, _f, ctx, input) =>
    excludeSql(
      input,
      s.columns.filter((c) => ctx.columns.some((x) => x.name === c)),
    ),
  // Dropped fields stay on the record object: `delete` would make V8 fall back to slow
  // dictionary objects for every later step; the flow's output schema decides what leaves.
  record: () => (row) => row,
});
