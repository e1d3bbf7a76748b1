import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { columnNameText, common, ownEntry } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('rename_columns'),
      mapping: z.record(z.string().min(1), columnNameText).describe('Old name to new name.'),
      ...common,
    })
    .strict();

/** Renames columns, keeping their position. */
export const renameColumns = defineStep({
  kind: 'rename_columns',
  schema,
  doc: {
    title: 'Rename columns',
    family: 'columns',
    description: 'Renames columns in place. New names must not collide with existing ones.',
    example: 'kind: rename_columns\nmapping: { time_in_hospital: days_in_hospital, num_medications: medications }',
  },
  inputs: (s) => Object.keys(s.mapping),
  outputs: (s, _f, ctx) => {
    const out = ctx.columns.map((c) => ({ name: ownEntry(s.mapping, c.name) ?? c.name, type: c.type }));
    const seen = new Set<string>();
    for (const c of out) {
      if (seen.has(c.name)) {
        throw new SluiceError('FLOW_COLUMN_EXISTS', `step ${ctx.index + 1} renames a column to "${c.name}", which already exists`, {
          location: { step: ctx.index, field: c.name },
          hint: 'choose another name, or drop the existing column first',
        });
      }
      seen.add(c.name);
    }
    return out;
  },
  sql: (s, _f, ctx, input) =>
    `SELECT ${ctx.columns
      .map((c) => {
        const to = ownEntry(s.mapping, c.name);
        return to ? `${quoteIdent(c.name)} AS ${quoteIdent(to)}` : quoteIdent(c.name);
      })
      .join(', ')} FROM ${input}`,
  // Only the columns the schema has at this point: earlier drop_columns steps leave dropped
  // fields on the record, and one of them may share a new name.
  record: (s, _f, ctx) => {
    const names = ctx.columns.map((c) => c.name);
    return (row) => {
      const out: Record<string, unknown> = {};
      for (const k of names) out[ownEntry(s.mapping, k) ?? k] = row[k] ?? null;
      return out;
    };
  },
});
