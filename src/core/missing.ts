/**
 * The one definition of a missing value, used by the readers, every flow step, the report,
 * training, batch prediction, the endpoint and the feature store (docs/data.md, "Missing values").
 *
 * A value is missing when it is:
 * - NULL (SQL), `null` or `undefined` (JSON, records);
 * - an empty field of a text file;
 * - one of the missing tokens, compared exactly (case and spaces count, as in pandas). The
 *   default list is pandas' `read_csv` default `na_values` (pandas 2.x, `STR_NA_VALUES`); a project
 *   replaces it with `missingTokens:` in sluice.yaml, a flow with `missing_tokens:`;
 * - a floating-point NaN;
 * - ±Infinity, under the one infinity policy Sluice has: infinite values are missing (pandas'
 *   `use_inf_as_na`), so no learner, statistic or fill value ever sees one. In text files
 *   the spellings of {@link INFINITY_TOKENS} are infinite in a numeric column (one whose every
 *   other value is a number, as pandas types it); in a text column they are text (`INF` may be a
 *   code), as pandas keeps them.
 *
 * Pure: no I/O, no SQL quoting of names (callers pass quoted expressions).
 */

/** pandas' default `na_values` for `read_csv` (pandas 2.x `pandas._libs.parsers.STR_NA_VALUES`). */
export const PANDAS_NA_TOKENS: readonly string[] = Object.freeze([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

/** How infinity is written in text files (pandas' float parser accepts these, any case, signed). */
export const INFINITY_TOKENS: readonly string[] = Object.freeze(
  ['inf', 'Inf', 'INF', 'infinity', 'Infinity', 'INFINITY'].flatMap((t) => [t, `-${t}`, `+${t}`]),
);

/** The missing-value rules in force for one read, flow or model. */
export interface MissingPolicy {
  /** Text values that mean "missing", compared exactly. */
  tokens: readonly string[];
  /** The infinity policy: infinite numbers are missing. (The only one; stated so it is recorded.) */
  infinity: 'missing';
}

export const DEFAULT_MISSING: MissingPolicy = Object.freeze({ tokens: PANDAS_NA_TOKENS, infinity: 'missing' as const });

/**
 * The policy for a flow or a project: the flow's `missing_tokens`, else the project's
 * `missingTokens`, else pandas' defaults. The empty field is always missing.
 */
export function missingPolicy(...lists: Array<readonly string[] | undefined>): MissingPolicy {
  const tokens = lists.find((l) => l !== undefined);
  if (!tokens) return DEFAULT_MISSING;
  return { tokens: [...new Set(['', ...tokens])], infinity: 'missing' };
}

/** Whether a text value spells ±Infinity ({@link INFINITY_TOKENS}): missing in a numeric column, text in a text one. */
export function isInfinityText(v: unknown): boolean {
  return typeof v === 'string' && INFINITY_SET.has(v);
}

/**
 * Whether one record value of a column of logical type `type` is missing: null/undefined, NaN,
 * ±Infinity, a string (or a number written as one) that is a missing token, or, in a numeric
 * column, a string spelling ±Infinity.
 *
 * @example
 * isMissingValue('NA') // true
 * isMissingValue(' NA ') // false: tokens are compared exactly, as pandas does
 * isMissingValue('-inf', DEFAULT_MISSING, 'float') // true; for 'string' false: text
 */
export function isMissingValue(v: unknown, policy: MissingPolicy = DEFAULT_MISSING, type?: string): boolean {
  if (v === null || v === undefined) return true;
  // A number written as a token (`-999` sent as JSON) is missing too, as pandas' na_values has it.
  if (typeof v === 'number') return !Number.isFinite(v) || (policy !== DEFAULT_MISSING && tokenSet(policy).has(String(v)));
  if (typeof v === 'string') return tokenSet(policy).has(v) || ((type === 'float' || type === 'integer') && INFINITY_SET.has(v));
  return false;
}

/**
 * {@link isMissingValue} for one policy and column type, as a function: the same answer for every
 * value, with the token set looked up once and, when no token spells a number (pandas' defaults
 * do not), no number written out as text to compare it.
 */
export function missingTest(policy: MissingPolicy, type?: string): (v: unknown) => boolean {
  const tokens = tokenSet(policy);
  // Some finite number's text (String(x)) is a token: only then can a number be one.
  const numberTokens =
    policy !== DEFAULT_MISSING &&
    [...tokens].some((t) => {
      const x = Number(t);
      return Number.isFinite(x) && String(x) === t;
    });
  const numeric = type === 'float' || type === 'integer';
  return (v) => {
    if (v === null || v === undefined) return true;
    if (typeof v === 'number') return !Number.isFinite(v) || (numberTokens && tokens.has(String(v)));
    if (typeof v === 'string') return tokens.has(v) || (numeric && INFINITY_SET.has(v));
    return false;
  };
}

/** A SQL predicate, true when `expr` (a quoted column or expression of `sqlType`) is missing. */
export function isMissingSql(expr: string, floating: boolean): string {
  return floating ? `(${expr} IS NULL OR NOT isfinite(${expr}))` : `(${expr} IS NULL)`;
}

/** A SQL expression: `expr` with NaN and ±Infinity turned into NULL (unchanged for non-floats). */
export function presentOrNullSql(expr: string, floating: boolean): string {
  return floating ? `CASE WHEN isfinite(${expr}) THEN ${expr} END` : expr;
}

/** Whether a DuckDB type name holds floating-point values (where NaN and Infinity exist). */
export function isFloatingSqlType(sqlType: string | undefined, logical?: string): boolean {
  if (sqlType) return /^(DOUBLE|FLOAT|REAL|FLOAT4|FLOAT8)$/i.test(sqlType);
  return logical === 'float';
}

const INFINITY_SET = new Set(INFINITY_TOKENS);
const sets = new WeakMap<MissingPolicy, Set<string>>();
let lastPolicy: MissingPolicy | undefined;
let lastSet: Set<string> | undefined;
function tokenSet(policy: MissingPolicy): Set<string> {
  // The same policy is asked for value after value: skip the WeakMap for it.
  if (policy === lastPolicy) return lastSet!;
  let s = sets.get(policy);
  if (!s) sets.set(policy, (s = new Set(policy.tokens)));
  lastPolicy = policy;
  lastSet = s;
  return s;
}
