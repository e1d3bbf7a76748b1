import { intoOutputColumn } from './mapMissing.js';
import type { MapContext } from './mapNode.js';
import { ident, literal } from './mapColumns.js';
import { cols, isObj, lookup, num, type Obj, str } from './params.js';

/** Search and edit: find and replace substring, split, extract with a regex. */
export function mapSearchAndEdit(ctx: MapContext): void {
  const p = ctx.params;
  const columns = cols(p);
  switch (ctx.action) {
    case 'Find and replace substring': {
      const pattern = str(p, 'pattern');
      if (columns.length === 0 || !pattern) return ctx.unsupported();
      const target = intoOutputColumn(ctx, columns, p);
      const replacement = str(p, 'replacement') ?? '';
      if (/\$\d|\$\{|\\/.test(replacement))
        ctx.note(
          'warning',
          `the replacement ${JSON.stringify(replacement)} uses $n or a backslash, which Spark reads as a group reference or an escape; Sluice inserts the replacement literally`,
        );
      return ctx.add({ kind: 'find_replace', columns: target, pattern, replacement });
    }
    case 'Split string by delimiter': {
      const delimiter = str(p, 'delimiter');
      const parts = num(p, 'limit') ?? num(p, 'max_number_of_splits');
      if (columns.length !== 1 || !delimiter) return ctx.unsupported();
      // Data Wrangler makes one list column; Sluice makes one named column per part, so the number
      // of parts must be known. Without a limit it is not, and a person has to choose.
      if (!parts || parts < 1 || !Number.isInteger(parts)) {
        return ctx.placeholder(
          'data-wrangler',
          JSON.stringify({ operator: ctx.node.operator, parameters: ctx.node.parameters }, null, 2),
          `"Split string by delimiter" made a list column of any length; Sluice's split_column needs one named output per part: replace the placeholder with a split_column step listing them`,
        );
      }
      const column = columns[0]!;
      const outputs = Array.from({ length: parts }, (_, i) => `${column}_${i}`);
      ctx.note(
        'info',
        `the parts become columns ${outputs.join(', ')} (Data Wrangler made one list column whose last part kept the rest of the text; Sluice drops parts past the last)`,
      );
      return ctx.add({ kind: 'split_column', column, delimiter, outputs });
    }
    case 'Extract using regex': {
      const pattern = str(p, 'pattern');
      if (columns.length !== 1 || !pattern) return ctx.unsupported();
      // Spark's regexp_extract takes group `index`: by default 1 when the pattern has groups, else
      // the whole match (0). regex_extract takes the pattern's one capture group, so the others
      // become non-capturing (or, for the whole match, one group wraps the pattern).
      const index = num(p, 'index') ?? (groupCount(pattern) > 0 ? 1 : 0);
      if (!Number.isInteger(index) || index < 0 || index > groupCount(pattern)) return ctx.unsupported();
      const column = columns[0]!;
      const given = str(p, 'output_column');
      const output = given ?? `${column}_extracted`;
      if (!given) ctx.note('warning', `Data Wrangler replaced "${column}" with the extracted text; Sluice writes it to a new column "${output}"`);
      ctx.note('info', 'text that does not match becomes missing in Sluice (empty text in Data Wrangler)');
      return ctx.add({ kind: 'regex_extract', column, pattern: onlyGroup(pattern, index), output });
    }
    default:
      return ctx.unsupported();
  }
}

const CASES: Record<string, string> = { 'Lower case': 'lower', 'Upper case': 'upper', 'Title case': 'title' };
const STRIPS: Record<string, string> = { 'Strip left and right': 'both', 'Strip characters from left': 'left', 'Strip characters from right': 'right' };

/** Format string: convert case, strip characters. */
export function mapFormatString(ctx: MapContext): void {
  const columns = cols(ctx.params);
  const action = ctx.action ?? '';
  if (columns.length === 0) return ctx.unsupported();
  const to = lookup(CASES, action);
  if (to) return ctx.add({ kind: 'change_case', columns: intoOutputColumn(ctx, columns, ctx.params), to });
  const side = lookup(STRIPS, action);
  if (side) {
    const characters = str(ctx.params, 'characters');
    return ctx.add({
      kind: 'trim',
      columns: intoOutputColumn(ctx, columns, ctx.params),
      ...(side !== 'both' ? { side } : {}),
      ...(characters ? { characters } : {}),
    });
  }
  const expression = formatExpression(action, ctx.params);
  if (!expression) return ctx.unsupported();
  // One compute per column; a node that wrote to a new column keeps doing so.
  const output = str(ctx.params, 'output_column');
  for (const c of columns) {
    const to = output && columns.length === 1 ? output : c;
    ctx.add({ kind: 'compute', output: to, expression: expression(ident(c)), type: 'string', ...(to === c ? { replace: true } : {}) });
  }
}

/** The other format string variants as expressions of the column (`x`), or undefined. */
function formatExpression(action: string, p: Record<string, unknown>): ((x: string) => string) | undefined {
  const width = num(p, 'width') ?? num(p, 'length');
  const fill = literal(str(p, 'fill_character') ?? str(p, 'fill_char') ?? ' ');
  switch (action) {
    case 'Capitalize':
      return (x) => `upper(substr(${x}, 1, 1)) || lower(substr(${x}, 2))`;
    case 'Swap case':
      return (x) => `swapcase(${x})`;
    case 'Left pad':
      return width !== undefined ? (x) => `lpad(${x}, ${width}, ${fill})` : undefined;
    case 'Right pad':
      return width !== undefined ? (x) => `rpad(${x}, ${width}, ${fill})` : undefined;
    case 'Center (pad on either side)':
    case 'Center':
      return width !== undefined ? (x) => `center(${x}, ${width}, ${fill})` : undefined;
    case 'Prepend zeros':
      return width !== undefined ? (x) => `lpad(${x}, ${width}, '0')` : undefined;
    case 'Add prefix or suffix':
      return (x) => `${literal(str(p, 'prefix') ?? '')} || ${x} || ${literal(str(p, 'suffix') ?? '')}`;
    case 'Remove symbols':
      return (x) => `remove_symbols(${x})`;
    default:
      return undefined;
  }
}

/**
 * Rewrites a regular expression so that only its `keep`-th capturing group (1-based) captures; with
 * `keep` 0 every group becomes non-capturing and one group wraps the whole pattern. Named groups
 * count as capturing; escapes and character classes are left alone.
 */
export function onlyGroup(pattern: string, keep: number): string {
  const { out } = rewriteGroups(pattern, keep);
  return keep === 0 ? `(${out})` : out;
}

/** The number of capturing groups of a regular expression, counted as onlyGroup counts them. */
export function groupCount(pattern: string): number {
  return rewriteGroups(pattern, -1).groups;
}

function rewriteGroups(pattern: string, keep: number): { out: string; groups: number } {
  let out = '';
  let inClass = false;
  let groups = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '(') {
      const named = /^\?P?<(?![=!])[^>]*>/.exec(pattern.slice(i + 1));
      if (pattern[i + 1] !== '?' || named) {
        groups++;
        out += groups === keep ? '(' : '(?:';
        if (named) i += named[0].length;
      } else out += c;
    } else out += c;
  }
  return { out, groups };
}

