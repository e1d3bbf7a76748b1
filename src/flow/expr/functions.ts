import { DATE_FUNCTIONS } from './dateFunctions.js';

/**
 * The functions a flow expression may call, each defined twice: as DuckDB SQL and as
 * JavaScript, with the same semantics (tests compare the two). NULL in, NULL out unless noted;
 * a mathematically undefined result (log of 0, square root of -1) is NULL, not an error.
 */
export interface FunctionDef {
  min: number;
  max: number;
  /** SQL text from the SQL of the arguments. */
  sql: (args: string[]) => string;
  /** JavaScript implementation; receives evaluated arguments. */
  js: (...args: unknown[]) => unknown;
  /** When true the JS implementation receives NULLs itself (otherwise any NULL gives NULL). */
  nullAware?: boolean;
  doc: string;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));

/** C's `round`: half away from zero. */
const cRound = (y: number): number => (y < 0 ? -Math.round(-y) : Math.round(y));

/**
 * Rounds half away from zero exactly as DuckDB's `round(DOUBLE, n)` does (scale, round, scale
 * back), so a record at the endpoint gets the value its batch got: `round(1.005, 2)` is 1 on both
 * paths, since the double 1.005 is just below the half (test/flow/exprFunctions.test.ts).
 */
export function roundHalfAway(x: number, digits = 0): number {
  const m = 10 ** Math.abs(digits);
  const r = digits >= 0 ? cRound(x * m) / m : cRound(x / m) * m;
  return Number.isFinite(r) ? r : x;
}

/**
 * A DOUBLE cast to BIGINT, as DuckDB does it (C's `nearbyint`: half to even), so
 * `cast(2.5 as bigint)` is 2 and `cast(3.5 as bigint)` is 4 on both paths.
 */
export function castToBigint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const math1 = (name: string, fn: (x: number) => number, guard?: string, jsGuard?: (x: number) => boolean, doc = ''): FunctionDef => ({
  min: 1,
  max: 1,
  sql: ([a]) => (guard ? `(CASE WHEN (${a})::DOUBLE ${guard} THEN ${name}((${a})::DOUBLE) END)` : `${name}((${a})::DOUBLE)`),
  js: (a) => {
    const x = num(a);
    return jsGuard && !jsGuard(x) ? null : fn(x);
  },
  doc,
});

