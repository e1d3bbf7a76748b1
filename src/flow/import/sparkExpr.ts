import { SluiceError } from '../../core/errors.js';
import { exprText } from '../expr/exprText.js';
import { FUNCTIONS } from '../expr/functions.js';
import { parseExpr, type Expr } from '../expr/parseExpr.js';

/**
 * Spark SQL expressions (Data Wrangler's custom formula, a custom SQL transform's SELECT items and
 * WHERE) into Sluice's expression language. The text is read as Spark reads it (backtick names,
 * "double quoted" strings, backslash escapes), parsed into the expression tree, every Spark
 * function mapped to what computes the same in Sluice, and written back as text. A function
 * Sluice has no faithful translation for stops the translation with a SparkTranslationError
 * naming it; nothing is approximated silently.
 *
 * @example
 * sparkToSluice("if(isnull(`Age`), 0, pow(Age, 2))") // "CASE WHEN \"Age\" IS NULL THEN 0 ELSE power(\"Age\", 2) END"
 */
export function sparkToSluice(formula: string): { expression: string; tree: Expr } {
  return translateSparkText(sparkText(formula), formula);
}

/** The same, for text already through {@link sparkText} (a part of a custom SQL statement). */
export function translateSparkText(text: string, formula = text): { expression: string; tree: Expr } {
  refuseKeywords(text);
  let parsed: Expr;
  try {
    parsed = parseExpr(text, { foreign: true });
  } catch (e) {
    const why = e instanceof SluiceError ? e.message.replace(/ of expression ".*$/s, '') : String(e);
    throw new SparkTranslationError(`the Spark SQL expression ${JSON.stringify(formula)} does not parse as one expression (${why})`, undefined);
  }
  const tree = translate(parsed);
  return { expression: exprText(tree), tree };
}

/** A Spark SQL construct with no faithful translation: `construct` names it (a function, a keyword). */
export class SparkTranslationError extends SluiceError {
  constructor(
    message: string,
    readonly construct: string | undefined,
  ) {
    super('WRANGLER_SPARK_UNSUPPORTED', message, {
      hint: 'rewrite it with the functions of the expression language (docs/flows.md, kind: compute), or with the built-in step that does the same',
    });
  }
}

/** Spark quoting into the expression language's: `name` -> "name", "text" -> 'text', \' -> ''. */
export function sparkText(formula: string): string {
  let out = '';
  for (let i = 0; i < formula.length; i++) {
    const c = formula[i]!;
    if (c === '`') {
      let name = '';
      for (i++; i < formula.length; i++) {
        if (formula[i] === '`' && formula[i + 1] === '`') {
          name += '`'; // Spark doubles a backtick inside a quoted name
          i++;
        } else if (formula[i] === '`') break;
        else name += formula[i];
      }
      if (i >= formula.length)
        throw new SparkTranslationError(`the Spark SQL expression ${JSON.stringify(formula)} has an unclosed \`quoted name\``, undefined);
      out += `"${name.replace(/"/g, '""')}"`;
    } else if (c === "'" || c === '"') {
      let value = '';
      for (i++; i < formula.length && formula[i] !== c; i++) {
        if (formula[i] === '\\' && i + 1 < formula.length) {
          i++;
          const e = formula[i]!;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '0' ? '\0' : e;
        } else value += formula[i];
      }
      if (i >= formula.length) throw new SparkTranslationError(`the Spark SQL expression ${JSON.stringify(formula)} has an unclosed string`, undefined);
      out += `'${value.replace(/'/g, "''")}'`;
    } else out += c;
  }
  return out.trim();
}

/** Spark syntax the expression language lacks, found before parsing so the message names it. */
const KEYWORDS: Record<string, string> = {
  rlike: 'RLIKE (a regular expression match): use a regex_extract or find_replace step',
  regexp: 'REGEXP (a regular expression match): use a regex_extract or find_replace step',
  div: 'DIV (integer division): write CAST(floor(a / b) AS BIGINT)',
  interval: 'INTERVAL (date arithmetic): write date_add(d, n) or add_months(d, n)',
  over: 'OVER (a window function): a formula computes each row from that row alone',
  distinct: 'DISTINCT (an aggregate)',
  exists: 'EXISTS (a sub-query)',
  select: 'a sub-query',
};

function refuseKeywords(text: string): void {
  // outside 'strings' and "names": the words and operators the expression language has not
  const bare = text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, ' ');
  for (const m of bare.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    const why = Object.hasOwn(KEYWORDS, m[0].toLowerCase()) ? KEYWORDS[m[0].toLowerCase()] : undefined;
    if (why)
      throw new SparkTranslationError(`Spark SQL's ${m[0].toUpperCase()} has no translation into Sluice's expression language: ${why}`, m[0].toUpperCase());
  }
  const symbols: Array<[string, string, string]> = [
    ['<=>', 'null-safe equality <=>', '; write (a = b OR (a IS NULL AND b IS NULL))'],
    ['[', 'array and map subscripts [ ]', ''],
    ['->', 'lambda functions ->', ''],
    ['&', 'bitwise operator &', ''],
    ['|', 'bitwise operator |', ''],
    ['^', 'bitwise operator ^', ''],
    ['~', 'bitwise operator ~', ''],
  ];
  for (const [sym, what, advice] of symbols) {
    const at = sym === '|' ? bare.search(/(?<!\|)\|(?!\|)/) : bare.indexOf(sym);
    if (at >= 0) throw new SparkTranslationError(`Spark SQL's ${what} has no translation into Sluice's expression language${advice}`, sym);
  }
  if (/!(?!=)/.test(bare)) throw new SparkTranslationError("Spark SQL's ! (NOT) is written NOT in Sluice's expression language", '!');
}

