import { z } from 'zod';
import type { LogicalType } from '../../core/types.js';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { defineStep, type FitContext, type StepContext } from '../step.js';
import { common, isMissing, replaceSql, retype, typeOf } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('infer_types'),
      columns: z.array(z.string().min(1)).min(1).optional().describe('Text columns to examine; every text column when absent.'),
      ...common,
    })
    .strict();

type Fitted = { types: Record<string, LogicalType> };

/**
 * The text forms each type accepts, as full-match patterns shared by DuckDB (RE2) and
 * JavaScript, so both paths convert exactly the same values. Values are trimmed of spaces first.
 * Order matters: the first type that every value matches wins (so `0`/`1` columns are integers).
 */
const PATTERNS: Array<{ type: LogicalType; re: string }> = [
  { type: 'integer', re: '[+-]?\\d{1,18}' },
  { type: 'float', re: '[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?' },
  { type: 'boolean', re: '(?i)(true|false|t|f|yes|no|y|n)' },
  { type: 'date', re: '\\d{4}-\\d{2}-\\d{2}' },
  { type: 'timestamp', re: '\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?)?' },
];
const TRUE_WORDS = ['true', 't', 'yes', 'y'];
const SQL_TYPE: Partial<Record<LogicalType, string>> = { integer: 'BIGINT', float: 'DOUBLE', date: 'DATE', timestamp: 'TIMESTAMP' };

const jsPattern = (re: string): RegExp => (re.startsWith('(?i)') ? new RegExp(`^(?:${re.slice(4)})$`, 'i') : new RegExp(`^(?:${re})$`));
const JS_PATTERNS = new Map(PATTERNS.map((p) => [p.type, jsPattern(p.re)]));

/** The SQL that converts trimmed text `v` to `type`: NULL unless the value matches the type's pattern. */
function convertSql(v: string, type: LogicalType): string {
  const re = PATTERNS.find((p) => p.type === type)!.re;
  const gate = `regexp_full_match(${v}, ${quoteLiteral(re)})`;
  if (type === 'boolean') return `CASE WHEN ${gate} THEN lower(${v}) IN (${TRUE_WORDS.map(quoteLiteral).join(', ')}) END`;
  return `CASE WHEN ${gate} THEN TRY_CAST(${v} AS ${SQL_TYPE[type]}) END`;
}

/** The record-path twin of {@link convertSql}: dates as `YYYY-MM-DD`, timestamps as `YYYY-MM-DD HH:MM:SS.sss`. */
export function convertText(value: unknown, type: LogicalType): unknown {
  if (isMissing(value)) return null;
  const v = String(value).replace(/^ +| +$/g, '');
  if (!JS_PATTERNS.get(type)!.test(v)) return null;
  switch (type) {
    case 'integer':
      return Number(v) + 0; // "-0" is 0 as a BIGINT
    case 'float':
      return Number(v);
    case 'boolean':
      return TRUE_WORDS.includes(v.toLowerCase());
    case 'date':
    case 'timestamp': {
      const [y, mo, d, h = 0, mi = 0, s = 0] = v.split(/[-T :]/).map(Number) as number[];
      const day = new Date(0);
      day.setUTCFullYear(y!, mo! - 1, d!); // Date.UTC would read years below 100 as 19xx
      if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo! - 1 || day.getUTCDate() !== d) return null;
      // DuckDB reads 24:00:00 as midnight of the next day
      if (h > 24 || mi > 59 || s! >= 60 || (h === 24 && (mi > 0 || s! > 0))) return null;
      const ms = v.includes('.') ? Math.round(Number(`0.${v.split('.')[1]}`) * 1000) : 0;
      const t = new Date(day.getTime() + ((h * 60 + mi) * 60 + Math.floor(s!)) * 1000 + ms);
      return type === 'date' ? t.toISOString().slice(0, 10) : t.toISOString().replace('T', ' ').replace('Z', '');
    }
    default:
      return v;
  }
}

