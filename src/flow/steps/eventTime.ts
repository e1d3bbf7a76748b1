import { z } from 'zod';
import { quoteIdent, sqlValue } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { assertNew, coerce, columnName, common } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('event_time'),
      output: columnName.default('event_time'),
      from: z
        .union([z.literal('now'), z.object({ column: columnName })])
        .default('now')
        .describe('`now` (the time the flow runs) or `{column: NAME}`.'),
      format: z.enum(['timestamp', 'epoch_seconds']).default('timestamp').describe('A UTC timestamp, or fractional seconds since 1970 as the seed does.'),
      ...common,
    })
    .strict();

/** Adds an event time column (the feature store's event time). */
export const eventTime = defineStep({
  kind: 'event_time',
  schema,
  doc: {
    title: 'Add an event time',
    family: 'time',
    description:
      'Adds the event time of each row: the moment the flow runs (one value for the whole batch), or a timestamp read from a column. As a UTC timestamp or as fractional epoch seconds (the seed writes `time.time()`).',
    example: 'kind: event_time\noutput: event_time\nfrom: now\nformat: timestamp',
  },
  inputs: (s) => (s.from === 'now' ? [] : [s.from.column]),
  outputs: (s, _f, ctx) => {
    assertNew(ctx, s.output);
    return [
      ...ctx.columns.map((c) => ({ name: c.name, type: c.type })),
      { name: s.output, type: s.format === 'timestamp' ? ('timestamp' as const) : ('float' as const) },
    ];
  },
  sql: (s, _f, _ctx, input) => {
    const ts = s.from === 'now' ? `${sqlValue(new Date())}` : `TRY_CAST(${quoteIdent(s.from.column)} AS TIMESTAMP)`;
    const e = s.format === 'timestamp' ? ts : `(epoch_ms(${ts}) / 1000.0)`;
    return `SELECT *, ${e} AS ${quoteIdent(s.output)} FROM ${input}`;
  },
  record: (s) => (row) => {
    const ts = s.from === 'now' ? coerce(new Date(), 'timestamp') : coerce(row[s.from.column], 'timestamp');
    const value = ts === null ? null : s.format === 'timestamp' ? ts : Date.parse(String(ts).replace(' ', 'T') + 'Z') / 1000;
    return { ...row, [s.output]: value };
  },
});