const num = (v: number): Expr => ({ t: 'num', v });
const dbl = (e: Expr): Expr => ({ t: 'cast', e, to: 'DOUBLE' });
const isNull = (e: Expr, not = false): Expr => ({ t: 'isnull', e, not });
const call = (fn: string, args: Expr[]): Expr => ({ t: 'call', fn, args });
const ifThen = (when: Expr, then: Expr, otherwise: Expr | undefined): Expr => ({ t: 'case', whens: [{ when, then }], else: otherwise });

/** Spark's cast to a whole number truncates toward zero (3.7 -> 3, -3.7 -> -3); Sluice's rounds. */
function toInteger(e: Expr): Expr {
  const x = dbl(e);
  return { t: 'cast', e: ifThen({ t: 'bin', op: '<', a: x, b: num(0) }, call('ceil', [x]), call('floor', [x])), to: 'BIGINT' };
}

function castTo(e: Expr, type: string): Expr {
  const t = type.toUpperCase();
  if (['INT', 'INTEGER', 'BIGINT', 'LONG', 'SMALLINT', 'SHORT', 'TINYINT', 'BYTE'].includes(t)) return toInteger(e);
  if (['DOUBLE', 'FLOAT', 'REAL', 'DECIMAL', 'NUMERIC', 'DEC'].includes(t)) return dbl(e);
  if (['STRING', 'VARCHAR', 'CHAR', 'TEXT'].includes(t)) return { t: 'cast', e, to: 'VARCHAR' };
  if (['BOOLEAN', 'BOOL'].includes(t)) return { t: 'cast', e, to: 'BOOLEAN' };
  if (t === 'DATE') return call('to_date', [e]);
  if (t === 'TIMESTAMP' || t === 'TIMESTAMP_NTZ') return call('to_timestamp', [e]);
  throw new SparkTranslationError(`Spark SQL's CAST to ${t} has no translation into Sluice's expression language`, `CAST AS ${t}`);
}

type Rule = { min: number; max: number; to: (args: Expr[]) => Expr };
const same = (fn: string, min: number, max: number): Rule => ({ min, max, to: (a) => call(fn, a) });

