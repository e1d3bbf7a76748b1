import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { defineStep, type StepContext } from '../step.js';
import { addSql, assertNew, columnName, common, isMissing, plain } from './common.js';
import { assertText, compilePattern } from './findReplace.js';

const schema = () =>
  z
    .object({
      kind: z.literal('regex_extract'),
      column: columnName,
      pattern: z.string().min(1).describe('A regular expression with exactly one capture group (RE2 syntax).'),
      output: columnName.describe('The new column holding the captured text.'),
      ...common,
    })
    .strict();

/** Compiles the pattern and checks it has exactly one capture group. */
function compileOneGroup(pattern: string, ctx: StepContext): RegExp {
  const re = compilePattern(pattern, ctx, '');
  const groups = new RegExp(`${pattern}|`).exec('')!.length - 1;
  if (groups !== 1) {
    throw new SluiceError(
      'FLOW_REGEX',
      `step ${ctx.index + 1} (regex_extract): pattern ${JSON.stringify(pattern)} has ${groups} capture groups; it needs exactly one`,
      {
        location: { step: ctx.index, field: 'pattern' },
        hint: 'wrap the part to extract in ( ), and make other groups non-capturing with (?: )',
      },
    );
  }
  return re;
}

/** Extracts the first match of a capture group into a new column (Data Wrangler's "Extract using regex"). */
export const regexExtract = defineStep({
  kind: 'regex_extract',
  schema,
  doc: {
    title: 'Extract with a regular expression',
    family: 'text',
    description:
      "Adds a text column with what the pattern's one capture group matched at its first match in the column. No match gives a missing value; a match where the group took no part gives empty text.",
    example: "kind: regex_extract\ncolumn: complaint\npattern: '^\\s*(\\w+)'\noutput: first_word",
  },
  inputs: (s, ctx) => {
    compileOneGroup(s.pattern, ctx);
    return [s.column];
  },
  outputs: (s, _f, ctx) => {
    assertText(ctx, s.column, 'regex_extract');
    assertNew(ctx, s.output);
    return [...plain(ctx.columns), { name: s.output, type: 'string' as const }];
  },
  sql: (s, _f, _ctx, input) => {
    const c = quoteIdent(s.column);
    const p = quoteLiteral(s.pattern);
    return addSql(input, [[s.output, `CASE WHEN regexp_matches(${c}, ${p}) THEN regexp_extract(${c}, ${p}, 1) END`]]);
  },
  record: (s, _f, ctx) => {
    const re = compileOneGroup(s.pattern, ctx);
    return (row) => {
      const v = row[s.column];
      const m = isMissing(v) ? null : re.exec(String(v));
      return { ...row, [s.output]: m ? (m[1] ?? '') : null };
    };
  },
});
