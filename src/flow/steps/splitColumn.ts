import { z } from 'zod';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { assertNew, columnName, common, isMissing, plain } from './common.js';
import { assertText } from './findReplace.js';

const schema = () =>
  z
    .object({
      kind: z.literal('split_column'),
      column: columnName,
      delimiter: z.string().min(1).describe('The literal text between parts.'),
      outputs: z.array(columnName).min(1).describe('Names of the new columns, one per part in order; missing parts are missing, extra parts are dropped.'),
      drop_original: z.boolean().default(false).describe('Remove the split column.'),
      ...common,
    })
    .strict();

/** Splits text on a delimiter into named columns (Data Wrangler's "Split string by delimiter"). */
export const splitColumn = defineStep({
  kind: 'split_column',
  schema,
  doc: {
    title: 'Split a column',
    family: 'text',
    description:
      'Splits a text column on a literal delimiter into new text columns named by outputs: part 1 into the first, and so on. A row with fewer parts gets missing values; parts beyond the outputs are dropped. The column itself is kept unless drop_original is true.',
    example: "kind: split_column\ncolumn: complaint\ndelimiter: ' / '\noutputs: [symptom, second_symptom]",
  },
  inputs: (s) => [s.column],
  outputs: (s, _f, ctx) => {
    assertText(ctx, s.column, 'split_column');
    const kept = s.drop_original ? ctx.columns.filter((c) => c.name !== s.column) : ctx.columns;
    s.outputs.forEach((o, i) => {
      assertNew({ ...ctx, columns: kept }, o);
      if (s.outputs.indexOf(o) !== i) assertNew({ ...ctx, columns: [{ name: o, type: 'string' }] }, o);
    });
    return [...plain(kept), ...s.outputs.map((name) => ({ name, type: 'string' as const }))];
  },
  sql: (s, _f, _ctx, input) => {
    const parts = `string_split(${quoteIdent(s.column)}, ${quoteLiteral(s.delimiter)})`;
    const head = s.drop_original ? `SELECT * EXCLUDE (${quoteIdent(s.column)})` : 'SELECT *';
    return `${head}${s.outputs.map((o, i) => `, ${parts}[${i + 1}] AS ${quoteIdent(o)}`).join('')} FROM ${input}`;
  },
  record: (s) => (row) => {
    const v = row[s.column];
    const parts = isMissing(v) ? [] : String(v).split(s.delimiter);
    // a dropped original stays on the record: `delete` makes V8 objects slow, and the
    // fitted flow's output schema decides which fields leave the flow
    const out = { ...row };
    s.outputs.forEach((o, i) => {
      out[o] = parts[i] ?? null;
    });
    return out;
  },
});