/** Every Spark function with a faithful translation, by lower-case name. */
const RULES: Record<string, Rule> = {
  abs: same('abs', 1, 1),
  round: same('round', 1, 2), // HALF_UP, as Sluice's round
  floor: same('floor', 1, 1),
  ceil: same('ceil', 1, 1),
  ceiling: same('ceil', 1, 1),
  sqrt: same('sqrt', 1, 1),
  ln: same('ln', 1, 1),
  log10: same('log10', 1, 1),
  log1p: same('log1p', 1, 1),
  log2: { min: 1, max: 1, to: ([x]) => ({ t: 'bin', op: '/', a: call('ln', [x!]), b: call('ln', [num(2)]) }) },
  log: { min: 1, max: 2, to: (a) => (a.length === 1 ? call('ln', a) : { t: 'bin', op: '/', a: call('ln', [a[1]!]), b: call('ln', [a[0]!]) }) },
  exp: same('exp', 1, 1),
  pow: same('power', 2, 2),
  power: same('power', 2, 2),
  mod: { min: 2, max: 2, to: ([a, b]) => ({ t: 'bin', op: '%', a: a!, b: b! }) },
  negative: { min: 1, max: 1, to: ([a]) => ({ t: 'unary', op: '-', e: a! }) },
  positive: { min: 1, max: 1, to: ([a]) => a! },
  sign: { min: 1, max: 1, to: ([a]) => signum(a!) },
  signum: { min: 1, max: 1, to: ([a]) => signum(a!) },
  pi: { min: 0, max: 0, to: () => num(Math.PI) },
  e: { min: 0, max: 0, to: () => num(Math.E) },
  least: same('least', 2, Infinity),
  greatest: same('greatest', 2, Infinity),
  coalesce: same('coalesce', 1, Infinity),
  ifnull: same('coalesce', 2, 2),
  nvl: same('coalesce', 2, 2),
  nvl2: { min: 3, max: 3, to: ([a, b, c]) => ifThen(isNull(a!, true), b!, c) },
  nullif: same('nullif', 2, 2),
  if: { min: 3, max: 3, to: ([c, a, b]) => ifThen(c!, a!, b) },
  iff: { min: 3, max: 3, to: ([c, a, b]) => ifThen(c!, a!, b) },
  isnull: { min: 1, max: 1, to: ([a]) => isNull(a!) },
  isnotnull: { min: 1, max: 1, to: ([a]) => isNull(a!, true) },
  lower: same('lower', 1, 1),
  lcase: same('lower', 1, 1),
  upper: same('upper', 1, 1),
  ucase: same('upper', 1, 1),
  trim: same('trim', 1, 1),
  length: same('length', 1, 1),
  len: same('length', 1, 1),
  char_length: same('length', 1, 1),
  character_length: same('length', 1, 1),
  replace: { min: 2, max: 3, to: ([s, a, b]) => call('replace', [s!, a!, b ?? { t: 'str', v: '' }]) },
  contains: same('contains', 2, 2),
  startswith: same('starts_with', 2, 2),
  // Spark's concat is NULL when any argument is, as the expression language's ||
  concat: {
    min: 1,
    max: Infinity,
    to: (a) => a.map((x): Expr => (x.t === 'str' ? x : { t: 'cast', e: x, to: 'VARCHAR' })).reduce((x, y) => ({ t: 'bin', op: '||', a: x, b: y })),
  },
  substr: { min: 2, max: 3, to: substring },
  substring: { min: 2, max: 3, to: substring },
  // Spark's lpad and rpad cut a longer text to the width; Sluice's keep it whole
  lpad: { min: 2, max: 3, to: (a) => call('substr', [call('lpad', a), num(1), a[1]!]) },
  rpad: { min: 2, max: 3, to: (a) => call('substr', [call('rpad', a), num(1), a[1]!]) },
  cast: { min: 2, max: 2, to: ([e, t]) => castTo(e!, (t as { v: string }).v) },
  int: { min: 1, max: 1, to: ([e]) => toInteger(e!) },
  integer: { min: 1, max: 1, to: ([e]) => toInteger(e!) },
  bigint: { min: 1, max: 1, to: ([e]) => toInteger(e!) },
  smallint: { min: 1, max: 1, to: ([e]) => toInteger(e!) },
  tinyint: { min: 1, max: 1, to: ([e]) => toInteger(e!) },
  double: { min: 1, max: 1, to: ([e]) => dbl(e!) },
  float: { min: 1, max: 1, to: ([e]) => dbl(e!) },
  decimal: { min: 1, max: 1, to: ([e]) => dbl(e!) },
  string: { min: 1, max: 1, to: ([e]) => ({ t: 'cast', e: e!, to: 'VARCHAR' }) },
  boolean: { min: 1, max: 1, to: ([e]) => ({ t: 'cast', e: e!, to: 'BOOLEAN' }) },
  // dates (src/flow/expr/dateFunctions.ts): Spark reads dates from the same ISO text
  year: same('year', 1, 1),
  quarter: same('quarter', 1, 1),
  month: same('month', 1, 1),
  day: same('day', 1, 1),
  dayofmonth: same('day', 1, 1),
  // Spark counts Sunday as 1 and Saturday as 7; Sluice's dayofweek 0 to 6
  dayofweek: { min: 1, max: 1, to: ([d]) => ({ t: 'bin', op: '+', a: call('dayofweek', [d!]), b: num(1) }) },
  // Spark's weekday: Monday 0 to Sunday 6
  weekday: { min: 1, max: 1, to: ([d]) => ({ t: 'bin', op: '%', a: { t: 'bin', op: '+', a: call('dayofweek', [d!]), b: num(6) }, b: num(7) }) },
  dayofyear: same('dayofyear', 1, 1),
  weekofyear: same('weekofyear', 1, 1),
  hour: same('hour', 1, 1),
  minute: same('minute', 1, 1),
  second: same('second', 1, 1),
  to_date: { min: 1, max: 2, to: (a) => withDefaultFormat('to_date', a, ['yyyy-MM-dd']) },
  date: same('to_date', 1, 1),
  to_timestamp: { min: 1, max: 2, to: (a) => withDefaultFormat('to_timestamp', a, ['yyyy-MM-dd HH:mm:ss', "yyyy-MM-dd'T'HH:mm:ss"]) },
  timestamp: same('to_timestamp', 1, 1),
  last_day: same('last_day', 1, 1),
  datediff: same('datediff', 2, 2),
  date_diff: same('datediff', 2, 2),
  date_add: same('date_add', 2, 2),
  dateadd: same('date_add', 2, 2),
  date_sub: { min: 2, max: 2, to: ([d, n]) => call('date_add', [d!, n!.t === 'num' ? num(-n!.v) : { t: 'unary', op: '-', e: n! }]) },
  add_months: same('add_months', 2, 2),
};