/**
 * The columns to examine: the listed ones that are text, or every text column. A listed column
 * that already has a type is left as it is: Data Wrangler reads every column as text and lists
 * them all, while Sluice's reader has typed numbers already, so imported flows list such columns.
 */
function candidates(s: z.infer<ReturnType<typeof schema>>, ctx: StepContext): string[] {
  if (!s.columns) return ctx.columns.filter((c) => c.type === 'string').map((c) => c.name);
  return s.columns.filter((c) => typeOf(ctx, c) === 'string');
}

/**
 * Per text column: how many values are present, and how many of them each type reads. Counts of
 * disjoint partitions add up (src/flow/partitions/): the fit is the same as on the whole batch.
 */
export type TypeCounts = Record<string, { present: number; read: Record<string, number> }>;

export async function typeCounts(s: z.infer<ReturnType<typeof schema>>, ctx: FitContext): Promise<TypeCounts> {
  const cols = candidates(s, ctx);
  if (cols.length === 0) return {};
  const aggs = cols.flatMap((c, i) => {
    const v = `trim(${quoteIdent(c)})`;
    const present = `${quoteIdent(c)} IS NOT NULL AND ${v} <> ''`;
    return [
      `count(*) FILTER (WHERE ${present}) AS n${i}`,
      ...PATTERNS.map((p) => `count(*) FILTER (WHERE ${present} AND ${convertSql(v, p.type)} IS NOT NULL) AS ${p.type}${i}`),
    ];
  });
  const row = (await ctx.engine.query(`SELECT ${aggs.join(', ')} FROM ${quoteIdent(ctx.relation)}`))[0] ?? {};
  return Object.fromEntries(
    cols.map((c, i) => [c, { present: Number(row[`n${i}`] ?? 0), read: Object.fromEntries(PATTERNS.map((p) => [p.type, Number(row[`${p.type}${i}`] ?? 0)])) }]),
  );
}

/** The narrowest type every present value of a column reads as (text when none). */
export function typesFromCounts(counts: TypeCounts): Fitted['types'] {
  const types: Fitted['types'] = {};
  for (const [c, { present, read }] of Object.entries(counts)) {
    const hit = present > 0 ? PATTERNS.find((p) => read[p.type] === present) : undefined;
    types[c] = hit?.type ?? 'string';
  }
  return types;
}

/** Data Wrangler's "Infer and cast type": learns the narrowest type of text columns, then converts. */
export const inferTypes = defineStep<z.infer<ReturnType<typeof schema>>, Fitted>({
  kind: 'infer_types',
  schema,
  doc: {
    title: 'Infer and cast types',
    family: 'types',
    description:
      'Examines text columns (the listed ones, or all; a listed column that already has a type keeps it) at fit time and converts each to the narrowest type that every non-missing value has: integer, float, boolean (true/false, t/f, yes/no, y/n), date (YYYY-MM-DD), timestamp (YYYY-MM-DD HH:MM[:SS[.ffffff]]); otherwise it stays text. Values are trimmed of spaces; empty text counts as missing. Later batches are converted to the learned types, and a value that does not convert becomes missing.',
    example: 'kind: infer_types',
    learns: 'one type per text column',
  },
  inputs: (s) => s.columns ?? [],
  async fit(s, ctx) {
    return { types: typesFromCounts(await typeCounts(s, ctx)) };
  },
  outputs: (_s, f, ctx) => retype(ctx.columns, f.types),
  sql: (_s, f, _ctx, input) =>
    replaceSql(
      input,
      Object.entries(f.types)
        .filter(([, t]) => t !== 'string')
        .map(([c, t]) => [c, convertSql(`trim(${quoteIdent(c)})`, t)]),
    ),
  record: (_s, f) => {
    const changed = Object.entries(f.types).filter(([, t]) => t !== 'string');
    return (row) => {
      const out = { ...row };
      for (const [c, t] of changed) out[c] = convertText(out[c], t);
      return out;
    };
  },
});
