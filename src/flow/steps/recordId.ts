import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep, type StepContext } from '../step.js';
import { assertNew, columnName, common, isMissing } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('record_id'),
      output: columnName.default('record_id'),
      method: z
        .enum(['uuid', 'hash'])
        .default('hash')
        .describe(
          'uuid: random ids; hash: md5 of the listed columns and the occurrence number among equal rows, so a re-run gives the same ids and every row its own.',
        ),
      columns: z.array(z.string().min(1)).optional().describe('Columns hashed by method hash; all columns, the target included, when absent.'),
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
      'Adds a text id per row: a random UUID (method uuid), or (method hash, the default) the md5 of the listed columns (all columns, the target included, when none are listed), so running the flow again on the same data gives the same ids. Ids are unique per row: the second and later of several rows with equal hashed values add their occurrence number to the hash (rows equal in the hashed columns are numbered in the order of all their values, rows equal in every value in input order), so no row is lost where ids are keys (the feature store). A single record at prediction time is a first occurrence.',
    example: 'kind: record_id\noutput: record_id\nmethod: uuid',
  },
  inputs: (s) => s.columns ?? [],
  outputs: (s, _f, ctx) => {
    assertNew(ctx, s.output);
    return [...ctx.columns.map((c) => ({ name: c.name, type: c.type })), { name: s.output, type: 'string' as const }];
  },
  sql: (s, _f, ctx, input) => {
    if (s.method === 'uuid') return `SELECT *, uuid()::VARCHAR AS ${quoteIdent(s.output)} FROM ${input}`;
    // One concat() over the values and separators: the same text as a chain of ||, built in one
    // pass instead of one intermediate string per operator (twice as fast on wide rows).
    const text = (names: string[]) =>
      names.length ? `concat(${names.map((c) => `coalesce(${quoteIdent(c)}::VARCHAR, '${NULL_MARK}')`).join(`, '${SEP}', `)})` : "''";
    const key = text(hashed(s, ctx));
    if (ctx.mode === 'serve') return `SELECT *, md5(${key}) AS ${quoteIdent(s.output)} FROM ${input}`;
    // The occurrence number among rows with equal hashed values makes ids unique and stays
    // deterministic: rows equal only in the hashed columns are numbered in the order of all their
    // values, then of their position (rows equal in every value get their numbers in input
    // order). Most keys occur once: only the rows of repeated keys are numbered (a hash
    // aggregate finds them; a window over every row sorted all the keys). The input order is kept.
    const names = hashed(s, ctx);
    const whole = ctx.columns.every((c) => names.includes(c.name));
    const [rows, dups, pos, k, n] = ['__rid_rows', '__rid_dups', '__rid_pos', '__rid_key', '__rid_n'].map(quoteIdent) as [
      string,
      string,
      string,
      string,
      string,
    ];
    const order = whole ? pos : `${text(ctx.columns.map((c) => c.name))}, ${pos}`;
    return `WITH ${rows} AS MATERIALIZED (SELECT *, row_number() OVER () AS ${pos}, ${key} AS ${k} FROM ${input}),
${dups} AS (SELECT ${pos}, row_number() OVER (PARTITION BY ${k} ORDER BY ${order}) AS ${n} FROM ${rows} WHERE ${k} IN (SELECT ${k} FROM ${rows} GROUP BY ${k} HAVING count(*) > 1))
SELECT ${rows}.* EXCLUDE (${pos}, ${k}), CASE WHEN coalesce(${n}, 1) = 1 THEN md5(${k}) ELSE md5(${k} || '${SEP}#' || ${n}::VARCHAR) END AS ${quoteIdent(s.output)}
FROM ${rows} LEFT JOIN ${dups} USING (${pos})
ORDER BY ${rows}.${pos}`;
  },
  record: (s, _f, ctx) => {
    // node:crypto loads here, when a record path is built: loading it with the step kinds cost every
    // `sluice flow validate` about 3 ms.
    const { createHash, randomUUID } = process.getBuiltinModule('node:crypto');
    if (s.method === 'uuid') return (row) => ({ ...row, [s.output]: randomUUID() });
    const cols = hashed(s, ctx);
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

/** The columns a hash id reads: the listed ones, else every column (the target included). */
function hashed(s: { columns?: string[] | undefined }, ctx: StepContext): string[] {
  return s.columns ?? ctx.columns.map((c) => c.name);
}