/**
 * Spark's to_date(x, format) and to_timestamp(x, format): the format is translated only when it
 * is the ISO form the expression language reads; another format is refused, naming it.
 */
function withDefaultFormat(fn: string, a: Expr[], formats: string[]): Expr {
  const format = a[1];
  if (format && !(format.t === 'str' && formats.includes(format.v)))
    throw new SparkTranslationError(
      `Spark SQL's ${fn}() is translated only without a format or with ${formats.map((f) => `'${f}'`).join(' or ')} (the ISO form the expression language reads); ${format.t === 'str' ? `'${format.v}'` : 'a computed format'} is another: read the column with a cast step (to: date or timestamp, with its format) first`,
      fn,
    );
  return call(fn, [a[0]!]);
}

function signum(a: Expr): Expr {
  return {
    t: 'case',
    whens: [
      { when: { t: 'bin', op: '>', a, b: num(0) }, then: num(1) },
      { when: { t: 'bin', op: '<', a, b: num(0) }, then: num(-1) },
      { when: { t: 'bin', op: '=', a, b: num(0) }, then: num(0) },
    ],
    else: undefined,
  };
}

/** Spark counts a start of 0 as 1 and a negative start from the end; Sluice's substr only from 1. */
function substring(a: Expr[]): Expr {
  const start = a[1]!;
  if (start.t !== 'num' || !Number.isInteger(start.v) || start.v < 0) {
    throw new SparkTranslationError(
      `Spark SQL's substring() is translated only with a start position written as a whole number 0 or more (it counts a negative start from the end, which Sluice's substr does not)`,
      'substring',
    );
  }
  return call('substr', [a[0]!, num(Math.max(1, start.v)), ...a.slice(2)]);
}

