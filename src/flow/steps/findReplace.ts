import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { defineStep, type StepContext } from '../step.js';
import { columnList, common, mapPresent, replaceSql, typeOf } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('find_replace'),
      columns: columnList,
      pattern: z.string().min(1).describe('A regular expression (RE2 syntax: no look-around, no back-references).'),
      replacement: z.string().describe('Literal replacement text.'),
      ...common,
    })
    .strict();

/** Compiles the pattern once, refusing what RE2 (DuckDB) and JavaScript would read differently. */
export function compilePattern(pattern: string, ctx: StepContext, flags = 'g'): RegExp {
  if (/\(\?<?[=!]|\\[1-9]/.test(pattern)) {
    throw new SluiceError(
      'FLOW_REGEX',
      `step ${ctx.index + 1}: pattern ${JSON.stringify(pattern)} uses look-around or a back-reference, which RE2 does not support`,
      {
        location: { step: ctx.index, field: 'pattern' },
        hint: 'rewrite the pattern without (?=...), (?!...), (?<=...), (?<!...) or \\1',
      },
    );
  }
  try {
    return new RegExp(pattern, flags);
  } catch (e) {
    throw new SluiceError('FLOW_REGEX', `step ${ctx.index + 1}: invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`, {
      location: { step: ctx.index, field: 'pattern' },
      hint: 'escape special characters such as ? * + ( ) with a backslash, e.g. "\\\\?"',
    });
  }
}

export function assertText(ctx: StepContext, column: string, what: string): void {
  const t = typeOf(ctx, column);
  if (t !== 'string') {
    throw new SluiceError('FLOW_TYPE', `step ${ctx.index + 1} (${what}) works on text, but "${column}" is ${t}`, {
      location: { step: ctx.index, field: column },
      hint: `add a cast step to string before this one, or remove "${column}" from its columns`,
    });
  }
}

/** Replaces every match of a regular expression in text columns (Data Wrangler's "Find and replace substring"). */
export const findReplace = defineStep({
  kind: 'find_replace',
  schema,
  doc: {
    title: 'Find and replace substring',
    family: 'text',
    description: 'Replaces every match of a regular expression in text columns with a literal replacement.',
    example: "kind: find_replace\ncolumns: [race]\npattern: '\\?'\nreplacement: Other",
  },
  inputs: (s, ctx) => {
    compilePattern(s.pattern, ctx);
    return s.columns;
  },
  outputs: (_s, _f, ctx) => ctx.columns.map((c) => ({ name: c.name, type: c.type })),
  sql: (s, _f, ctx, input) => {
    s.columns.forEach((c) => {
      assertText(ctx, c, 'find_replace');
    });
    const repl = s.replacement.replace(/\\/g, '\\\\');
    return replaceSql(
      input,
      s.columns.map((c) => [c, `regexp_replace(${quoteIdent(c)}, ${quoteLiteral(s.pattern)}, ${quoteLiteral(repl)}, 'g')`]),
    );
  },
  record: (s, _f, ctx) => {
    const re = compilePattern(s.pattern, ctx);
    return mapPresent(s.columns, (v) => String(v).replace(re, () => s.replacement));
  },
});
