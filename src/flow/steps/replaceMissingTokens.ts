import { z } from 'zod';
import { quoteIdent, sqlValue } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { common, replaceSql } from './common.js';

const DEFAULT_TOKENS = ['?', 'NaN', 'nan', 'null', 'NULL', 'None', 'n/a', 'N/A', 'NA', ''];

const schema = () =>
  z
    .object({
      kind: z.literal('replace_missing_tokens'),
      columns: z.array(z.string().min(1)).optional().describe('Text columns to clean; all text columns when absent.'),
      tokens: z
        .array(z.string())
        .optional()
        .describe(`Values that mean "missing". Default: ${JSON.stringify(DEFAULT_TOKENS)}.`),
      trim: z.boolean().default(true).describe('Compare after trimming spaces.'),
      ...common,
    })
    .strict();

/** Turns disguised missing values such as `?`, `NaN` or `n/a` into real missing values. */
export const replaceMissingTokens = defineStep({
  kind: 'replace_missing_tokens',
  schema,
  doc: {
    title: 'Treat tokens as missing',
    family: 'missing',
    description: `Turns values that stand for "missing" into real missing values (NULL), so impute and drop_missing see them. Default tokens: ${DEFAULT_TOKENS.map((t) => JSON.stringify(t)).join(', ')}.`,
    example: "kind: replace_missing_tokens\ncolumns: [race]\ntokens: ['?', 'Unknown']",
  },
  inputs: (s) => s.columns ?? [],
  outputs: (_s, _f, ctx) => ctx.columns.map((c) => ({ name: c.name, type: c.type })),
  sql: (s, _f, ctx, input) => {
    const tokens = s.tokens ?? DEFAULT_TOKENS;
    const cols = s.columns ?? ctx.columns.filter((c) => c.type === 'string').map((c) => c.name);
    const list = tokens.map(sqlValue).join(', ');
    return replaceSql(
      input,
      cols.map((c) => {
        const v = s.trim ? `trim(${quoteIdent(c)}::VARCHAR)` : `${quoteIdent(c)}::VARCHAR`;
        return [c, `CASE WHEN ${v} IN (${list}) THEN NULL ELSE ${quoteIdent(c)} END`];
      }),
    );
  },
  record: (s, _f, ctx) => {
    const tokens = new Set(s.tokens ?? DEFAULT_TOKENS);
    const cols = s.columns ?? ctx.columns.filter((c) => c.type === 'string').map((c) => c.name);
    return (row) => {
      const out = { ...row };
      for (const c of cols) {
        const v = out[c];
        if (v === null || v === undefined) continue;
        const text = s.trim ? String(v).replace(/^ +| +$/g, '') : String(v);
        if (tokens.has(text)) out[c] = null;
      }
      return out;
    };
  },
});
