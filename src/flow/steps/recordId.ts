import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { assertNew, columnName, common, isMissing } from './common.js';

const schema = z
  .object({
    kind: z.literal('record_id'),
    output: columnName.default('record_id'),
    method: z.enum(['uuid', 'hash']).default('hash').describe('uuid: random ids; hash: md5 of the listed columns, so a re-run gives the same ids.'),
    columns: z.array(z.string().min(1)).optional().describe('Columns hashed by method hash; all columns but the target when absent.'),
    ...common,
  })
  .strict();

const SEP = '\u001f';
const NULL_MARK = '\u2205';

/** Adds a record identifier column (the feature store's record id). */
export const recordId = defineStep({
  kind: 'record_id',
  schema,
  doc: {
    title: 'Add a record id',
    family: 'ids',
    description:
      'Adds a text id per row: a random UUID (method uuid), or the md5 of the listed columns (method hash, the default) so running the flow again on the same data gives the same ids. Identical rows get identical hash ids; add drop_duplicates first if ids must be unique.',
    example: 'kind: record_id\noutput: record_id\nmethod: uuid',
  },
  inputs: (s) => s.columns ?? [],
  outputs: (s, _f, ctx) => {
    assertNew(ctx, s.output);
    return [...ctx.columns.map((c) => ({ name: c.name, type: c.type })), { name: s.output, type: 'string' as const }];
  },
  sql: (s, _f, ctx, input) => {
    if (s.method === 'uuid') return `SELECT *, uuid()::VARCHAR AS ${quoteIdent(s.output)} FROM ${input}`;
    const cols = s.columns ?? ctx.columns.filter((c) => c.name !== ctx.target).map((c) => c.name);
    const parts = cols.map((c) => `coalesce(${quoteIdent(c)}::VARCHAR, '${NULL_MARK}')`).join(` || '${SEP}' || `);
    return `SELECT *, md5(${parts}) AS ${quoteIdent(s.output)} FROM ${input}`;
  },
  record: (s, _f, ctx) => {
    if (s.method === 'uuid') return (row) => ({ ...row, [s.output]: randomUUID() });
    const cols = s.columns ?? ctx.columns.filter((c) => c.name !== ctx.target).map((c) => c.name);
    const floats = new Set(ctx.columns.filter((c) => c.type === 'float').map((c) => c.name));
    return (row) => {
      const text = cols
        .map((c) => {
          const v = row[c];
          if (isMissing(v)) return NULL_MARK;
          if (typeof v === 'number' && floats.has(c) && Number.isInteger(v)) return v.toFixed(1);
          if (typeof v === 'boolean') return v ? 'true' : 'false';
          return String(v);
        })
        .join(SEP);
      return { ...row, [s.output]: createHash('md5').update(text).digest('hex') };
    };
  },
});
