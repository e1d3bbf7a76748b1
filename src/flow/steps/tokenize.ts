import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { quoteLiteral } from '../../engine/sql.js';
import type { StepContext } from '../step.js';
import { lower } from './changeCase.js';
import { compilePattern } from './findReplace.js';

/**
 * How a text value becomes tokens, shared by the text steps that learn a vocabulary. A token is a
 * match of `pattern` (scikit-learn's `token_pattern`), or with `gaps: true` a piece between
 * matches (Spark's RegexTokenizer); text is lower-cased first unless `lowercase: false`, and
 * tokens shorter than `min_length` characters are dropped. The same rule runs in DuckDB (RE2) and
 * in JavaScript on the record path; `\s` and `\S` are read as RE2 reads them (ASCII white space).
 */
export const tokenizerFields = {
  pattern: z
    .string()
    .min(1)
    .default('\\S+')
    .describe(
      'A regular expression (RE2: no look-around or back-references): what a token is, or with gaps: true what separates tokens. Default `\\S+`: runs of characters between white space.',
    ),
  gaps: z.boolean().default(false).describe('true: the pattern matches the separators between tokens (Spark RegexTokenizer), not the tokens.'),
  lowercase: z.boolean().default(true).describe('Lower-case the text before tokenizing (Spark and scikit-learn do by default).'),
  min_length: z.number().int().min(1).default(1).describe('Drop tokens shorter than this many characters.'),
};

export interface TokenizerSpec {
  pattern: string;
  gaps: boolean;
  lowercase: boolean;
  min_length: number;
}

/** RE2's `\s` is `[\t\n\f\r ]`; JavaScript's also takes \v and Unicode spaces. Rewritten so both agree. */
function asRe2Spaces(pattern: string, ctx: StepContext): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const e = pattern[i + 1] ?? '';
      i++;
      if (e === 's') out += inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
      else if (e === 'S' && !inClass) out += '[^\\t\\n\\f\\r ]';
      else if (e === 'S')
        throw new SluiceError(
          'FLOW_REGEX',
          `step ${ctx.index + 1}: pattern ${JSON.stringify(pattern)} uses \\S inside [...], which RE2 and JavaScript read differently`,
          {
            location: { step: ctx.index, field: 'pattern' },
            hint: 'list the characters instead, e.g. [^\\t\\n\\f\\r ,]',
          },
        );
      else out += `\\${e}`;
    } else {
      if (c === '[' && !inClass) inClass = true;
      else if (c === ']' && inClass) inClass = false;
      out += c;
    }
  }
  return out;
}

/** DuckDB SQL: the list of tokens of the (quoted) text expression `text`; NULL for NULL. */
export function tokensSql(s: TokenizerSpec, text: string): string {
  const t = s.lowercase ? `lower(${text})` : text;
  const pieces = s.gaps ? `regexp_split_to_array(${t}, ${quoteLiteral(s.pattern)})` : `regexp_extract_all(${t}, ${quoteLiteral(s.pattern)})`;
  return `list_filter(${pieces}, tok -> length(tok) >= ${s.min_length})`;
}

/** The same tokenizer in JavaScript, for the record path; checks the pattern (errors name the step). */
export function tokenizer(s: TokenizerSpec, ctx: StepContext): (text: string) => string[] {
  compilePattern(s.pattern, ctx);
  const re = compilePattern(asRe2Spaces(s.pattern, ctx), ctx, 'gu');
  const long = (tok: string): boolean => tok !== '' && [...tok].length >= s.min_length;
  return (text) => {
    const t = s.lowercase ? lower(text) : text;
    return (s.gaps ? between(t, re) : (t.match(re) ?? [])).filter(long);
  };
}

/** The pieces of `text` between the matches of a global `re` (String.split would add capture groups). */
function between(text: string, re: RegExp): string[] {
  const out: string[] = [];
  let from = 0;
  for (const m of text.matchAll(re)) {
    if (m[0] === '') continue;
    out.push(text.slice(from, m.index));
    from = m.index + m[0].length;
  }
  out.push(text.slice(from));
  return out;
}
