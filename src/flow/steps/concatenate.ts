import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { logicalToDuckType } from '../../core/types.js';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { common, plain } from './common.js';
import { sideOf } from './sideInput.js';

const schema = () =>
  z
    .object({
      kind: z.literal('concatenate'),
      with: z.string().min(1).describe('The input whose rows are appended (a name under `inputs:`).'),
      drop_duplicates: z.boolean().default(false).describe('Drop rows equal to an earlier row after appending (Data Wrangler\'s "remove duplicates").'),
      ...common,
    })
    .strict();

/**
 * Appends the rows of another input, matching columns by name. Training batches only: at
 * prediction time a record is one row of the flow's own data, and nothing is appended to it.
 */
export const concatenate = defineStep({
  kind: 'concatenate',
  schema,
  rowsOnly: true,
  doc: {
    title: 'Append the rows of another input',
    family: 'combine',
    description:
      "Appends the rows of another input of the flow (`inputs:`) after the data's own rows, matching columns by name: a column the other input lacks is missing in its rows; a column only the other input has is an error (drop it in that input's steps). Values are converted to the column's type (CAST: a value that does not convert stops the run with an error rather than becoming missing). With `drop_duplicates: true`, rows equal to an earlier row are dropped. The other input is read when the flow runs (also when a fitted flow is applied); it may be a branch of the flow's own data (a step's `as:`, or an input with `branch:`). Applies to training batches only.",
    example: 'kind: concatenate\nwith: more_encounters',
    inputs: 'more_encounters: { file: diabetic-readmission-drift.csv }',
  },
  inputs: () => [],
  outputs: (_s, _f, ctx) => plain(ctx.columns),
  sql: (s, _f, ctx, input) => {
    const side = sideOf(ctx, s.with);
    const extra = side.columns.filter((c) => !ctx.columns.some((x) => x.name === c.name)).map((c) => c.name);
    if (extra.length > 0) {
      throw new SluiceError(
        'FLOW_CONCAT_COLUMNS',
        `step ${ctx.index + 1} (concatenate) appends input "${s.with}", which has columns the data does not: ${extra.join(', ')}`,
        {
          location: { step: ctx.index, field: 'with' },
          hint: `drop them in the steps of input ${s.with}, or add them to the data before this step`,
        },
      );
    }
    const cols = ctx.columns.map((c) => quoteIdent(c.name)).join(', ');
    const other = ctx.columns
      .map(
        (c) =>
          (side.columns.some((x) => x.name === c.name) ? `CAST(${quoteIdent(c.name)} AS ${logicalToDuckType(c.type)})` : `NULL::${logicalToDuckType(c.type)}`) +
          ` AS ${quoteIdent(c.name)}`,
      )
      .join(', ');
    const all = `SELECT ${cols}, 0 AS __sluice_part, row_number() OVER () AS __sluice_row FROM ${input} UNION ALL SELECT ${other}, 1, row_number() OVER () FROM ${quoteIdent(side.relation)}`;
    if (!s.drop_duplicates) return `SELECT ${cols} FROM (${all}) ORDER BY __sluice_part, __sluice_row`;
    return `SELECT ${cols} FROM (${all}) QUALIFY row_number() OVER (PARTITION BY ${cols} ORDER BY __sluice_part, __sluice_row) = 1 ORDER BY __sluice_part, __sluice_row`;
  },
  record: () => (row) => row,
});
