import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { columnList, common, mapPresent, plain, replaceSql } from './common.js';
import { assertText } from './findReplace.js';

const schema = () =>
  z
    .object({
      kind: z.literal('change_case'),
      columns: columnList,
      to: z.enum(['lower', 'upper', 'title']).describe('lower, UPPER, or Title Case (as Python str.title).'),
      ...common,
    })
    .strict();

/**
 * Case mapping one character at a time, as DuckDB (utf8proc) does: JavaScript's full mappings
 * that change the length ("ß" to "SS", "ﬁ" to "FI") leave the character as it is, except for
 * the two DuckDB maps to one character: "ß" to "ẞ" and "İ" to "i".
 */
const SPECIAL_UPPER: Record<string, string> = { ß: 'ẞ' };
const SPECIAL_LOWER: Record<string, string> = { İ: 'i' };
function mapChars(s: string, f: (c: string) => string, special: Record<string, string>): string {
  let out = '';
  for (const c of s) {
    const m = special[c] ?? f(c);
    out += [...m].length === 1 ? m : c;
  }
  return out;
}
export const upper = (s: string): string => mapChars(s, (c) => c.toUpperCase(), SPECIAL_UPPER);
export const lower = (s: string): string => mapChars(s, (c) => c.toLowerCase(), SPECIAL_LOWER);

/** Python's str.title(): a letter after a non-letter is upper case, every other letter lower case. */
export function titleCase(s: string): string {
  return s.replace(/\p{L}+/gu, (w) => {
    const [first = '', ...rest] = [...w];
    return upper(first) + lower(rest.join(''));
  });
}

/** Changes the case of text columns (Data Wrangler's "Convert to lower/upper/title case"). */
export const changeCase = defineStep({
  kind: 'change_case',
  schema,
  doc: {
    title: 'Change case',
    family: 'text',
    description:
      'Converts text columns to lower case, upper case, or title case (each run of letters starts with a capital, as Python str.title does: "3rd floor" becomes "3Rd Floor").',
    example: 'kind: change_case\ncolumns: [complaint, race]\nto: title',
  },
  inputs: (s) => s.columns,
  outputs: (_s, _f, ctx) => plain(ctx.columns),
  sql: (s, _f, ctx, input) => {
    s.columns.forEach((c) => {
      assertText(ctx, c, 'change_case');
    });
    return replaceSql(
      input,
      s.columns.map((c) => {
        const q = quoteIdent(c);
        if (s.to !== 'title') return [c, `${s.to}(${q})`];
        // split into runs of letters and non-letters; capitalize each run (no-op on non-letters)
        return [c, `array_to_string(list_transform(regexp_extract_all(${q}, '\\p{L}+|\\P{L}+'), w -> upper(substr(w, 1, 1)) || lower(substr(w, 2))), '')`];
      }),
    );
  },
  record: (s) => {
    const f = s.to === 'lower' ? lower : s.to === 'upper' ? upper : titleCase;
    return mapPresent(s.columns, (v) => f(String(v)));
  },
});