export const FUNCTIONS: Record<string, FunctionDef> = {
  abs: { min: 1, max: 1, sql: ([a]) => `abs(${a})`, js: (a) => Math.abs(num(a)), doc: 'absolute value' },
  round: {
    min: 1,
    max: 2,
    sql: ([a, d]) => `round((${a})::DOUBLE, ${d ?? 0})`,
    js: (a, d) => roundHalfAway(num(a), d === undefined ? 0 : num(d)),
    doc: 'round half away from zero to n digits (default 0)',
  },
  floor: { min: 1, max: 1, sql: ([a]) => `floor((${a})::DOUBLE)`, js: (a) => Math.floor(num(a)), doc: 'largest integer not above x' },
  ceil: { min: 1, max: 1, sql: ([a]) => `ceil((${a})::DOUBLE)`, js: (a) => Math.ceil(num(a)), doc: 'smallest integer not below x' },
  sqrt: math1('sqrt', Math.sqrt, '>= 0', (x) => x >= 0, 'square root; NULL below 0'),
  ln: math1('ln', Math.log, '> 0', (x) => x > 0, 'natural logarithm; NULL at or below 0'),
  log10: math1('log10', Math.log10, '> 0', (x) => x > 0, 'base-10 logarithm; NULL at or below 0'),
  log1p: {
    min: 1,
    max: 1,
    sql: ([a]) => `(CASE WHEN (${a})::DOUBLE > -1 THEN ln(1 + (${a})::DOUBLE) END)`,
    js: (a) => (num(a) > -1 ? Math.log1p(num(a)) : null),
    doc: 'ln(1 + x); NULL at or below -1',
  },
  exp: math1('exp', Math.exp, undefined, undefined, 'e to the power x'),
  power: { min: 2, max: 2, sql: ([a, b]) => `power((${a})::DOUBLE, (${b})::DOUBLE)`, js: (a, b) => num(a) ** num(b), doc: 'x to the power y' },
  least: {
    min: 1,
    max: Infinity,
    nullAware: true,
    sql: (args) => `least(${args.join(', ')})`,
    js: (...args) => {
      const xs = args.filter((x) => x !== null && x !== undefined);
      return xs.length === 0 ? null : xs.reduce((m, x) => ((x as number) < (m as number) ? x : m));
    },
    doc: 'smallest non-NULL argument',
  },
  greatest: {
    min: 1,
    max: Infinity,
    nullAware: true,
    sql: (args) => `greatest(${args.join(', ')})`,
    js: (...args) => {
      const xs = args.filter((x) => x !== null && x !== undefined);
      return xs.length === 0 ? null : xs.reduce((m, x) => ((x as number) > (m as number) ? x : m));
    },
    doc: 'largest non-NULL argument',
  },
  coalesce: {
    min: 1,
    max: Infinity,
    nullAware: true,
    sql: (args) => `coalesce(${args.join(', ')})`,
    js: (...args) => args.find((x) => x !== null && x !== undefined) ?? null,
    doc: 'first non-NULL argument',
  },
  nullif: {
    min: 2,
    max: 2,
    nullAware: true,
    sql: ([a, b]) => `nullif(${a}, ${b})`,
    js: (a, b) => (a === null || a === undefined ? null : a === b ? null : a),
    doc: 'NULL when a = b, else a',
  },
  lower: { min: 1, max: 1, sql: ([a]) => `lower(${a})`, js: (a) => str(a).toLowerCase(), doc: 'lower case' },
  upper: { min: 1, max: 1, sql: ([a]) => `upper(${a})`, js: (a) => str(a).toUpperCase(), doc: 'upper case' },
  trim: { min: 1, max: 1, sql: ([a]) => `trim(${a})`, js: (a) => str(a).replace(/^ +| +$/g, ''), doc: 'remove leading and trailing spaces' },
  length: { min: 1, max: 1, sql: ([a]) => `length(${a})`, js: (a) => [...str(a)].length, doc: 'number of characters' },
  substr: {
    min: 2,
    max: 3,
    sql: ([s, a, b]) => (b === undefined ? `substr(${s}, ${a})` : `substr(${s}, ${a}, ${b})`),
    js: (s, a, b) => {
      const chars = [...str(s)];
      const start = num(a) - 1;
      return chars.slice(Math.max(0, start), b === undefined ? undefined : Math.max(0, start + num(b))).join('');
    },
    doc: 'substring from 1-based start, optional length',
  },
  replace: {
    min: 3,
    max: 3,
    sql: ([s, a, b]) => `replace(${s}, ${a}, ${b})`,
    js: (s, a, b) => str(s).split(str(a)).join(str(b)),
    doc: 'replace every occurrence of a literal text',
  },
  contains: { min: 2, max: 2, sql: ([s, a]) => `contains(${s}, ${a})`, js: (s, a) => str(s).includes(str(a)), doc: 'true when s contains the text' },
  starts_with: { min: 2, max: 2, sql: ([s, a]) => `starts_with(${s}, ${a})`, js: (s, a) => str(s).startsWith(str(a)), doc: 'true when s starts with the text' },
  concat: {
    min: 1,
    max: Infinity,
    nullAware: true,
    sql: (args) => `concat(${args.join(', ')})`,
    js: (...args) =>
      args
        .filter((x) => x !== null && x !== undefined)
        .map(str)
        .join(''),
    doc: 'concatenation that skips NULLs',
  },
  lpad: pad('left'),
  rpad: pad('right'),
  center: pad('center'),
  swapcase: {
    min: 1,
    max: 1,
    sql: ([a]) => `array_to_string(list_transform(string_split(${a}, ''), c -> CASE WHEN c = upper(c) THEN lower(c) ELSE upper(c) END), '')`,
    js: (a) => [...str(a)].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
    doc: 'upper case letters become lower case and lower case upper (Python `str.swapcase`)',
  },
  ...DATE_FUNCTIONS,
  remove_symbols: {
    min: 1,
    max: 1,
    sql: ([a]) => `regexp_replace(${a}, '[^\\p{L}\\p{N}\\s]', '', 'g')`,
    js: (a) => str(a).replace(/[^\p{L}\p{N}\s]/gu, ''),
    doc: 'removes every character that is not a letter, a digit or white space',
  },
};

/**
 * Pads text to a width with a fill character, as Python's `rjust` (left), `ljust` (right) and
 * `center`: text already as wide is returned whole (DuckDB's lpad would cut it).
 */
function pad(side: 'left' | 'right' | 'center'): FunctionDef {
  return {
    min: 2,
    max: 3,
    sql: ([s, n, f]) => {
      const fill = f ?? "' '";
      const width = `(${n})::INTEGER`;
      const body =
        side === 'left'
          ? `lpad(${s}, ${width}, ${fill})`
          : side === 'right'
            ? `rpad(${s}, ${width}, ${fill})`
            : `rpad(lpad(${s}, (length(${s}) + (${width} - length(${s})) // 2 + ((${width} - length(${s})) & ${width} & 1))::INTEGER, ${fill}), ${width}, ${fill})`;
      return `(CASE WHEN length(${s}) >= ${width} THEN ${s} ELSE ${body} END)`;
    },
    js: (s, n, f) => {
      const text = str(s);
      const width = Math.trunc(num(n));
      const fill = f === undefined ? ' ' : str(f);
      const len = [...text].length;
      if (len >= width || fill.length === 0) return text;
      if (side === 'left') return fill.repeat(width - len).slice(0, width - len) + text;
      if (side === 'right') return text + fill.repeat(width - len).slice(0, width - len);
      // Python's center: the odd fill character goes left when the width is odd, right otherwise
      const total = width - len;
      const left = Math.floor(total / 2) + (total & width & 1);
      return fill.repeat(left) + text + fill.repeat(total - left);
    },
    doc:
      side === 'left'
        ? 'pads on the left to a width (Python `rjust`); a third argument gives the fill character'
        : side === 'right'
          ? 'pads on the right to a width (Python `ljust`)'
          : 'pads on both sides to a width (Python `center`)',
  };
}
