import { z } from 'zod';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { defineStep, type StepContext } from '../step.js';
import { columnList, common, plain, retype, typeOf } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('validate_timestamps'),
      columns: columnList.describe('Columns that must hold a valid timestamp.'),
      policy: z
        .enum(['drop', 'error'])
        .default('drop')
        .describe('`drop`: remove the rows whose timestamp is missing or not a timestamp; `error`: stop the run and name the first bad value.'),
      ...common,
    })
    .strict();

type Spec = z.infer<ReturnType<typeof schema>>;

/** A text column is read as a timestamp; date and timestamp columns are already valid where present. */
function asTimestamp(ctx: StepContext, c: string): string {
  const t = typeOf(ctx, c);
  return t === 'date' || t === 'timestamp' ? quoteIdent(c) : `TRY_CAST(${quoteIdent(c)} AS TIMESTAMP)`;
}

/**
 * Data Wrangler's time series "Validate timestamps": every row's timestamp must parse. Text
 * columns become timestamps. Training batches only; a row removed is counted in the run's
 * summary like every removed row.
 */
export const validateTimestamps = defineStep({
  kind: 'validate_timestamps',
  schema,
  rowsOnly: true,
  doc: {
    title: 'Validate timestamps',
    family: 'time',
    description:
      'Checks that every row has a valid timestamp in each listed column (missing values and text that is not a timestamp are invalid). `policy: drop` removes those rows (the run says how many), `policy: error` stops with the first bad value and its row. Text columns become timestamp columns. Applies to training batches only.',
    example: 'kind: validate_timestamps\ncolumns: [admitted_at]\npolicy: drop',
  },
  inputs: (s) => s.columns,
  outputs: (s, _f, ctx) =>
    retype(plain(ctx.columns), Object.fromEntries(s.columns.filter((c) => typeOf(ctx, c) === 'string').map((c) => [c, 'timestamp' as const]))),
  sql: (s: Spec, _f, ctx, input) => {
    const casts = s.columns.map((c) => [c, asTimestamp(ctx, c)] as const);
    const text = casts.filter(([c]) => typeOf(ctx, c) === 'string');
    const replace = text.length ? ` REPLACE (${text.map(([c, e]) => `${e} AS ${quoteIdent(c)}`).join(', ')})` : '';
    if (s.policy === 'drop') return `SELECT *${replace} FROM ${input} WHERE ${casts.map(([, e]) => `${e} IS NOT NULL`).join(' AND ')}`;
    // error: DuckDB's error() stops the query with the message; the first bad row is named.
    const checks = casts.map(
      ([c, e]) =>
        `CASE WHEN ${e} IS NULL THEN error(${quoteLiteral(`step ${ctx.index + 1} (validate_timestamps): column "${c}" has a missing or invalid timestamp: `)} || coalesce(${quoteIdent(c)}::VARCHAR, 'missing')) END`,
    );
    return `SELECT *${replace} FROM ${input} WHERE ${checks.map((x) => `${x} IS NULL`).join(' AND ')}`;
  },
  record: () => (row) => row,
});