/** Why a known Spark function is refused: the family it belongs to. */
const FAMILIES: Array<[RegExp, string]> = [
  [
    /^(current_date|current_timestamp|now|curdate|localtimestamp|current_timezone)$/,
    "its value depends on when the flow runs, so a batch and a later prediction would differ; add an event_time step, or write a fixed date such as to_date('2024-01-01')",
  ],
  [
    /^(months_between)$/,
    'Spark rounds it to 8 digits over 31-day months; write datediff(end, start) / 31, or (year(end) - year(start)) * 12 + month(end) - month(start) for whole months',
  ],
  [
    /^(unix_timestamp|to_unix_timestamp|from_unixtime|unix_seconds|unix_millis|unix_date|timestamp_seconds|timestamp_millis|from_utc_timestamp|to_utc_timestamp|convert_timezone)$/,
    'it depends on a time zone; use datediff and hour/minute/second, or an event_time step',
  ],
  [
    /^(date_format|date_trunc|trunc|next_day|make_date|make_timestamp|extract|date_part|datepart|make_interval|window)$/,
    'the date functions are year, quarter, month, day, dayofweek, dayofyear, weekofyear, hour, minute, second, to_date, to_timestamp, last_day, datediff, date_add, date_sub, add_months; the datetime_features step derives parts of a date',
  ],
  [
    /^(regexp_replace|regexp_extract|regexp_extract_all|regexp_like|regexp_count|regexp_instr|regexp_substr|rlike)$/,
    'regular expressions are the find_replace and regex_extract steps',
  ],
  [
    /^(avg|mean|sum|count|min|max|stddev|stddev_samp|stddev_pop|std|variance|var_samp|var_pop|first|last|collect_list|collect_set|percentile|percentile_approx|approx_percentile|median|mode|skewness|kurtosis|corr|covar_pop|covar_samp|count_distinct|approx_count_distinct|any_value)$/,
    'it is an aggregate, and a formula computes each row from that row alone; the steps impute, scale and clip_outliers learn such statistics when the flow is fitted',
  ],
  [
    /^(rand|random|randn|uuid|monotonically_increasing_id|spark_partition_id|input_file_name|shuffle)$/,
    'its value is not reproducible; use record_id or sample',
  ],
  [
    /^(row_number|rank|dense_rank|percent_rank|ntile|lag|lead|cume_dist|nth_value)$/,
    'it is a window function; for a series use lag_features or rolling_features',
  ],
  [
    /^(split|array|array_contains|size|explode|map|struct|named_struct|element_at|from_json|to_json|get_json_object|json_tuple|sort_array|array_join|slice|sequence)$/,
    'Sluice columns hold one value (text, number, boolean, date), not arrays, maps or structs',
  ],
  [/^(initcap)$/, 'use a change_case step with to: title'],
  [/^(ltrim|rtrim|btrim)$/, 'use a trim step (side: left or right)'],
];

function translate(e: Expr): Expr {
  switch (e.t) {
    case 'unary':
      return { ...e, e: translate(e.e) };
    case 'bin':
      return { ...e, a: translate(e.a), b: translate(e.b) };
    case 'isnull':
    case 'cast':
      return { ...e, e: translate(e.e) };
    case 'in':
      return { ...e, e: translate(e.e), list: e.list.map(translate) };
    case 'between':
      return { ...e, e: translate(e.e), lo: translate(e.lo), hi: translate(e.hi) };
    case 'like':
      return { ...e, e: translate(e.e), pattern: translate(e.pattern) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ when: translate(w.when), then: translate(w.then) })), else: e.else && translate(e.else) };
    case 'call': {
      const fn = e.fn.toLowerCase();
      const rule = Object.hasOwn(RULES, fn) ? RULES[fn] : undefined;
      if (!rule) {
        const family = FAMILIES.find(([re]) => re.test(fn))?.[1];
        throw new SparkTranslationError(
          `Spark SQL function ${fn}() has no translation into Sluice's expression language${family ? `: ${family}` : ` (it has ${Object.keys(FUNCTIONS).length} functions; see kind: compute in docs/flows.md)`}`,
          fn,
        );
      }
      if (e.args.length < rule.min || e.args.length > rule.max) {
        throw new SparkTranslationError(
          `Spark SQL function ${fn}() is called with ${e.args.length} argument${e.args.length === 1 ? '' : 's'}; the translation knows ${rule.min === rule.max ? rule.min : `${rule.min} to ${rule.max === Infinity ? 'any number' : rule.max}`}`,
          fn,
        );
      }
      // the type name of a cast is not an expression to translate
      const args = fn === 'cast' ? [translate(e.args[0]!), e.args[1]!] : e.args.map(translate);
      return rule.to(args);
    }
    default:
      return e;
  }
}
