import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { addSql, assertNew, columnList, common, isMissing, plain } from './common.js';
import { assertText } from './findReplace.js';

/** The statistics, each as DuckDB SQL of a quoted text column and as JavaScript, with the same meaning. */
const STATS = {
  characters: { sql: (q: string) => `length(${q})`, js: (s: string) => [...s].length, doc: 'characters (code points)' },
  words: {
    sql: (q: string) => `len(regexp_extract_all(${q}, '[^ \\t\\n\\r\\f\\v]+'))`,
    js: (s: string) => s.match(/[^ \t\n\r\f\v]+/g)?.length ?? 0,
    doc: 'runs of characters between ASCII white space (Python `len(s.split())` on ASCII text)',
  },
  digits: {
    sql: (q: string) => `length(regexp_replace(${q}, '[^0-9]', '', 'g'))`,
    js: (s: string) => s.match(/[0-9]/g)?.length ?? 0,
    doc: 'the digits 0 to 9',
  },
  upper: {
    sql: (q: string) => `length(regexp_replace(${q}, '[^A-Z]', '', 'g'))`,
    js: (s: string) => s.match(/[A-Z]/g)?.length ?? 0,
    doc: 'the upper-case letters A to Z',
  },
  lower: {
    sql: (q: string) => `length(regexp_replace(${q}, '[^a-z]', '', 'g'))`,
    js: (s: string) => s.match(/[a-z]/g)?.length ?? 0,
    doc: 'the lower-case letters a to z',
  },
  special: {
    sql: (q: string) => `length(regexp_replace(${q}, '[\\p{L}\\p{N}\\s]', '', 'g'))`,
    js: (s: string) => s.match(/[^\p{L}\p{N}\s]/gu)?.length ?? 0,
    doc: 'characters that are not a letter, a digit or white space (what remove_symbols removes)',
  },
} as const;
type Stat = keyof typeof STATS;
const STAT_NAMES = Object.keys(STATS) as Stat[];

const schema = () =>
  z
    .object({
      kind: z.literal('text_stats'),
      columns: columnList,
      stats: z
        .array(z.enum(STAT_NAMES as [Stat, ...Stat[]]))
        .min(1)
        .default([...STAT_NAMES])
        .describe(`Which statistics: ${STAT_NAMES.join(', ')} (default: all).`),
      ...common,
    })
    .strict();

const outputName = (column: string, stat: Stat): string => `${column}_${stat}`;

/** Data Wrangler's "Featurize text: Character statistics": counts per text value, as integer columns. */
export const textStats = defineStep({
  kind: 'text_stats',
  schema,
  doc: {
    title: 'Character statistics',
    family: 'text',
    description: `Adds, for each listed text column, integer columns \`<col>_<stat>\` counting in each value: ${STAT_NAMES.map((k) => `${k} (${STATS[k].doc})`).join('; ')}. A missing value gives missing counts. Data Wrangler's "Featurize text: Character statistics".`,
    example: 'kind: text_stats\ncolumns: [complaint]\nstats: [characters, words, digits]',
  },
  inputs: (s) => s.columns,
  outputs: (s, _f, ctx) => {
    s.columns.forEach((c) => {
      assertText(ctx, c, 'text_stats');
    });
    const added = s.columns.flatMap((c) => s.stats.map((k) => outputName(c, k)));
    added.forEach((n) => {
      assertNew(ctx, n);
    });
    return [...plain(ctx.columns), ...added.map((name) => ({ name, type: 'integer' as const }))];
  },
  sql: (s, _f, _ctx, input) =>
    addSql(
      input,
      s.columns.flatMap((c) => s.stats.map((k): [string, string] => [outputName(c, k), `(${STATS[k].sql(quoteIdent(c))})::BIGINT`])),
    ),
  record: (s) => (row) => {
    const out = { ...row };
    for (const c of s.columns) {
      const v = row[c];
      for (const k of s.stats) out[outputName(c, k)] = isMissing(v) ? null : STATS[k].js(String(v));
    }
    return out;
  },
});
