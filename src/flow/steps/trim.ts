import { z } from 'zod';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { columnList, common, mapPresent, plain, replaceSql } from './common.js';
import { assertText } from './findReplace.js';

const schema = () =>
  z
    .object({
      kind: z.literal('trim'),
      columns: columnList,
      side: z.enum(['both', 'left', 'right']).default('both').describe('Which ends to strip.'),
      characters: z.string().min(1).default(' ').describe('The characters to strip (any of them, in any order); a space by default.'),
      ...common,
    })
    .strict();

const FN = { both: 'trim', left: 'ltrim', right: 'rtrim' } as const;

/** Strips characters from the ends of text (Data Wrangler's "Strip left and right"). */
export const trim = defineStep({
  kind: 'trim',
  schema,
  doc: {
    title: 'Trim text',
    family: 'text',
    description: 'Removes leading and/or trailing characters (spaces by default; any of the given characters otherwise) from text columns.',
    example: "kind: trim\ncolumns: [complaint]\nside: both\ncharacters: ' ,'",
  },
  inputs: (s) => s.columns,
  outputs: (_s, _f, ctx) => plain(ctx.columns),
  sql: (s, _f, ctx, input) => {
    s.columns.forEach((c) => {
      assertText(ctx, c, 'trim');
    });
    return replaceSql(
      input,
      s.columns.map((c) => [c, `${FN[s.side]}(${quoteIdent(c)}, ${quoteLiteral(s.characters)})`]),
    );
  },
  record: (s) => {
    const set = `[${[...s.characters].map((ch) => ch.replace(/[\\\]^-]/g, '\\$&')).join('')}]`;
    const re = new RegExp(s.side === 'both' ? `^${set}+|${set}+$` : s.side === 'left' ? `^${set}+` : `${set}+$`, 'gu');
    return mapPresent(s.columns, (v) => String(v).replace(re, ''));
  },
});
