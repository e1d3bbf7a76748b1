import { z } from 'zod';
import { identList } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { columnList, common } from './common.js';

const schema = () => z.object({ kind: z.literal('select_columns'), columns: columnList, ...common }).strict();

/** Keeps only the listed columns, in the listed order. */
export const selectColumns = defineStep({
  kind: 'select_columns',
  schema,
  doc: {
    title: 'Select columns',
    family: 'columns',
    description: 'Keeps only the listed columns, in that order. At prediction time the target is left out when absent.',
    example: 'kind: select_columns\ncolumns: [readmitted, age, time_in_hospital]',
  },
  inputs: (s, ctx) => keep(s.columns, ctx),
  outputs: (s, _f, ctx) => keep(s.columns, ctx).map((n) => ({ name: n, type: ctx.columns.find((c) => c.name === n)!.type })),
  sql: (s, _f, ctx, input) => `SELECT ${identList(keep(s.columns, ctx))} FROM ${input}`,
  record: (s, _f, ctx) => {
    const cols = keep(s.columns, ctx);
    return (row) => Object.fromEntries(cols.map((c) => [c, row[c] ?? null]));
  },
});

function keep(columns: string[], ctx: { mode: string; target: string | undefined }): string[] {
  return columns.filter((c) => !(ctx.mode === 'serve' && c === ctx.target));
}
