import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { quoteIdent, sqlValue } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { coerce, columnName, common, isMissing, replaceSql } from './common.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const schema = () =>
  z
    .object({
      kind: z.literal('map_values'),
      column: columnName,
      mapping: z.record(z.string(), scalar).describe('Old value (as text) to new value.'),
      unmapped: z.enum(['keep', 'null', 'error']).default('keep').describe('What happens to a value the mapping does not list.'),
      ...common,
    })
    .strict();

/** Maps values of one column through a table (e.g. `no: 0`, `>30: 1`). */
export const mapValues = defineStep({
  kind: 'map_values',
  schema,
  doc: {
    title: 'Map values',
    family: 'values',
    description:
      'Replaces values of a column through a mapping. Values not in the mapping are kept, become missing, or stop the run (unmapped: keep, null, error). The result is text unless every mapped value is a number or a boolean.',
    example: "kind: map_values\ncolumn: readmitted\nmapping: { 'no': 0, '>30': 1, '<30': 1 }\nunmapped: error",
  },
  inputs: (s) => [s.column],
  outputs: (s, _f, ctx) => ctx.columns.map((c) => (c.name === s.column ? { name: c.name, type: resultType(s) ?? c.type } : { name: c.name, type: c.type })),
  sql: (s, _f, ctx, input) => {
    const col = quoteIdent(s.column);
    const t = resultType(s);
    const cast = t === 'float' ? '::DOUBLE' : t === 'integer' ? '::BIGINT' : t === 'boolean' ? '::BOOLEAN' : '::VARCHAR';
    const whens = Object.entries(s.mapping).map(([k, v]) => `WHEN ${col}::VARCHAR = ${sqlValue(k)} THEN ${sqlValue(v)}${cast}`);
    const otherwise =
      s.unmapped === 'keep'
        ? `TRY_CAST(${col} AS ${cast.slice(2)})`
        : s.unmapped === 'null'
          ? 'NULL'
          : `error('step ${ctx.index + 1} (map_values): value not in the mapping of column ' || ${sqlValue(s.column)} || ': ' || ${col}::VARCHAR)`;
    return replaceSql(input, [[s.column, `CASE WHEN ${col} IS NULL THEN NULL ${whens.join(' ')} ELSE ${otherwise} END`]]);
  },
  record: (s, _f, ctx) => (row) => {
    const v = row[s.column];
    if (isMissing(v)) return { ...row, [s.column]: null };
    const key = String(v);
    if (Object.hasOwn(s.mapping, key)) return { ...row, [s.column]: s.mapping[key] };
    if (s.unmapped === 'null') return { ...row, [s.column]: null };
    if (s.unmapped === 'error') {
      throw new SluiceError('RECORD_UNMAPPED', `value ${JSON.stringify(v)} of field "${s.column}" is not in the mapping of step ${ctx.index + 1}`, {
        location: { step: ctx.index, field: s.column },
        hint: `expected one of ${Object.keys(s.mapping)
          .map((k) => JSON.stringify(k))
          .join(', ')}`,
      });
    }
    const t = resultType(s);
    return t ? { ...row, [s.column]: coerce(v, t) } : row;
  },
});

function resultType(s: z.infer<ReturnType<typeof schema>>): 'integer' | 'float' | 'boolean' | 'string' | undefined {
  const vals = Object.values(s.mapping).filter((v) => v !== null);
  if (vals.length === 0) return undefined;
  if (vals.every((v) => typeof v === 'boolean')) return 'boolean';
  if (vals.every((v) => typeof v === 'number')) return vals.every((v) => Number.isInteger(v)) ? 'integer' : 'float';
  return 'string';
}