/**
 * Featurize text: "Character statistics" -> text_stats (every statistic); "Vectorize" (Spark's
 * Tokenizer or RegexTokenizer, CountVectorizer, optionally IDF) -> vectorize_text with Spark's idf.
 */
export function mapFeaturizeText(ctx: MapContext): void {
  if (/^vectori[sz]e$/i.test(ctx.action ?? '')) return mapVectorize(ctx);
  const columns = cols(ctx.params);
  if (!/character statistics/i.test(ctx.action ?? '') || columns.length === 0) return ctx.unsupported();
  const out = str(ctx.params, 'output_column') ?? str(ctx.params, 'output_prefix');
  ctx.note(
    'warning',
    `the statistics become integer columns ${columns.map((c) => `${c}_characters, ${c}_words, ...`).join('; ')} (text_stats in docs/flows.md)${out ? `; Data Wrangler wrote them under "${out}", Sluice names them after the column` : ''}; check that the counts are the ones your model used`,
  );
  ctx.add({ kind: 'text_stats', columns });
}

/** Spark's CountVectorizer keeps 2^18 tokens by default; every Sluice token is a column, at most 10,000. */
const SPARK_VOCABULARY = 2 ** 18;
const MAX_COLUMNS = 10_000;

/**
 * The first value whose key matches `re`, in the node's parameters or any object inside them:
 * Data Wrangler nests a choice's settings under `<field>_<choice>_parameters`.
 */
function setting(p: Obj, re: RegExp): unknown {
  for (const [k, v] of Object.entries(p)) if (re.test(k) && !isObj(v)) return v;
  for (const v of Object.values(p)) {
    if (!isObj(v)) continue;
    const found = setting(v, re);
    if (found !== undefined) return found;
  }
  return undefined;
}

const text = (p: Obj, re: RegExp): string | undefined => {
  const v = setting(p, re);
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
};
const number = (p: Obj, re: RegExp): number | undefined => num({ v: setting(p, re) }, 'v');
const yes = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : /^(yes|true|1|y|on)$/i.test(v.trim()));

