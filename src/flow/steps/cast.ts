import { z } from 'zod';
import { LOGICAL_TYPES, logicalToDuckType } from '../../core/types.js';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { SluiceError } from '../../core/errors.js';
import { defineStep } from '../step.js';
import { coerce, columnList, common, isMissing, replaceSql, retype } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('cast'),
      columns: columnList,
      to: z.enum(LOGICAL_TYPES).describe('The target type.'),
      on_error: z.enum(['null', 'error']).default('null').describe('A value that cannot be converted becomes missing (null) or stops the run (error).'),
      ...common,
    })
    .strict();

/** Converts columns to a type. */
export const cast = defineStep({
  kind: 'cast',
  schema,
  doc: {
    title: 'Cast type',
    family: 'types',
    description:
      'Converts columns to string, integer, float, boolean, date or timestamp. A value that cannot be converted becomes missing, or stops the run with the row value in the message (on_error: error).',
    example: 'kind: cast\ncolumns: [age]\nto: float\non_error: error',
  },
  inputs: (s) => s.columns,
  outputs: (s, _f, ctx) => retype(ctx.columns, Object.fromEntries(s.columns.map((c) => [c, s.to]))),
  sql: (s, _f, ctx, input) =>
    replaceSql(
      input,
      s.columns.map((c) => {
        const t = logicalToDuckType(s.to);
        const tc = `TRY_CAST(${quoteIdent(c)} AS ${t})`;
        if (s.on_error === 'null') return [c, tc];
        const msg = `step ${ctx.index + 1} (cast): a value in column "${c}" is not ${s.to}: `;
        return [c, `CASE WHEN ${quoteIdent(c)} IS NOT NULL AND ${tc} IS NULL THEN error(${quoteLiteral(msg)} || ${quoteIdent(c)}::VARCHAR) ELSE ${tc} END`];
      }),
    ),
  record: (s, _f, ctx) => (row) => {
    const out = { ...row };
    for (const c of s.columns) {
      const v = coerce(out[c], s.to);
      if (v === null && !isMissing(out[c]) && s.on_error === 'error') {
        throw new SluiceError('RECORD_TYPE', `value ${JSON.stringify(out[c])} in field "${c}" is not ${s.to}`, {
          location: { step: ctx.index, field: c },
          hint: `send a ${s.to} value for "${c}"`,
        });
      }
      out[c] = v;
    }
    return out;
  },
});
