import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import type { ColumnSchema } from '../../core/types.js';
import { identList } from '../../engine/sql.js';
import { defineStep, type StepContext } from '../step.js';
import { columnList, columnName, common, missingColumn, plain } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('move_column'),
      columns: columnList.describe('The columns to move, kept in this order.'),
      to: z.enum(['start', 'end', 'after', 'before']).describe('Where they go.'),
      anchor: columnName.optional().describe('The column they go after or before.'),
      ...common,
    })
    .strict()
    .refine((s) => (s.to === 'after' || s.to === 'before') === (s.anchor !== undefined), {
      message: 'to: after and to: before need an anchor column (and start/end take none)',
      path: ['anchor'],
    });

type Spec = z.infer<ReturnType<typeof schema>>;

function reorder(s: Spec, ctx: StepContext): ColumnSchema[] {
  const moved = s.columns.map(
    (n) =>
      ctx.columns.find((c) => c.name === n) ??
      (() => {
        throw missingColumn(ctx, n);
      })(),
  );
  const rest = ctx.columns.filter((c) => !s.columns.includes(c.name));
  if (s.to === 'start') return plain([...moved, ...rest]);
  if (s.to === 'end') return plain([...rest, ...moved]);
  const at = rest.findIndex((c) => c.name === s.anchor);
  if (at < 0) {
    if (s.columns.includes(s.anchor!)) {
      throw new SluiceError('FLOW_INVALID', `step ${ctx.index + 1} (move_column) moves "${s.anchor}" relative to itself`, {
        location: { step: ctx.index, field: 'anchor' },
        hint: 'choose an anchor column that is not being moved',
      });
    }
    throw missingColumn(ctx, s.anchor!);
  }
  const cut = s.to === 'after' ? at + 1 : at;
  return plain([...rest.slice(0, cut), ...moved, ...rest.slice(cut)]);
}

/** Moves columns to the start, the end, or next to another column (Data Wrangler's "Move column"). */
export const moveColumn = defineStep({
  kind: 'move_column',
  schema,
  doc: {
    title: 'Move columns',
    family: 'columns',
    description: 'Moves columns, in the order listed, to the start or end of the table, or just after or before an anchor column.',
    example: 'kind: move_column\ncolumns: [lab_score, complaint]\nto: after\nanchor: race',
  },
  inputs: (s) => (s.anchor ? [...s.columns, s.anchor] : s.columns),
  outputs: (s, _f, ctx) => reorder(s, ctx),
  sql: (s, _f, ctx, input) => `SELECT ${identList(reorder(s, ctx).map((c) => c.name))} FROM ${input}`,
  // record fields have no order; the fitted flow's output schema orders the result
  record: () => (row) => row,
});