/** A placeholder for a Vectorize node with a setting vectorize_text lacks, naming the setting. */
function refuse(ctx: MapContext, what: string): void {
  ctx.placeholder(
    'data-wrangler',
    JSON.stringify({ operator: ctx.node.operator, parameters: ctx.node.parameters }, null, 2),
    `Sluice's vectorize_text has no equivalent of ${what}; replace the placeholder with a vectorize_text step (docs/flows.md) or other built-in steps (its Data Wrangler parameters are kept as its code)`,
  );
}

function mapVectorize(ctx: MapContext): void {
  const p = ctx.params;
  const columns = cols(p);
  if (columns.length !== 1) return ctx.unsupported();
  const column = columns[0]!;
  const step: Record<string, unknown> = { kind: 'vectorize_text', column };
  const tokenizer = text(p, /^tokenizer$/i) ?? 'Standard';
  if (/custom|regex/i.test(tokenizer)) {
    const pattern = text(p, /pattern|regex/i);
    if (pattern) step.pattern = pattern;
    step.gaps = yes(text(p, /gaps/i)) ?? true; // Spark's RegexTokenizer splits by default
    if (!pattern) step.pattern = '\\s+';
    const min = number(p, /min.*token.*length|min.*length/i);
    if (min !== undefined && min > 1) step.min_length = min;
    if (yes(text(p, /lower/i)) === false) step.lowercase = false;
  } else if (/standard/i.test(tokenizer)) {
    ctx.note(
      'info',
      "Spark's standard Tokenizer lower-cases and splits at each white-space character (two spaces make an empty token); Sluice's default takes runs of non-space characters, without empty tokens",
    );
  } else return refuse(ctx, `the tokenizer "${tokenizer}"`);
  // the IDF's settings (`apply_idf_yes_parameters`) apart from the vectorizer's
  const idfSettings: Obj = Object.fromEntries(Object.entries(p).filter(([k, v]) => /idf/i.test(k) && isObj(v)));
  const counting: Obj = Object.fromEntries(Object.entries(p).filter(([k]) => !/idf/i.test(k)));
  const vectorizer = text(counting, /^vectorizer$/i) ?? 'Count Vectorizer';
  if (!/count/i.test(vectorizer)) return refuse(ctx, `the "${vectorizer}" vectorizer (Sluice learns a vocabulary: a count vectorizer)`);
  const minTf = number(counting, /min.*term.*freq/i);
  if (minTf !== undefined && minTf !== 1) return refuse(ctx, `a minimum term frequency of ${minTf} (Spark drops rarer tokens row by row)`);
  const minDf = number(counting, /min.*doc.*freq/i);
  if (minDf !== undefined && minDf !== 1) step.min_df = minDf;
  const maxDf = number(counting, /max.*doc.*freq/i);
  if (maxDf === 1) return refuse(ctx, 'a maximum document frequency of 1 (one row in Spark; max_df: 1 is every row in Sluice)');
  if (maxDf !== undefined && maxDf < 1) step.max_df = maxDf;
  else if (maxDf !== undefined && maxDf < Number.MAX_SAFE_INTEGER) step.max_df = Math.floor(maxDf);
  const size = number(counting, /vocab/i) ?? SPARK_VOCABULARY;
  step.max_features = Math.min(Math.max(1, Math.floor(size)), MAX_COLUMNS);
  if (size > MAX_COLUMNS)
    ctx.note('warning', `Data Wrangler kept up to ${size} tokens; Sluice makes one column per token and keeps the ${MAX_COLUMNS} most frequent (max_features)`);
  const idf = yes(text(p, /^(apply_)?idf$/i));
  if (idf) {
    // Spark's IDF gives 0 to tokens in fewer rows than its minDocFreq: Sluice has no such floor
    const floor = number(idfSettings, /min.*doc.*freq/i) ?? 0;
    if (floor > 0) return refuse(ctx, `an IDF minimum document frequency of ${floor} (Spark gives rarer tokens a weight of 0)`);
    step.weighting = 'tfidf';
    step.idf = 'spark';
  } else if (idf === undefined)
    ctx.note(
      'warning',
      'the node does not say whether Data Wrangler applied IDF: Sluice counts tokens (weighting: count); set weighting: tfidf and idf: spark if it did',
    );
  const output = str(p, 'output_column');
  if (output) step.prefix = `${output}_`;
  const format = text(p, /output.*format/i) ?? 'Vector';
  ctx.note(
    'warning',
    `${/column/i.test(format) ? 'Data Wrangler made one column per token' : 'Data Wrangler made one vector column'}${output ? ` "${output}"` : ''}; Sluice makes one column per token of the vocabulary, named ${output ?? column}_<token> (vectorize_text in docs/flows.md), and learns the vocabulary again when the flow is fitted`,
  );
  ctx.add(step as never);
}
